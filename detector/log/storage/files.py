"""Durable file writes shared by the key file and the evidence store."""

import os
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a rename or new file in ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
