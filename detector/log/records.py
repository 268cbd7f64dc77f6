"""Signed records: sealing a body into the device's hash chain, and reading records back.

A record's body is a JSON object (its ``type`` is ``inspection`` or ``correction``) to which
sealing adds ``schema``, ``device_id``, ``seq`` (1, 2, 3, ... per device), ``prev_hash`` (the
previous record's hash; 64 zeros for the first), ``prev_id`` (the previous record's id, so a
deleted record is named by the one after it) and ``signed_at``. The stored text (in
``record_bodies``) is the body in canonical JSON; ``record_hash`` is its SHA-256 and
``signature`` the device's Ed25519 signature of it. The ``devices`` row keeps the chain's head,
so deleting the last record is noticed too.

Records are never updated or deleted. A correction is a new record whose ``supersedes`` names the
record it corrects (and whose ``supersedes_hash`` pins that record's exact content).
"""

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select

from detector.errors import Conflict, DetectorError, NotFound
from detector.log.severity import SEVERITIES
from detector.log.signing import DeviceKey, canonical_json, sha256_hex
from detector.log.storage.models import RECORD_BODY, Device, Record, RecordBody
from detector.textcheck import replace_refused

SCHEMA = "ansim.record/1"
GENESIS_HASH = "0" * 64


class RecordError(DetectorError):
    """A record cannot be sealed or is not in the log."""


class AmbiguousRecord(RecordError, Conflict):
    """An id that records of several devices carry (ids made before they named their device)."""


class RecordNotFound(RecordError, NotFound):
    """No record has this id."""


@dataclass(frozen=True)
class SignedRecord:
    """A record as stored: its body (parsed), the exact signed text, its hash and signature."""

    id: str
    device_id: str
    seq: int
    body: dict
    body_text: str
    record_hash: str
    signature: str

    @property
    def type(self) -> str:
        return self.body["type"]

    def to_dict(self) -> dict:
        """The form exported and sent to the hub: enough to check it anywhere."""
        return {"body": self.body, "record_hash": self.record_hash, "signature": self.signature}

    @classmethod
    def from_row(cls, row: Record, body_text: str) -> "SignedRecord":
        return cls(row.id, row.device_id, row.seq, json.loads(body_text), body_text,
                   row.record_hash, row.signature)


def new_record_id(device_id: str) -> str:
    """A new record id bound to the device that will sign it.

    A UUID (version 8, RFC 9562) whose first 15 hex digits are the device id's (``dev-`` and
    16 hex digits) and the rest random (62 bits), so the hub can refuse a record whose id names
    another device: one enrolled device can no longer take, first, the id of another's
    inspection (visible on the dashboard before it is synced) and block that device's sync.
    """
    device_hex = _device_digits(device_id)
    random_hex = uuid.uuid4().hex
    variant = format(0x8 | (int(random_hex[0], 16) & 0x3), "x")  # the RFC 9562 variant, 10xx
    return str(uuid.UUID(hex=f"{device_hex[:12]}8{device_hex[12:]}{variant}{random_hex[1:16]}"))


def _device_digits(device_id: str) -> str:
    """The 15 hex digits of a device id a bound record id carries (zeros for other ids)."""
    digits = device_id.removeprefix("dev-")[:15].lower()
    return digits if len(digits) == 15 and all(c in "0123456789abcdef" for c in digits) \
        else "0" * 15


def id_names_another_device(record_id: str, device_id: str) -> bool:
    """True if ``record_id`` is a device-bound id (``new_record_id``) of another device.
    Ids made before ids were bound (random version 4 UUIDs) name no device."""
    try:
        parsed = uuid.UUID(record_id)
    except (ValueError, AttributeError, TypeError):
        return False
    if parsed.version != 8:
        return False
    return parsed.hex[:12] + parsed.hex[13:16] != _device_digits(device_id)


def index_columns(body: dict) -> dict:
    """The ``records`` columns copied from a body (for listing and filtering by index)."""
    alerts = body.get("alerts") or []
    severities = [a.get("severity") for a in alerts if a.get("severity") in SEVERITIES]
    return {
        "id": body["id"],
        "device_id": body["device_id"],
        "seq": body["seq"],
        "type": body["type"],
        "supersedes": body.get("supersedes"),
        "site_id": (body.get("site") or {}).get("id"),
        "inspector": body.get("inspector"),
        "status": body.get("status"),
        "verdict": body.get("verdict"),
        "presence": (body.get("presence") or {}).get("level"),
        "max_severity": max(severities, key=SEVERITIES.index) if severities else None,
        "alert_count": len(alerts),
        "started_at": body.get("started_at"),
        "signed_at": body["signed_at"],
        "prev_hash": body["prev_hash"],
    }


def storable_columns(columns: dict) -> dict:
    """``index_columns`` as a database that refuses control characters can hold them (the
    hub's PostgreSQL): refused characters become U+FFFD; the signed body is kept unchanged."""
    return {k: replace_refused(v) if isinstance(v, str) else v for k, v in columns.items()}


def seal(key: DeviceKey, content: dict, *, seq: int, prev_hash: str, prev_id: str | None,
         signed_at: str) -> tuple[dict, dict]:
    """The sealed body and its ``records`` row, as record ``seq`` of the key's chain."""
    body = {**content, "schema": SCHEMA, "device_id": key.device_id, "seq": seq,
            "prev_hash": prev_hash, "prev_id": prev_id, "signed_at": signed_at}
    data = canonical_json(body)
    row = {**index_columns(body), "record_hash": sha256_hex(data), "signature": key.sign(data)}
    return body, {**row, "body": data.decode("utf-8")}


def device_row(session, key: DeviceKey, registered_at: str) -> Device:
    """The key's ``devices`` row, locked for the rest of the transaction, made if new."""
    device = session.get(Device, key.device_id, with_for_update=True)
    if device is None:
        device = Device(id=key.device_id, public_key=key.public_key_hex, head_seq=0,
                        head_hash=GENESIS_HASH, head_id=None, registered_at=registered_at)
        session.add(device)
        session.flush()
    elif device.public_key != key.public_key_hex:
        raise RecordError(f"device {key.device_id}: the log holds a different public key for "
                          "this device; refusing to extend its chain",
                          problem="device_key_differs", device=key.device_id)
    return device


def append(session, key: DeviceKey, content: dict, signed_at: str) -> SignedRecord:
    """Seal ``content`` as the next record of the key's chain (inside the caller's write)."""
    return append_many(session, key, [content], signed_at)[0]


def append_many(session, key: DeviceKey, contents, signed_at: str) -> list[SignedRecord]:
    """Seal several bodies in order with one bulk insert (the benchmark builds logs this way).

    A content may carry its own ``signed_at`` (the benchmark's back-dated records).
    """
    device = device_row(session, key, signed_at)
    rows, sealed = [], []
    seq, prev_hash, prev_id = device.head_seq, device.head_hash, device.head_id
    for content in contents:
        seq += 1
        content = dict(content)
        when = content.pop("signed_at", None) or signed_at
        body, row = seal(key, content, seq=seq, prev_hash=prev_hash, prev_id=prev_id,
                         signed_at=when)
        rows.append(row)
        sealed.append(SignedRecord(row["id"], row["device_id"], seq, body, row["body"],
                                   row["record_hash"], row["signature"]))
        prev_hash, prev_id = row["record_hash"], row["id"]
    if rows:
        session.execute(insert(Record), [{k: v for k, v in r.items() if k != "body"}
                                         for r in rows])
        session.execute(insert(RecordBody), [{"device_id": r["device_id"], "id": r["id"],
                                              "body": r["body"]} for r in rows])
        device.head_seq, device.head_hash, device.head_id = seq, prev_hash, prev_id
        session.info.setdefault("sealed", []).extend(sealed)
    return sealed


def get(session, record_id: str, device_id: str | None = None) -> SignedRecord:
    """The record ``record_id`` (of ``device_id``: on the hub, two devices' records made
    before ids named their device may share an id; ``AmbiguousRecord`` then, without it)."""
    query = select(Record, RecordBody.body).join(RecordBody, RECORD_BODY) \
        .where(Record.id == record_id)
    if device_id is not None:
        query = query.where(Record.device_id == device_id)
    found = session.execute(query.order_by(Record.device_id).limit(2)).all()
    if not found:
        raise RecordNotFound(f"no record {record_id} in the log", problem="record_not_found",
                             record=record_id)
    if len(found) > 1:
        raise AmbiguousRecord(f"record {record_id}: devices {found[0][0].device_id} and "
                              f"{found[1][0].device_id} both hold a record of this id; name "
                              "the device", problem="ambiguous_record", record=record_id,
                              first=found[0][0].device_id, second=found[1][0].device_id)
    return SignedRecord.from_row(*found[0])


def corrections_of(session, record_id: str) -> list[SignedRecord]:
    """Records that supersede ``record_id``, oldest first."""
    rows = session.execute(select(Record, RecordBody.body)
                           .join(RecordBody, RECORD_BODY)
                           .where(Record.supersedes == record_id)
                           .order_by(Record.signed_at, Record.seq))
    return [SignedRecord.from_row(*r) for r in rows]
