"""The chain-head witness: a small file beside the database that remembers the newest signed
records, so records that vanish from the database are noticed and named.

SQLite keeps a committed transaction in its write-ahead log (``ansim.db-wal``) until a
checkpoint copies it into ``ansim.db``. Deleting or truncating the WAL, copying an older
``ansim.db`` in place, an empty ``ansim.db``, or deleting the newest records and moving the
``devices`` head back all leave a database that is consistent with itself: every remaining
hash, link and signature checks out. The witness is the second place the head is written:

- After every commit that seals records, the writer checkpoints the WAL into the database
  (so a signed record never lives only in the WAL) and then writes ``chain-head.json``
  durably (temporary file, fsync, rename, fsync of the directory), mode 0600.
- It holds the device's head (seq, id, hash, signed_at) and the last ``RECENT`` records, so
  ``ansim log verify`` can say which records are gone and when they were signed.
- It never moves backwards silently: if the database's chain no longer extends the witnessed
  head (an older database was put in place and the device went on signing), the witnessed
  records that are gone are kept in ``lost`` and reported by every later verify.

The hub's acknowledgement (``hub-sync.json``, written by ``detector.hub.sync``) is the witness
that does not live on the SD card; verify compares the log against both (``compare_head``).

Someone holding the SD card can rewrite the witness too; that is what the hub's copy is for.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from detector.errors import DetectorError
from detector.log.storage.files import fsync_dir
from detector.timestamps import utc_now

WITNESS_FILENAME = "chain-head.json"
FORMAT = "ansim.chain-head/1"
RECENT = 256  # records remembered: enough to date what a lost WAL or an old copy took


@dataclass(frozen=True)
class Mark:
    """One witnessed record: its place in the chain, id, hash and when it was signed."""

    seq: int
    record_id: str
    record_hash: str
    signed_at: str

    def to_list(self) -> list:
        return [self.seq, self.record_id, self.record_hash, self.signed_at]


class WitnessError(DetectorError):
    """The witness file cannot be read (damaged) or written."""


def witness_path(data_dir) -> Path:
    return Path(data_dir) / WITNESS_FILENAME


def read_witness(data_dir) -> dict | None:
    """The witness (``device_id``, ``recent`` marks, ``lost`` ranges), None if there is none."""
    path = witness_path(data_dir)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        raise WitnessError(f"{path}: the chain-head witness cannot be read ({exc})",
                           problem="witness_unreadable", path=path, detail=str(exc)) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise WitnessError(f"{path}: not a chain-head witness", problem="not_a_witness",
                           path=path)
    try:
        state["recent"] = [Mark(int(s), str(i), str(h), str(t))
                           for s, i, h, t in state.get("recent") or []]
    except (TypeError, ValueError) as exc:
        raise WitnessError(f"{path}: damaged ({exc})", problem="witness_damaged", path=path,
                           detail=str(exc)) from None
    state.setdefault("lost", [])
    return state


def advance(data_dir, device_id: str, sealed: list[Mark], prev_hash_of_first: str) -> None:
    """Witness newly sealed records (in chain order) after their commit."""
    if not sealed:
        return
    try:
        state = read_witness(data_dir)
    except WitnessError:
        state = None  # a damaged witness is replaced; verify has reported it until now
    recent, lost = [], []
    if state is not None and state.get("device_id") == device_id:
        recent, lost = list(state["recent"]), list(state["lost"])
        head = recent[-1] if recent else None
        if head is not None and not _extends(head, sealed[0], prev_hash_of_first):
            gone = [m for m in recent if m.seq >= sealed[0].seq] or [head]
            lost.append(_lost_range(gone, from_seq=sealed[0].seq))
            recent = [m for m in recent if m.seq < sealed[0].seq]
    recent = (recent + list(sealed))[-RECENT:]
    _write(witness_path(data_dir), {"format": FORMAT, "device_id": device_id,
                                    "recent": [m.to_list() for m in recent], "lost": lost})


def _extends(head: Mark, first: Mark, prev_hash_of_first: str) -> bool:
    if first.seq == head.seq + 1:
        return prev_hash_of_first == head.record_hash
    return first.seq > head.seq + 1  # the witness missed a commit (a crash just after it)


def _lost_range(gone: list[Mark], from_seq: int) -> dict:
    """The witnessed records from ``from_seq`` to the head, which the log no longer extends
    (those older than the ``RECENT`` remembered have no signing time here)."""
    return {"from_seq": min(from_seq, gone[0].seq), "to_seq": gone[-1].seq,
            "first_signed_at": gone[0].signed_at, "last_signed_at": gone[-1].signed_at,
            "ids": [m.record_id for m in gone], "noticed_at": utc_now()}


def _write(path: Path, state: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)
