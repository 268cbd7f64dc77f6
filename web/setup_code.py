"""The one-time setup code: the proof that whoever creates the first admin holds the device.

Until an admin exists, ``/setup`` asks for this code besides the new account. It is drawn when
the dashboard starts (``create_app``), shown only where the device's holder looks (the
``ansim serve`` / ``ansim hub`` console, which on the Pi is the service's journal), and kept
on disk only as its SHA-256 in ``DATA/setup-code.sha256`` (mode 0600), so a stranger on the
hotspot who reaches ``/setup`` first still cannot claim the device (as OctoPrint's and
Jupyter's first-run tokens). On the handheld the code is also shown on its screen (tty1),
through a file in RAM that ``detector.appliance.screen`` describes, until setup is claimed.
Each start draws a new code; the files are removed once the admin exists. 12 characters from a 32-letter alphabet without look-alikes: 60 bits, beyond reach
of guessing at the login rate limit.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from detector.appliance.screen import publish_setup_code, withdraw_setup_code
from web.accounts import JOIN_CODE_ALPHABET

SETUP_CODE_FILE = "setup-code.sha256"
SETUP_CODE_GROUPS, SETUP_CODE_GROUP_LEN = 3, 4


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()


def normalise(code: str) -> str:
    """What the holder typed, as the code is stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def issue(data_dir: Path, screen_dir: Path | None = None) -> str:
    """A new code (``ABCD-EFGH-JKLM``); its hash replaces any earlier one, atomically, and the
    code itself goes to the device's screen through ``screen_dir`` when there is one."""
    raw = "".join(secrets.choice(JOIN_CODE_ALPHABET)
                  for _ in range(SETUP_CODE_GROUPS * SETUP_CODE_GROUP_LEN))
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SETUP_CODE_FILE
    staged = path.with_name(path.name + ".new")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(_digest(raw) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(staged, 0o600)
    os.replace(staged, path)
    code = "-".join(raw[i:i + SETUP_CODE_GROUP_LEN]
                    for i in range(0, len(raw), SETUP_CODE_GROUP_LEN))
    if screen_dir is not None:
        publish_setup_code(screen_dir, code)
    return code


def matches(data_dir: Path, code: str) -> bool:
    """Does ``code`` match the stored hash (False when there is none, or it is unreadable)."""
    try:
        stored = (data_dir / SETUP_CODE_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(code) and hmac.compare_digest(_digest(code), stored)


def discard(data_dir: Path, screen_dir: Path | None = None) -> None:
    """Setup is done: the code can never be used again, and the screen no longer shows it."""
    (data_dir / SETUP_CODE_FILE).unlink(missing_ok=True)
    if screen_dir is not None:
        withdraw_setup_code(screen_dir)
