"""``ansim log verify``: re-check every hash, link, signature and evidence file of the log.

Each device's chain is walked in order. For every record: its stored text must hash to its
``record_hash``, the device's key must have signed it, its ``prev_hash``/``prev_id`` must be the
previous record's, its ``seq`` must follow without a gap, and every indexed column must equal the
signed body (so editing ``verdict`` by raw SQL is caught even though the body is intact). The
chain's head in ``devices`` must be the last record (so deleting the newest record is caught),
each device id must belong to its public key, corrections must point to records that exist, and
every evidence file a record names must be present with the right SHA-256.

Problems come back in chain order, so ``report.problems[0]`` is the first broken record. Then
the log is compared with what remembers it from outside (``detector.log.verify_anchors``): the
chain-head witness, each hub's acknowledged head and the working ``inspections`` table.

Warnings are not breaks: a record signed earlier than the one before it (the clock was set
back between them) is reported, since its time stamps cannot then be trusted to order events.
"""

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from detector.i18n import t
from detector.log import verify_anchors
from detector.log.record_schema import schema_problem
from detector.log.records import GENESIS_HASH, index_columns, storable_columns
from detector.log.signing import DeviceKey, device_id_for, sha256_hex, verify_signature
from detector.log.storage.models import RECORD_BODY, Device, Record, RecordBody

_MAX_PROBLEMS = 100
_BATCH_ROWS = 2000


@dataclass(frozen=True)
class Problem:
    """One broken thing, named: the record (id and place in its chain) and what is wrong."""

    record_id: str | None
    device_id: str
    seq: int | None
    problem: str
    key: str | None = None  # a translation key (log.json) and its parameters, for new kinds
    params: tuple = ()

    def __str__(self) -> str:
        if self.key is not None:
            return t(self.key, **dict(self.params))
        where = f"record {self.record_id}" if self.record_id else "a record"
        place = f" (#{self.seq} of {self.device_id})" if self.seq is not None else ""
        return f"{where}{place}: {self.problem}"


@dataclass
class VerifyReport:
    records_checked: int = 0
    evidence_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(problem)


def verify_log(store, *, evidence=None, local_key: DeviceKey | None = None,
               device_id: str | None = None, witness: dict | None = None,
               hub_acks: dict | None = None) -> VerifyReport:
    """Check the whole log; ``evidence`` (an ``EvidenceStore``) also checks evidence files;
    ``device_id`` checks only that device's chain (the hub checks one device's copy);
    ``witness`` (``detector.log.witness.read_witness``) and ``hub_acks``
    (``detector.hub.sync.load_state``) are what the device's head was seen to be."""
    report = VerifyReport()

    def add(record_id, device, seq, key, **params):
        report.add(Problem(record_id, device, seq, t(key, "en", **params), key,
                           tuple(params.items())))

    seen_ids: set[str] = set()
    supersedes: list[tuple[str, str, int, str]] = []
    with store.read() as session:
        query = select(Device).order_by(Device.id)
        if device_id is not None:
            query = query.where(Device.id == device_id)
        devices = session.scalars(query).all()
        if device_id is not None and not devices:
            report.add(Problem(None, device_id, None, "no such device in the log"))
        for device in devices:
            _check_device_row(device, local_key, report)
            _walk_chain(session, device, evidence, report, seen_ids, supersedes)
        if device_id is None:
            _check_orphans(session, {d.id for d in devices}, report)
        else:  # a correction may name another device's record (e.g. one corrected on the hub)
            seen_ids |= set(session.scalars(select(Record.id).where(
                Record.id.in_([target for *_, target in supersedes]))))
        if witness is not None:
            verify_anchors.check_witness(session, witness, add)
        verify_anchors.check_hub_acks(session, hub_acks or {}, add)
        if device_id is None:
            verify_anchors.check_working_rows(session, add)
    for record_id, record_device, seq, target in supersedes:
        if target not in seen_ids:
            report.add(Problem(record_id, record_device, seq,
                               f"corrects record {target}, which is not in the log"))
    return report


def _check_device_row(device: Device, local_key, report) -> None:
    if device_id_for(device.public_key) != device.id:
        report.add(Problem(None, device.id, None,
                           "the device's public key was changed (it does not match its id)"))
    if local_key is not None and device.id == local_key.device_id \
            and device.public_key != local_key.public_key_hex:
        report.add(Problem(None, device.id, None,
                           "the log's public key for this device is not this device's key"))


def _walk_chain(session, device, evidence, report, seen_ids, supersedes) -> None:
    query = (select(Record.__table__, RecordBody.body)
             .outerjoin(RecordBody, RECORD_BODY)
             .where(Record.device_id == device.id)
             .order_by(Record.seq).execution_options(yield_per=_BATCH_ROWS))
    expected_seq, prev_hash, prev_id, prev_signed_at = 1, GENESIS_HASH, None, None
    for row in session.execute(query).mappings():
        if prev_signed_at is not None and row["signed_at"] < prev_signed_at:
            report.warnings.append(Problem(
                row["id"], device.id, row["seq"], "", "verify.clock_back",
                (("seq", row["seq"]), ("signed_at", row["signed_at"]),
                 ("previous", prev_signed_at))))
        prev_signed_at = row["signed_at"]
        report.records_checked += 1
        seen_ids.add(row["id"])
        body = _check_record(row, device, evidence, report)
        if row["seq"] > expected_seq:
            missing_id = body.get("prev_id") if body else None
            report.add(Problem(missing_id, device.id, expected_seq,
                               f"missing (deleted?): record {row['id']} (#{row['seq']}) "
                               f"follows record #{expected_seq - 1}"))
        elif body is not None and (body.get("prev_hash") != prev_hash
                                   or body.get("prev_id") != prev_id):
            report.add(Problem(row["id"], device.id, row["seq"],
                               "broken link: it does not follow the record before it"))
        if body is not None and body.get("supersedes"):
            supersedes.append((row["id"], device.id, row["seq"], body["supersedes"]))
        expected_seq, prev_hash, prev_id = row["seq"] + 1, row["record_hash"], row["id"]
    if device.head_seq >= expected_seq:
        report.add(Problem(device.head_id, device.id, device.head_seq,
                           "missing (deleted?): it is the head of the chain but not in the log"))
    elif device.head_seq != expected_seq - 1 or device.head_hash != prev_hash:
        report.add(Problem(prev_id, device.id, expected_seq - 1,
                           "the chain's head in the devices table does not match this record"))


def _check_record(row, device, evidence, report) -> dict | None:
    """The record's body if it parses; every problem found is added to the report."""
    name = {"id": row["id"]}

    def problem(text):
        report.add(Problem(name["id"], device.id, row["seq"], text))

    if row["body"] is None:
        problem("its signed body is missing (deleted?)")
        return None
    data = row["body"].encode("utf-8", "surrogatepass")
    try:
        body = json.loads(data)
    except (ValueError, RecursionError) as exc:
        body = None
        problem(f"the signed body cannot be read ({str(exc)[:200]})")
    malformed = schema_problem(body) if body is not None else None
    if malformed is not None:
        problem(f"the signed body is malformed ({malformed})")
        body = None
    columns = index_columns(body) if body is not None else {}
    if columns.get("id") and columns["id"] != row["id"]:
        name["id"] = columns["id"]  # name it as signed, not as someone relabelled it
    if sha256_hex(data) != row["record_hash"]:
        problem("content changed: it no longer matches its hash")
    if not verify_signature(device.public_key, data, row["signature"]):
        problem("the device's signature does not verify")
    for column, value in columns.items():
        if row[column] != value and row[column] != storable_columns({column: value})[column]:
            problem(f"column {column} says {row[column]!r} but the signed record says {value!r}")
    if evidence is not None and body is not None:
        for ref in body.get("evidence") or []:
            report.evidence_checked += 1
            trouble = evidence.problem_with(ref.get("sha256", ""), ref.get("size_bytes"))
            if trouble:
                problem(trouble)
    return body


def _check_orphans(session, device_ids: set[str], report) -> None:
    query = select(Record.id, Record.device_id, Record.seq).where(
        Record.device_id.not_in(device_ids) if device_ids else True)
    for record_id, device_id, seq in session.execute(query):
        report.add(Problem(record_id, device_id, seq,
                           "its device is not in the log, so its signature cannot be checked"))
