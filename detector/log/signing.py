"""The device's identity: an Ed25519 key made at first run, canonical JSON, record hashes.

The private key lives in the data directory as ``device_key.pem`` (PKCS #8, readable by its owner
only: created 0600 in one step, never widened). The device id is derived from the public key
(``dev-`` and the first 16 hex digits of its SHA-256), so a record's device id and the key that
signed it cannot be swapped independently.

A record's bytes are its body in canonical JSON: keys sorted, no insignificant whitespace,
UTF-8, no NaN or infinity. Its hash is the SHA-256 of those bytes, and the signature is Ed25519
over the same bytes.

Example::

    key = DeviceKey.load_or_create(data_dir)
    data = canonical_json({"verdict": "clear"})
    assert verify_signature(key.public_key_hex, data, key.sign(data))
"""

import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from detector.errors import DetectorError
from detector.log.storage.files import fsync_dir
from hardware.errors import os_reason

KEY_FILENAME = "device_key.pem"


class SigningError(DetectorError):
    """The device key is missing, unreadable or not an Ed25519 key; the message names the file."""


class KeyFileExposed(SigningError):
    """The device key file can be read or written by other users than its owner: anyone who
    copies it can sign records as this device. ansim refuses to sign with it until it is
    ``chmod 600``; reading and verifying the log still work."""


def canonical_json(value) -> bytes:
    """The one byte form of ``value`` that is hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def device_id_for(public_key_hex: str) -> str:
    """The device id that belongs to a public key."""
    return "dev-" + sha256_hex(bytes.fromhex(public_key_hex))[:16]


def verify_signature(public_key_hex: str, data: bytes, signature_hex: str) -> bool:
    """True if ``signature_hex`` is the key's Ed25519 signature of ``data``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), data)
    except (InvalidSignature, ValueError):
        return False
    return True


class DeviceKey:
    """The device's signing key."""

    def __init__(self, private_key: Ed25519PrivateKey, path: Path | None = None):
        self._private_key = private_key
        self.path = path
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                     serialization.PublicFormat.Raw)
        self.public_key_hex = raw.hex()
        self.device_id = device_id_for(self.public_key_hex)

    def sign(self, data: bytes) -> str:
        return self._private_key.sign(data).hex()

    @classmethod
    def load_or_create(cls, data_dir, *, for_signing: bool = True) -> "DeviceKey":
        """The key in ``data_dir``, made (0600) if this is the device's first run."""
        path = Path(data_dir) / KEY_FILENAME
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _create_key_file(path)
        return cls.load(path, for_signing=for_signing)

    @classmethod
    def load(cls, path, *, for_signing: bool = True) -> "DeviceKey":
        """The key in ``path``; ``for_signing`` refuses a key file others can read or write."""
        path = Path(path)
        try:
            if for_signing and path.stat().st_mode & 0o077:
                mode = f"{path.stat().st_mode & 0o777:o}"
                raise KeyFileExposed(
                    f"{path}: mode {mode} lets other users read or replace the device key; "
                    f"run: chmod 600 {path}", problem="key_file_exposed", path=path, mode=mode)
            pem = path.read_bytes()
        except OSError as exc:
            raise SigningError(f"{path}: cannot read the device key: {exc.strerror}",
                               problem="key_unreadable", path=path,
                               reason=os_reason(exc)) from exc
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise SigningError(f"{path}: not a readable private key ({exc})",
                               problem="not_a_private_key", path=path, detail=str(exc)) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningError(f"{path}: not an Ed25519 key", problem="not_an_ed25519_key",
                               path=path)
        return cls(key, path)


def _create_key_file(path: Path) -> None:
    """Write a new key readable only by its owner; never replaces an existing one."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process made the key first: keep theirs
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    fsync_dir(path.parent)
