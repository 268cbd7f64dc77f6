"""The units pass systemd's own checks; every shell script passes shellcheck; the udev rule,
the blacklist and the journald limits say what the handheld needs."""

import configparser
import shutil
import subprocess

import pytest

from tests.firmware.conftest import FIRMWARE, REPO, run_install

UNITS = ("ansim.service", "ansim-hotspot.service", "ansim-wifi-monitor.service")


def _shell_scripts():
    scripts = []
    for path in sorted((REPO / "firmware_config").rglob("*")) + sorted((REPO / "scripts").glob("*")):
        if path.is_file() and (path.suffix == ".sh" or
                               path.read_bytes().startswith((b"#!/usr/bin/env bash", b"#!/bin/sh",
                                                             b"#!/bin/bash"))):
            scripts.append(path)
    return scripts


def test_there_are_scripts_to_check():
    assert FIRMWARE / "install.sh" in _shell_scripts()


@pytest.mark.parametrize("script", _shell_scripts(), ids=lambda p: str(p.relative_to(REPO)))
def test_shellcheck_passes(script):
    result = subprocess.run(["shellcheck", "--severity=style", str(script)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.fixture(scope="module")
def unit_root(tmp_path_factory):
    """A root with the units as install.sh puts them, systemd's own units (for the targets they
    hang off) and stand-ins for the venv's programs (verify checks ExecStart is executable)."""
    root = tmp_path_factory.mktemp("units")
    run_install(root)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    venv_bin = root / "opt/ansim/venv/bin"
    venv_bin.mkdir(parents=True)
    for program in ("ansim", "python"):
        (venv_bin / program).write_text("#!/bin/sh\n")
        (venv_bin / program).chmod(0o755)
    sbin = root / "usr/sbin"  # iw and iproute2's ip, which install.sh's packages provide
    sbin.mkdir(parents=True, exist_ok=True)
    for program in ("iw", "ip"):
        (sbin / program).write_text("#!/bin/sh\n")
        (sbin / program).chmod(0o755)
    return root


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_passes_without_a_warning(unit_root, unit):
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={unit_root}",
                             f"/etc/systemd/system/{unit}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""


def test_verify_would_catch_a_broken_unit(unit_root, tmp_path):
    """The check above can fail: a typo and a missing program are both reported."""
    broken = unit_root / "etc/systemd/system/ansim-broken.service"
    text = (FIRMWARE / "systemd/ansim.service").read_text()
    broken.write_text(text.replace("ProtectHome=yes", "ProtectHom=yes")
                      .replace("/opt/ansim/venv/bin/ansim", "/opt/ansim/venv/bin/nothing"))
    try:
        result = subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={unit_root}",
                                 "/etc/systemd/system/ansim-broken.service"],
                                capture_output=True, text=True)
    finally:
        broken.unlink()
    assert result.returncode != 0
    assert "ProtectHom" in result.stderr and "is not executable" in result.stderr


@pytest.mark.parametrize("unit", UNITS)
def test_units_are_sandboxed(unit_root, unit):
    """systemd's own exposure score (0 = locked down, 10 = wide open) is at most 3.0."""
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=30",
                             f"--root={unit_root}", f"/etc/systemd/system/{unit}"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]


def _unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    text = (FIRMWARE / "systemd" / name).read_text()
    # systemd repeats keys (DeviceAllow=); gather them instead of letting configparser refuse.
    values = {}
    section = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault((section, key), []).append(value)
    return values


def test_the_service_reaches_radio_camera_and_gpio_and_nothing_else():
    unit = _unit("ansim.service")
    assert unit[("Service", "DevicePolicy")] == ["closed"]
    allowed = {value.split()[0] for value in unit[("Service", "DeviceAllow")]}
    assert allowed == {"char-usb_device", "char-video4linux", "char-media", "char-dma_heap",
                       "char-gpiochip"}
    assert set(unit[("Service", "SupplementaryGroups")][0].split()) == {"plugdev", "video", "gpio"}
    assert unit[("Service", "User")] == ["ansim"]
    assert unit[("Service", "Restart")] == ["always"]
    assert "serve" in unit[("Service", "ExecStart")][0].split()


def test_the_udev_rule_gives_plugdev_both_dongle_ids():
    rules = [line for line in (FIRMWARE / "udev/60-ansim-rtlsdr.rules").read_text().splitlines()
             if line and not line.startswith("#")]
    ids = set()
    for rule in rules:
        fields = dict(part.strip().split("==", 1) if "==" in part else part.strip().split("=", 1)
                      for part in rule.split(", "))
        assert fields['GROUP'] == '"plugdev"' and fields['MODE'] == '"0660"'
        ids.add((fields['ATTRS{idVendor}'].strip('"'), fields['ATTRS{idProduct}'].strip('"')))
    assert ids == {("0bda", "2838"), ("0bda", "2832")}


def test_the_blacklist_keeps_the_dvb_drivers_off_the_dongle():
    lines = (FIRMWARE / "modprobe/ansim-rtlsdr-blacklist.conf").read_text().splitlines()
    blacklisted = {line.split()[1] for line in lines if line.startswith("blacklist ")}
    assert {"dvb_usb_rtl28xxu", "rtl2832", "rtl2830"} <= blacklisted


def test_journald_is_limited():
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read(FIRMWARE / "journald/60-ansim.conf")
    journal = parser["Journal"]
    assert journal["SystemMaxUse"].endswith("M") and int(journal["SystemMaxUse"][:-1]) <= 128
    assert journal["SystemKeepFree"] and journal["RuntimeMaxUse"]


def test_journald_and_watchdog_drop_ins_parse_as_systemd_config(tmp_path):
    """systemd-analyze cat-config reads the drop-ins from a root the way journald would."""
    run_install(tmp_path)
    shown = subprocess.run(["systemd-analyze", "cat-config", f"--root={tmp_path}",
                            "systemd/journald.conf"], capture_output=True, text=True)
    assert "SystemMaxUse=64M" in shown.stdout
