"""Evidence files (image crops, spectra, SigMF captures), stored by their SHA-256.

A file lives at ``<data>/evidence/<first two hex digits>/<sha256>`` and records refer to it by
hash, so it can never be swapped without the record noticing, the same bytes are stored once,
and a file can be copied to the hub and checked there. A file is written to a temporary name,
fsynced and renamed into place before the step that refers to it is committed: a crash leaves
at most an unreferenced file, never a reference to a missing one.

Example::

    evidence = EvidenceStore(data_dir / "evidence")
    ref = evidence.put_bytes(png_bytes, kind="lens_crop", media_type="image/png")
    data = evidence.read(ref.sha256)
"""

import errno
import hashlib
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from detector.errors import DetectorError, NotFound
from detector.log.storage import DiskFull
from detector.log.storage.files import PRIVATE_FILE_MODE, fsync_dir, private_dir
from hardware.errors import os_reason

_CHUNK_BYTES = 1 << 20
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class EvidenceError(DetectorError):
    """An evidence file is missing, altered or cannot be written; the message names it."""


class EvidenceMissing(EvidenceError, NotFound):
    """A record refers to an evidence file that is not in the store."""


class EvidenceCorrupt(EvidenceError):
    """An evidence file's content no longer matches its SHA-256."""


@dataclass(frozen=True)
class EvidenceRef:
    """What a record keeps of an evidence file."""

    sha256: str
    kind: str
    media_type: str
    size_bytes: int

    def to_dict(self) -> dict:
        return asdict(self)


class EvidenceStore:
    """A content-addressed directory of evidence files."""

    def __init__(self, root):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put_bytes(self, data: bytes, *, kind: str, media_type: str) -> EvidenceRef:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha256)
        if not target.exists():
            self._write_atomically(target, lambda f: f.write(data))
        return EvidenceRef(sha256, kind, media_type, len(data))

    def put_file(self, source, *, kind: str, media_type: str) -> EvidenceRef:
        """Copy a file (e.g. a SigMF capture) into the store."""
        source = Path(source)
        digest = hashlib.sha256()
        try:
            with source.open("rb") as f:
                for chunk in iter(lambda: f.read(_CHUNK_BYTES), b""):
                    digest.update(chunk)
        except OSError as exc:
            raise EvidenceError(f"{source}: cannot read evidence: {exc.strerror}",
                                problem="evidence_unreadable", path=source,
                                reason=os_reason(exc)) from exc
        sha256 = digest.hexdigest()
        target = self.path_for(sha256)
        if not target.exists():
            def copy(out):
                with source.open("rb") as f:
                    shutil.copyfileobj(f, out, _CHUNK_BYTES)
            self._write_atomically(target, copy)
        return EvidenceRef(sha256, kind, media_type, source.stat().st_size)

    def read(self, sha256: str) -> bytes:
        """The file's bytes, checked against its hash."""
        path = self.path_for(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise EvidenceMissing(f"{path}: evidence file {sha256} is missing",
                                  problem="evidence_missing", path=path, sha256=sha256) from None
        except OSError as exc:
            raise EvidenceError(f"{path}: cannot read evidence: {exc.strerror}",
                                problem="evidence_unreadable", path=path,
                                reason=os_reason(exc)) from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise EvidenceCorrupt(f"{path}: content does not match its SHA-256 {sha256}",
                                  problem="evidence_corrupt", path=path, sha256=sha256)
        return data

    def problem_with(self, sha256: str, size_bytes: int | None = None) -> str | None:
        """None if the file is present and intact, else what is wrong with it."""
        path = self.path_for(sha256)
        digest = hashlib.sha256()
        try:
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(_CHUNK_BYTES), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            return f"evidence file {path} is missing"
        except OSError as exc:
            return f"evidence file {path} cannot be read: {exc.strerror}"
        if digest.hexdigest() != sha256:
            return f"evidence file {path} does not match its SHA-256"
        if size_bytes is not None and path.stat().st_size != size_bytes:
            return f"evidence file {path} has the wrong size"
        return None

    def _write_atomically(self, target: Path, write) -> None:
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            private_dir(self.root)
            private_dir(target.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
            fsync_dir(target.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno in _NO_SPACE:
                raise DiskFull(f"{self.root}: the disk is full; evidence file {target.name} "
                               "was not written", problem="evidence_disk_full", folder=self.root,
                               file=target.name) from exc
            raise EvidenceError(f"{target}: cannot write evidence: {exc.strerror}",
                                problem="evidence_not_written", path=target,
                                reason=os_reason(exc)) from exc
