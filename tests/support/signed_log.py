"""A device log with signed records, and the user's view of checking it: shared by the log's
fault-injection test and the attack tests of the trust findings."""

import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from ansim.cli import main
from detector.engine.inspections import open_service
from detector.engine.sites import parse_sites
from detector.log.storage import DB_FILENAME, open_store
from detector.log.storage.models import Site
from tests.support.inspection_doubles import FakeSteps

SITE = "mapo-7"


def new_log(data_dir: Path) -> Path:
    """A data directory with one site in its log."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open_store(data_dir, write=True) as store, store.write() as session:
        for site in parse_sites(f"id,name,stalls\n{SITE},Mapo station restroom,1\n"):
            session.add(Site(**site.to_dict(), updated_at="2026-05-09T00:00:00.000000Z"))
    return data_dir


def sign(service, count: int, verdict: str = "suspicious") -> list:
    """``count`` inspections signed off (no steps: a verdict other than clear needs none)."""
    signed = []
    for _ in range(count):
        state = service.start(SITE, "Kim Inspector")
        service.set_verdict(state.id, verdict)
        signed.append(service.sign_off(state.id, "Kim Inspector"))
    return signed


def open_device(data_dir: Path, **kwargs):
    return open_service(data_dir, steps=FakeSteps(), **kwargs)


def copy_files(data_dir: Path, target: Path, names=(DB_FILENAME, "chain-head.json",
                                                     "device_key.pem", "hub-sync.json")) -> Path:
    """What a power cut (or someone with the card) leaves: these files as they are now."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (data_dir / name).exists():
            shutil.copy2(data_dir / name, target / name)
    return target


def verify(capsys, data_dir: Path) -> dict:
    """``ansim log verify --json``, as a user runs it: its JSON answer and exit code."""
    code = main(["--lang", "en", "log", "verify", "--data", str(data_dir), "--json"])
    out, err = capsys.readouterr()
    assert out, err
    answer = json.loads(out)
    answer["exit_code"] = code
    return answer


def listed_ids(capsys, data_dir: Path) -> set[str]:
    code = main(["--lang", "en", "log", "list", "--data", str(data_dir), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return {row["id"] for row in json.loads(out)["records"]}


@contextmanager
def small_tmpfs(mount_point: Path, size: str = "4m"):
    """A real, small file system (tmpfs) at ``mount_point``: it really fills up and can really
    be remounted read-only. Needs root; elsewhere the test is skipped with the reason."""
    mount_point.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def remount_read_only(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)


def fill(directory: Path) -> Path:
    """Write a file until the disk refuses another byte."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk_bytes in (65536, 4096, 512, 1):
            try:
                while True:
                    f.write(b"\xff" * chunk_bytes)
            except OSError:
                continue
    return filler
