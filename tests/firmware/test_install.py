"""install.sh --target-root: every file it writes, checked against firmware_config/ itself,
twice, and nothing of the host touched."""

import hashlib
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from detector.appliance.profile import load_profile
from tests.firmware.conftest import FIRMWARE, INSTALL, REPO, run_install, tree_digest

COPIED = {  # device path -> source in firmware_config/
    "etc/systemd/system/ansim.service": "systemd/ansim.service",
    "etc/systemd/system/ansim-hotspot.service": "systemd/ansim-hotspot.service",
    "etc/systemd/system.conf.d/60-ansim-watchdog.conf": "systemd/system.conf.d/60-ansim-watchdog.conf",
    "etc/systemd/journald.conf.d/60-ansim.conf": "journald/60-ansim.conf",
    "etc/udev/rules.d/60-ansim-rtlsdr.rules": "udev/60-ansim-rtlsdr.rules",
    "etc/udev/rules.d/70-ansim-wifi.rules": "udev/70-ansim-wifi.rules",
    "etc/systemd/system/ansim-wifi-monitor.service": "systemd/ansim-wifi-monitor.service",
    "etc/NetworkManager/conf.d/ansim-wifi-monitor.conf":
        "NetworkManager/ansim-wifi-monitor.conf",
    "etc/modprobe.d/ansim-rtlsdr-blacklist.conf": "modprobe/ansim-rtlsdr-blacklist.conf",
    "etc/ansim/profile.toml": "profile.toml",
    "boot/firmware/ansim-config.txt": "boot/ansim-config.txt",
    "opt/ansim/pip-constraints.txt": "pip-constraints.txt",
    "etc/nginx/sites-available/ansim": "nginx/ansim.conf",
}
LINKS = {
    "etc/nginx/sites-enabled/ansim": "/etc/nginx/sites-available/ansim",
    "etc/systemd/system/multi-user.target.wants/ansim.service": "/etc/systemd/system/ansim.service",
    "etc/systemd/system/multi-user.target.wants/ansim-hotspot.service":
        "/etc/systemd/system/ansim-hotspot.service",
}
SOURCE_PARTS = ("pyproject.toml", "README.md", "ansim", "detector", "hardware", "rf", "optics",
                "web", "bench", "testkit")


def _source_files():
    files = {}
    for part in SOURCE_PARTS:
        base = REPO / part
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[f"opt/ansim/src/{path.relative_to(REPO)}"] = path
    return files


def test_every_file_written_is_accounted_for(installed):
    root, _ = installed
    expected = (set(COPIED) | set(LINKS) | set(_source_files())
                | {"boot/firmware/config.txt", "etc/ansim/install-manifest"})
    assert set(tree_digest(root)) == expected


@pytest.mark.parametrize("device_path", sorted(COPIED))
def test_configuration_files_are_the_firmware_config_files(installed, device_path):
    root, _ = installed
    written = root / device_path
    assert written.read_bytes() == (FIRMWARE / COPIED[device_path]).read_bytes()
    assert oct(written.stat().st_mode & 0o777) == "0o644"


def test_the_source_in_the_image_is_the_repository(installed):
    root, _ = installed
    for device_path, source in _source_files().items():
        assert (root / device_path).read_bytes() == source.read_bytes(), device_path


def test_units_are_enabled_by_wants_links(installed):
    root, _ = installed
    for link, target in LINKS.items():
        assert (root / link).is_symlink() and str((root / link).readlink()) == target
        assert (root / target.lstrip("/")).is_file()


def test_config_txt_includes_the_fragment_once_and_keeps_the_stock_lines(installed):
    root, _ = installed
    lines = (root / "boot/firmware/config.txt").read_text().splitlines()
    assert lines == ["dtparam=audio=on", "camera_auto_detect=1", "[all]",
                     "include ansim-config.txt"]


def test_the_installed_profile_is_a_valid_device_profile_wired_like_the_default(installed):
    root, _ = installed
    device = load_profile(root / "etc/ansim/profile.toml")
    assert device.device.data_dir == "/var/lib/ansim"
    assert device.pins == load_profile().pins


def test_the_manifest_lists_every_file_with_its_checksum(installed):
    root, _ = installed
    entries = [line.split(" ", 2) for line in
               (root / "etc/ansim/install-manifest").read_text().splitlines()
               if line.startswith(("file ", "link "))]
    for kind, path, value in entries:
        on_disk = root / path.lstrip("/")
        if kind == "file":
            assert hashlib.sha256(on_disk.read_bytes()).hexdigest() == value, path
        else:
            assert str(on_disk.readlink()) == value, path
    listed = {path.lstrip("/") for _, path, _ in entries}
    assert set(COPIED) | set(LINKS) <= listed


def test_what_needs_the_live_system_is_deferred_not_run(installed):
    root, _ = installed
    deferred = [line.removeprefix("deferred ") for line in
                (root / "etc/ansim/install-manifest").read_text().splitlines()
                if line.startswith("deferred ")]
    joined = "\n".join(deferred)
    for needed in ("apt-get install", "python3-picamera2", "useradd --system",
                   "usermod --append --groups plugdev,video,gpio ansim",
                   "python3 -m venv --system-site-packages /opt/ansim/venv",
                   "--constraint /opt/ansim/pip-constraints.txt /opt/ansim/src",
                   "modprobe --remove dvb_usb_rtl28xxu", "do_wifi_country KR",
                   "timedatectl set-timezone Asia/Seoul"):
        assert needed in joined
    for command in deferred:  # each is valid shell, safe to hand to an image builder
        subprocess.run(["bash", "-n", "-c", command], check=True)


def test_the_host_was_not_touched(installed):
    for path in ("/etc/systemd/system/ansim.service", "/etc/udev/rules.d/60-ansim-rtlsdr.rules",
                 "/etc/modprobe.d/ansim-rtlsdr-blacklist.conf", "/opt/ansim", "/etc/ansim"):
        assert not os.path.lexists(path), path
    groups = Path("/etc/group").read_text()
    assert "ansim" not in Path("/etc/passwd").read_text() and ":ansim" not in groups


def test_a_second_run_changes_nothing(installed):
    root, first = installed
    before = tree_digest(root)
    mtimes = {p: p.lstat().st_mtime_ns for p in root.rglob("*")}
    second = run_install(root)
    assert tree_digest(root) == before
    assert {p: p.lstat().st_mtime_ns for p in root.rglob("*")} == mtimes
    assert not [line for line in second.stdout.splitlines()
                if line.startswith(("installed ", "added to "))]
    assert "installed /etc/systemd/system/ansim.service" in first.stdout


def test_local_edits_to_the_profile_survive_a_reinstall(tmp_path):
    run_install(tmp_path)
    profile = tmp_path / "etc/ansim/profile.toml"
    edited = profile.read_text().replace('language = "ko"', 'language = "en"')
    profile.write_text(edited)
    run_install(tmp_path)
    assert tomllib.loads(profile.read_text())["device"]["language"] == "en"


def test_a_changed_unit_is_put_back(tmp_path):
    run_install(tmp_path)
    unit = tmp_path / "etc/systemd/system/ansim.service"
    unit.write_text("[Service]\nExecStart=/bin/sh\n")
    out = run_install(tmp_path).stdout
    assert "installed /etc/systemd/system/ansim.service" in out
    assert unit.read_bytes() == (FIRMWARE / "systemd/ansim.service").read_bytes()


def test_read_only_root_mounts_the_data_partition_and_defers_the_overlay(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/fstab").write_text("proc /proc proc defaults 0 0\n")
    run_install(tmp_path, "--read-only-root")
    run_install(tmp_path, "--read-only-root")
    fstab = (tmp_path / "etc/fstab").read_text().splitlines()
    data = [line for line in fstab if line.startswith("LABEL=ansim-data ")]
    assert fstab[0] == "proc /proc proc defaults 0 0" and len(data) == 1
    assert data[0].split()[1:3] == ["/var/lib/ansim", "ext4"]
    manifest = (tmp_path / "etc/ansim/install-manifest").read_text()
    assert "deferred raspi-config nonint do_overlayfs 0" in manifest
    assert "overlayroot=tmpfs:recurse=0" in manifest  # the data partition stays writable


def test_the_overlay_cmdline_edit_is_idempotent(tmp_path):
    run_install(tmp_path, "--read-only-root")
    command = next(line.removeprefix("deferred ") for line in
                   (tmp_path / "etc/ansim/install-manifest").read_text().splitlines()
                   if line.startswith("deferred sed "))
    cmdline = tmp_path / "cmdline.txt"
    cmdline.write_text("console=tty1 root=PARTUUID=abcd-02 rootwait overlayroot=tmpfs\n")
    command = command.replace("/boot/firmware/cmdline.txt", str(cmdline))
    for _ in range(2):
        subprocess.run(["bash", "-c", command], check=True)
    assert cmdline.read_text().split()[-1] == "overlayroot=tmpfs:recurse=0"


@pytest.mark.parametrize("options, message", [
    (["--bogus"], "unknown option '--bogus'"),
    (["--country", "Korea"], "not a two-letter country code"),
    (["--target-root"], "--target-root needs a directory"),
])
def test_bad_options_are_refused_with_the_reason(tmp_path, options, message):
    args = ["bash", str(INSTALL)] + (options if options == ["--target-root"]
                                     else ["--target-root", str(tmp_path), *options])
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode != 0 and message in result.stderr
    assert not any(tmp_path.iterdir())


def test_a_missing_target_root_is_refused(tmp_path):
    result = subprocess.run(["bash", str(INSTALL), "--target-root", str(tmp_path / "nope")],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "is not a directory" in result.stderr
