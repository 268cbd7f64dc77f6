"""On the city hub: taking in a device's signed records and evidence files, idempotently.

A device uploads its records in chain order, each as the exact signed text (``body_text``),
its ``record_hash`` and its Ed25519 ``signature``. For every record the hub checks, in order:

1. the text is canonical JSON that hashes to ``record_hash`` and the enrolled key signed it;
2. it has the shape of a record (``detector.record_schema``; refused with 422 naming the
   field otherwise, which the device reports);
3. the record is the uploading device's own (``device_id``, and an id bound to that device:
   ``detector.records.new_record_id``) and fits the log's columns;
4. by its UUID among the device's own records (the hub keys records by device and id, so
   another device holding the same id, one made before ids named their device, changes
   nothing): a byte-identical resend is a ``duplicate`` (accepted, nothing added); a
   different record of the device under a UUID the hub already holds is refused
   (``uuid_conflict``);
5. it is the next link of the device's chain on the hub: ``seq`` one past the head, and
   ``prev_hash``/``prev_id`` the head's (``chain_conflict`` if the hub holds another record at
   that place, ``out_of_order`` if records before it have not arrived).

Records are taken in order up to the first refusal; those before it are committed (so a
resumed upload continues from the hub's head). Evidence files are stored by SHA-256 in the
hub's ``EvidenceStore``; the same file sent twice is stored once.

Text signed before ansim refused control characters (a NUL in a name) is kept exactly in the
signed body; the columns copied from it for listing hold U+FFFD in its place, since PostgreSQL
text cannot hold a NUL, so such a record no longer blocks the device's sync.

Unknown sites named by an inspection record are added to the hub's ``sites`` (id, name,
address, position, the district read from the address, no schedule) so the hub's log and
coverage can name them; importing the city's sites CSV on the hub adds the schedules and
assignments. Each signed-off inspection taken in is counted into its site's day of the city's
coverage (``detector.hub.coverage``) in the same transaction.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from detector.errors import DetectorError
from detector.hub.coverage import count_inspections
from detector.log.record_schema import schema_problem
from detector.log.records import id_names_another_device, index_columns, storable_columns
from detector.log.signing import canonical_json, sha256_hex, verify_signature
from detector.log.storage.models import (
    RECORD_BODY,
    Device,
    Evidence,
    HubDevice,
    Record,
    RecordBody,
    Site,
)
from detector.places import district_of
from detector.textcheck import replace_refused
from detector.timestamps import utc_now

SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
RECORD_TYPES = ("inspection", "correction")


class IntakeRefused(DetectorError):
    """A record or evidence file the hub will not take: ``code`` says why (stable, for
    clients), ``status`` is the HTTP status, ``record_id`` names the record if known."""

    def __init__(self, code: str, message: str, *, status: int = 400,
                 record_id: str | None = None, **problem):
        super().__init__(message, **problem)
        self.code, self.status, self.record_id = code, status, record_id


@dataclass(frozen=True)
class Upload:
    """One record as a device sends it."""

    body_text: str
    record_hash: str
    signature: str

    @classmethod
    def from_json(cls, item, position: int) -> "Upload":
        if not isinstance(item, dict) or not all(
                isinstance(item.get(k), str) for k in ("body_text", "record_hash", "signature")):
            raise IntakeRefused("bad_request", f"records[{position}]: needs the strings "
                                "'body_text', 'record_hash' and 'signature'",
                                problem="upload_fields", position=position)
        return cls(item["body_text"], item["record_hash"], item["signature"])


@dataclass
class BatchResult:
    """What became of a batch: each accepted record's outcome (``stored``/``duplicate``), the
    device's chain head afterwards, evidence the records name that the hub has no file of,
    and the refusal that stopped the batch, if any."""

    outcomes: list[dict] = field(default_factory=list)
    head_seq: int = 0
    head_hash: str = ""
    head_id: str | None = None
    missing_evidence: list[str] = field(default_factory=list)
    refused: IntakeRefused | None = None


@dataclass(frozen=True)
class _Checked:
    upload: Upload
    body: dict
    columns: dict


def accept_records(store, evidence_store, device: HubDevice,
                   uploads: list[Upload]) -> BatchResult:
    """Take ``uploads`` (in chain order) from the enrolled ``device``."""
    result = BatchResult()
    checked = _check_all(uploads, device.public_key, device.id, result)  # CPU work, no lock
    now = utc_now()
    with store.write() as session:
        chain = session.get(Device, device.id, with_for_update=True)
        stored = {row.id: row for row in session.execute(
            select(Record.id, Record.signature, Record.device_id, Record.seq, RecordBody.body)
            .outerjoin(RecordBody, RECORD_BODY)
            .where(Record.device_id == device.id,
                   Record.id.in_([c.columns["id"] for c in checked])))}
        new = []
        for item in checked:
            try:
                outcome = _place(item, stored.get(item.columns["id"]), chain)
            except IntakeRefused as refused:
                result.refused = refused
                break
            if outcome == "stored":
                new.append(item)
                stored[item.columns["id"]] = _Stored(item.upload.signature, device.id,
                                                     item.columns["seq"], item.upload.body_text)
                chain.head_seq, chain.head_hash, chain.head_id = (
                    item.columns["seq"], item.upload.record_hash, item.columns["id"])
            result.outcomes.append({"id": item.columns["id"], "seq": item.columns["seq"],
                                    "outcome": outcome})
        _insert(session, new, now)
        if result.outcomes:
            session.get(HubDevice, device.id).last_upload_at = now
        result.head_seq, result.head_hash, result.head_id = (chain.head_seq, chain.head_hash,
                                                             chain.head_id)
    named = {ref["sha256"] for item in checked for ref in _evidence_refs(item.body)}
    result.missing_evidence = sorted(h for h in named
                                     if not evidence_store.path_for(h).exists())
    return result


@dataclass(frozen=True)
class _Stored:
    """What the hub holds under a record id (as read, or as just taken in this batch)."""

    signature: str
    device_id: str
    seq: int
    body: str


def _check_all(uploads, public_key: str, device_id: str, result: BatchResult) -> list[_Checked]:
    """The uploads that pass the checks needing no database, up to the first that fails."""
    checked = []
    for upload in uploads:
        try:
            checked.append(_check(upload, public_key, device_id))
        except IntakeRefused as refused:
            result.refused = refused
            break
    return checked


def _check(upload: Upload, public_key: str, device_id: str) -> _Checked:
    try:
        data = upload.body_text.encode("utf-8")
        body = json.loads(data)
        record_id = body.get("id") if isinstance(body, dict) else None
    except (ValueError, RecursionError) as exc:  # not UTF-8 (lone surrogates), not JSON, deep
        raise IntakeRefused("bad_record", f"a record is not JSON text ({str(exc)[:200]})",
                            status=422, problem="record_not_json",
                            detail=str(exc)[:200]) from None
    if not isinstance(record_id, str):
        record_id = None
    if sha256_hex(data) != upload.record_hash:
        raise IntakeRefused("hash_mismatch", f"record {record_id}: its text does not hash to "
                            "its record_hash (altered in transit or on the device?)",
                            record_id=record_id, problem="record_hash_mismatch",
                            record=record_id)
    if not verify_signature(public_key, data, upload.signature):
        raise IntakeRefused("bad_signature", f"record {record_id}: the signature is not "
                            f"device {device_id}'s", record_id=record_id,
                            problem="record_signature", record=record_id, device=device_id)
    try:
        canonical = canonical_json(body)
    except ValueError:  # NaN or infinity
        canonical = None
    if canonical != data:
        raise IntakeRefused("bad_record", f"record {record_id}: not in canonical form",
                            status=422, record_id=record_id, problem="record_not_canonical",
                            record=record_id)
    problem = schema_problem(body)
    if problem is not None:
        raise IntakeRefused("bad_record", f"record {record_id}: {problem}", status=422,
                            record_id=record_id, problem="record_schema", record=record_id,
                            field=problem)
    columns = index_columns(body)
    if columns["device_id"] != device_id or id_names_another_device(columns["id"], device_id):
        raise IntakeRefused("wrong_device", f"record {record_id} belongs to device "
                            f"{columns['device_id']} (or its id is bound to another device), "
                            f"not {device_id}", status=403, record_id=record_id,
                            problem="record_of_another_device", record=record_id,
                            owner=columns["device_id"], device=device_id)
    _check_columns(columns)
    return _Checked(upload, body, columns)


def _check_columns(columns: dict) -> None:
    record_id = columns["id"]
    if columns["type"] not in RECORD_TYPES:
        raise IntakeRefused("bad_record", f"record {record_id}: unknown type "
                            f"{columns['type']!r}", record_id=record_id,
                            problem="record_type", record=record_id, type=columns["type"])
    if not isinstance(columns["seq"], int) or isinstance(columns["seq"], bool) \
            or columns["seq"] < 1:
        raise IntakeRefused("bad_record", f"record {record_id}: seq must be a positive integer",
                            record_id=record_id, problem="record_seq", record=record_id)
    for name, value in columns.items():
        length = getattr(Record.__table__.c[name].type, "length", None)
        if value is not None and length and (not isinstance(value, str) or len(value) > length):
            raise IntakeRefused("bad_record", f"record {record_id}: field {name} is not text of "
                                f"at most {length} characters", status=422,
                                record_id=record_id, problem="record_field_length",
                                record=record_id, field=name, length=length)


def _place(item: _Checked, stored, chain: Device) -> str:
    """``duplicate`` or ``stored`` for a record, or the refusal."""
    record_id, seq = item.columns["id"], item.columns["seq"]
    if stored is not None:
        if stored.body == item.upload.body_text and stored.signature == item.upload.signature:
            return "duplicate"
        raise IntakeRefused("uuid_conflict", f"record {record_id}: the hub already holds a "
                            f"different record with this id (#{stored.seq} of "
                            f"{stored.device_id})", status=409, record_id=record_id,
                            problem="record_id_taken", record=record_id, seq=stored.seq,
                            device=stored.device_id)
    if seq <= chain.head_seq:
        raise IntakeRefused("chain_conflict", f"record {record_id} (#{seq}): the hub already "
                            f"holds another record #{seq} of this device", status=409,
                            record_id=record_id, problem="record_place_taken", record=record_id,
                            seq=seq)
    if seq > chain.head_seq + 1:
        raise IntakeRefused("out_of_order", f"record {record_id} (#{seq}): the hub's newest "
                            f"record of this device is #{chain.head_seq}; send "
                            f"#{chain.head_seq + 1} first", status=409, record_id=record_id,
                            problem="record_out_of_order", record=record_id, seq=seq,
                            head=chain.head_seq, next=chain.head_seq + 1)
    if item.body.get("prev_hash") != chain.head_hash or item.body.get("prev_id") != chain.head_id:
        raise IntakeRefused("chain_conflict", f"record {record_id} (#{seq}): does not follow "
                            f"the hub's record #{chain.head_seq} of this device", status=409,
                            record_id=record_id, problem="record_does_not_follow",
                            record=record_id, seq=seq, head=chain.head_seq)
    return "stored"


def _insert(session, items: list[_Checked], now: str) -> None:
    if not items:
        return
    session.execute(insert(Record), [{**storable_columns(i.columns),
                                      "record_hash": i.upload.record_hash,
                                      "signature": i.upload.signature} for i in items])
    session.execute(insert(RecordBody), [{"device_id": i.columns["device_id"],
                                          "id": i.columns["id"], "body": i.upload.body_text}
                                         for i in items])
    refs = {ref["sha256"]: ref for i in items for ref in _evidence_refs(i.body)}
    _insert_missing(session, Evidence, Evidence.sha256, refs, lambda ref: {
        "sha256": ref["sha256"], "kind": replace_refused(str(ref.get("kind", ""))[:32]),
        "media_type": replace_refused(str(ref.get("media_type")
                                          or "application/octet-stream")[:64]),
        "size_bytes": ref.get("size_bytes") if isinstance(ref.get("size_bytes"), int) else 0,
        "created_at": now})
    sites = {i.body["site"]["id"]: i.body["site"] for i in items if _site_of(i.body)}
    _insert_missing(session, Site, Site.id, sites, lambda site: {
        "id": replace_refused(site["id"]),
        "name": replace_refused(str(site.get("name") or site["id"])[:200]),
        "address": (replace_refused(str(site["address"])[:400]) if site.get("address")
                    else None),
        "lat": _number(site.get("lat")), "lon": _number(site.get("lon")),
        "district": district_of(site.get("address") if isinstance(site.get("address"), str)
                                else None),
        "updated_at": now})
    count_inspections(session, [i.body for i in items if _site_of(i.body)])


def _insert_missing(session, model, key_column, by_key: dict, row_of) -> None:
    """Insert the rows whose key the table lacks. Another device's batch may add the same key
    at the same moment (two devices inspecting one site), so conflicts are ignored, and keys
    go in sorted order so two such transactions cannot deadlock."""
    if not by_key:
        return
    present = set(session.scalars(select(key_column).where(key_column.in_(list(by_key)))))
    rows = [row_of(by_key[key]) for key in sorted(by_key) if key not in present]
    if rows:
        session.execute(_insert_ignoring_conflicts(session, model), rows)


def _insert_ignoring_conflicts(session, model):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert  # noqa: PLC0415
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # noqa: PLC0415
    return dialect_insert(model).on_conflict_do_nothing()


def _evidence_refs(body: dict) -> list[dict]:
    refs = body.get("evidence") or []
    return [r for r in refs if isinstance(r, dict)
            and SHA256_PATTERN.fullmatch(str(r.get("sha256", "")))]


def _site_of(body: dict) -> bool:
    site = body.get("site")
    return isinstance(site, dict) and isinstance(site.get("id"), str) and 0 < len(site["id"]) <= 64


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def missing_evidence(evidence_store, hashes) -> list[str]:
    """Which of ``hashes`` the hub has no file of (malformed names are refused)."""
    for value in hashes:
        if not isinstance(value, str) or not SHA256_PATTERN.fullmatch(value):
            raise IntakeRefused("bad_request", f"{str(value)[:80]!r} is not a SHA-256 "
                                "(64 lowercase hex digits)", problem="not_a_sha256_name",
                                value=str(value)[:80])
    return sorted({h for h in hashes if not evidence_store.path_for(h).exists()})


def store_evidence(evidence_store, sha256: str, data: bytes) -> str:
    """Store one evidence file sent under its SHA-256: ``stored`` or ``present``."""
    if not SHA256_PATTERN.fullmatch(sha256):
        raise IntakeRefused("bad_request", f"{sha256[:80]!r} is not a SHA-256",
                            problem="not_a_sha256", value=sha256[:80])
    if hashlib.sha256(data).hexdigest() != sha256:
        raise IntakeRefused("hash_mismatch", f"evidence {sha256}: the bytes sent do not hash "
                            "to this name", problem="evidence_hash_mismatch", sha256=sha256)
    path = evidence_store.path_for(sha256)
    if path.exists():
        if evidence_store.problem_with(sha256) is None:
            return "present"
        path.unlink()  # damaged on the hub: the device's intact copy replaces it
    evidence_store.put_bytes(data, kind="", media_type="")
    return "stored"


def chain_head(store, device_id: str) -> dict:
    """The newest record of ``device_id`` the hub holds: where a resumed upload continues."""
    with store.read() as session:
        chain = session.get(Device, device_id)
    if chain is None:
        return {"device_id": device_id, "head_seq": 0, "head_hash": None, "head_id": None}
    return {"device_id": device_id, "head_seq": chain.head_seq, "head_hash": chain.head_hash,
            "head_id": chain.head_id}
