"""Fixtures for firmware_config/: the installer run into a temporary root, never the host."""

import hashlib
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIRMWARE = REPO / "firmware_config"
INSTALL = FIRMWARE / "install.sh"


def run_install(root, *options):
    """Run install.sh into ``root``; return the completed process (checked)."""
    return subprocess.run(["bash", str(INSTALL), "--target-root", str(root), *options],
                          capture_output=True, text=True, check=True, timeout=120)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file and link under ``root``: relative path -> sha256 (or link target)."""
    digest = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            digest[key] = "-> " + str(path.readlink())
        elif path.is_file():
            digest[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A target root after one install (a Raspberry Pi OS boot partition with its stock
    config.txt, lacking a final newline, as some editors leave it)."""
    root = tmp_path_factory.mktemp("target")
    boot = root / "boot/firmware"
    boot.mkdir(parents=True)
    (boot / "config.txt").write_text("dtparam=audio=on\ncamera_auto_detect=1\n[all]")
    first = run_install(root)
    return root, first
