"""Durable, private file writes shared by the key file, the database and the evidence store.

The data directory holds pictures from inside restrooms, password hashes and the device key,
so off the Pi too (where the system's service user and its 0700 directory do not apply) what
ansim creates is its owner's alone: directories 0700, files 0600.
"""

import os
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a rename or new file in ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(directory: Path) -> Path:
    """Make ``directory`` (and missing parents) 0700; tighten it if it is ours and open to
    others (never loosen, never touch a directory of another user)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    _tighten(directory, PRIVATE_DIR_MODE)
    return directory


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist; tighten it if it is ours."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        _tighten(path, PRIVATE_FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    info = path.stat()
    if info.st_uid == os.geteuid() and info.st_mode & 0o077:
        os.chmod(path, info.st_mode & mode & 0o7777)
