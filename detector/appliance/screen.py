"""What the dashboard tells the handheld's screen (tty1): the one-time setup code, while no
admin exists.

The dashboard (``ansim serve``, the unprivileged ``ansim`` user) draws the code and keeps only
its hash on the data partition (``web.setup_code``). To show it where only the device's holder
looks, it also writes the code, in plain, to ``SETUP_CODE_FILE`` in a runtime directory in RAM
(``--screen-dir``: ``/run/ansim`` on the Pi, which systemd empties when the dashboard stops),
mode 0600, never on the SD card; the screen's owner (``ansim-hotspot.service``, root) reads it
and shows it under the hotspot's name, password and QR code. Once the first admin is made the
file is removed, and the screen shows the code no more.
"""

import os
from pathlib import Path

SETUP_CODE_FILE = "setup-code"
#: A setup code is 14 characters (``ABCD-EFGH-JKLM``); anything longer is not one.
MAX_CODE_CHARS = 32


def publish_setup_code(screen_dir: Path, code: str) -> None:
    """Put ``code`` where the screen reads it (replacing an earlier one whole)."""
    screen_dir.mkdir(parents=True, exist_ok=True)
    path = screen_dir / SETUP_CODE_FILE
    staged = path.with_name(path.name + ".new")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(code + "\n")
    os.replace(staged, path)


def withdraw_setup_code(screen_dir: Path) -> None:
    """Setup is claimed (or was already): the screen shows no code."""
    (screen_dir / SETUP_CODE_FILE).unlink(missing_ok=True)


def read_setup_code(screen_dir: Path) -> str | None:
    """The code to show, or None (none published, or the file is not a code)."""
    try:
        code = (screen_dir / SETUP_CODE_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not code or len(code) > MAX_CODE_CHARS or not all(c.isalnum() or c == "-" for c in code):
        return None
    return code
