"""On the city hub: which devices may upload records, and checking who is uploading.

An admin enrols a device by its Ed25519 public key (which ``ansim log sync --identity`` prints
on the device). The device id is derived from the key (``detector.log.signing.device_id_for``), so an
id and a key cannot be enrolled apart. Enrolling hands out an upload token once; the hub keeps
only its SHA-256. A record's signature proves which device made it; the token only keeps
strangers from filling the hub with uploads. Revoking a device stops its uploads; its records
stay.

Enrolling also starts the device's chain in ``devices`` (at record #0), so the hub's copy is
checked by the same ``detector.log.verify.verify_log`` as the device's own log.

Example::

    enrolment = enrol_device(store, public_key_hex, label="Jongno handheld 3", by="Admin Kim")
    print(enrolment.device_id, enrolment.token)   # the token is shown this once
    device = authenticate(store, enrolment.device_id, enrolment.token)
"""

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from detector.errors import DetectorError, NotFound
from detector.log.records import GENESIS_HASH
from detector.log.signing import device_id_for
from detector.log.storage.models import Device, HubDevice, Record
from detector.timestamps import utc_now

_PUBLIC_KEY_HEX_DIGITS = 64


class HubDeviceError(DetectorError):
    """A device cannot be enrolled, revoked or authenticated; the message says why."""


class UnknownDevice(HubDeviceError, NotFound):
    """No enrolled device has this id, or the token is not its token."""


class DeviceRevoked(HubDeviceError):
    """The device was enrolled but has been revoked: it may no longer upload."""


@dataclass(frozen=True)
class Enrolment:
    """A newly enrolled device and its upload token (shown once, stored only as a hash)."""

    device_id: str
    public_key: str
    label: str
    token: str


@dataclass(frozen=True)
class EnrolledDevice:
    """An enrolled device as the hub's admins see it, with its chain's head on the hub."""

    id: str
    public_key: str
    label: str
    enrolled_at: str
    enrolled_by: str
    revoked_at: str | None
    last_upload_at: str | None
    head_seq: int
    head_hash: str
    records: int

    def to_dict(self) -> dict:
        return asdict(self)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_upload_token() -> str:
    """A fresh upload token: 32 random bytes, base64url. Drawn again while it begins with '-'
    (one in 64 would): ``ansim log sync --token TOKEN`` would read it as an option."""
    while (token := secrets.token_urlsafe(32)).startswith("-"):
        continue
    return token


def enrol_device(store, public_key_hex: str, *, label: str = "", by: str = "",
                 device_id: str | None = None) -> Enrolment:
    """Enrol a device by its public key (again: a fresh token; the old one stops working).

    ``device_id``, if given, must be the key's own id: it catches a key pasted from the
    wrong device. A key the hub knows under another id is impossible by construction.
    """
    public_key_hex = public_key_hex.strip().lower()
    if len(public_key_hex) != _PUBLIC_KEY_HEX_DIGITS or \
            any(c not in "0123456789abcdef" for c in public_key_hex):
        raise HubDeviceError(f"public key {public_key_hex[:80]!r}: not an Ed25519 public key "
                             f"({_PUBLIC_KEY_HEX_DIGITS} hex digits)", problem="not_a_public_key",
                             key=public_key_hex[:80], digits=_PUBLIC_KEY_HEX_DIGITS)
    derived = device_id_for(public_key_hex)
    if device_id and device_id != derived:
        raise HubDeviceError(f"device {device_id}: this public key belongs to device {derived}",
                             problem="key_of_another_device", device=device_id, owner=derived)
    token = new_upload_token()
    now = utc_now()
    with store.write() as session:
        chain = session.get(Device, derived, with_for_update=True)
        if chain is None:
            session.add(Device(id=derived, public_key=public_key_hex, head_seq=0,
                               head_hash=GENESIS_HASH, head_id=None, registered_at=now))
        elif chain.public_key != public_key_hex:
            raise HubDeviceError(f"device {derived}: the hub's log holds another public key for "
                                 "it (altered?); run 'ansim hub verify'",
                                 problem="hub_key_differs", device=derived)
        row = session.get(HubDevice, derived)
        if row is None:
            session.add(HubDevice(id=derived, public_key=public_key_hex,
                                  label=label.strip()[:200], token_sha256=token_sha256(token),
                                  enrolled_at=now, enrolled_by=by[:200], revoked_at=None,
                                  last_upload_at=None))
        else:
            row.token_sha256, row.revoked_at, row.enrolled_at, row.enrolled_by = (
                token_sha256(token), None, now, by[:200])
            if label.strip():
                row.label = label.strip()[:200]
    return Enrolment(derived, public_key_hex, label.strip()[:200], token)


def revoke_device(store, device_id: str) -> None:
    """Stop a device's uploads (its records stay on the hub)."""
    with store.write() as session:
        row = session.get(HubDevice, device_id)
        if row is None:
            raise UnknownDevice(f"device {device_id}: not enrolled on this hub",
                                problem="device_not_enrolled", device=device_id)
        row.revoked_at = row.revoked_at or utc_now()


def authenticate(store, device_id: str, token: str) -> HubDevice:
    """The enrolled device if ``token`` is its token; ``UnknownDevice``/``DeviceRevoked``."""
    with store.read() as session:
        row = session.get(HubDevice, device_id) if device_id else None
    # Compare even when unknown, so timing does not tell which device ids are enrolled.
    expected = row.token_sha256 if row is not None else "0" * 64
    if not hmac.compare_digest(token_sha256(token or ""), expected) or row is None:
        raise UnknownDevice(f"device {device_id or '(none)'}: not enrolled on this hub, or the "
                            "upload token is wrong", problem="device_not_authenticated",
                            device=device_id or "(none)")
    if row.revoked_at:
        raise DeviceRevoked(f"device {device_id}: revoked on {row.revoked_at}",
                            problem="device_revoked", device=device_id, at=row.revoked_at)
    return row


def list_devices(store) -> list[EnrolledDevice]:
    """Every enrolled device with its chain's head and how many records the hub holds."""
    counts = (select(Record.device_id, func.count(Record.id).label("n"))
              .group_by(Record.device_id).subquery())
    query = (select(HubDevice, Device.head_seq, Device.head_hash, counts.c.n)
             .join(Device, Device.id == HubDevice.id)
             .outerjoin(counts, counts.c.device_id == HubDevice.id)
             .order_by(HubDevice.id))
    with store.read() as session:
        return [EnrolledDevice(row.id, row.public_key, row.label, row.enrolled_at,
                               row.enrolled_by, row.revoked_at, row.last_upload_at, head_seq,
                               head_hash, n or 0)
                for row, head_seq, head_hash, n in session.execute(query)]
