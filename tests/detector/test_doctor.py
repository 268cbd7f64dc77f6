"""``ansim doctor`` run for real as a subprocess on this machine (no dongle, no Pi camera, no
GPIO), and its checks one by one."""

import json
import os
import subprocess
import sys

import pytest

from detector.appliance import doctor as doctor_module
from detector.appliance.doctor import FAIL, OK, Check, check_data_dir, diagnose
from hardware.gpio.pins import running_on_pi
from hardware.probe import rtlsdr_dongles

no_hardware = pytest.mark.skipif(bool(rtlsdr_dongles()) or running_on_pi(),
                                 reason="this machine has real hardware")


def doctor(*args):
    env = {k: v for k, v in os.environ.items() if k != "ANSIM_LANG"}
    return subprocess.run([sys.executable, "-m", "ansim", *args], capture_output=True,
                          text=True, check=False, env=env)


@no_hardware
def test_doctor_explains_nothing_was_found_and_that_simulation_is_used(tmp_path):
    result = doctor("--lang", "en", "doctor", "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "No RTL-SDR on USB." in out
    assert "lsusb" in out and "0bda:2838" in out and "dvb_usb_rtl28xxu" in out
    assert "Not a Raspberry Pi: no Pi camera and no GPIO here." in out
    assert "Simulation is used for: radio, camera, GPIO." in out
    assert "ansim can run." in out


@no_hardware
def test_doctor_json_is_machine_readable(tmp_path):
    result = doctor("doctor", "--json", "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["can_run"] is True
    assert report["simulated_parts"] == ["radio", "camera", "gpio"]
    statuses = {check["name"]: check["status"] for check in report["checks"]}
    assert statuses["profile"] == statuses["data_dir"] == "ok"
    assert statuses["rtlsdr_usb"] == "warn"
    assert [b["key"] for b in report["backends"]] == ["hw.radio.no_usb", "hw.camera.not_pi",
                                                      "hw.gpio.not_pi"]


def test_doctor_speaks_korean_by_default(tmp_path):
    result = doctor("doctor", "--data", str(tmp_path))
    assert result.returncode == 0
    assert "모의" in result.stdout and "ansim을 실행할 수 있습니다." in result.stdout


def test_forced_simulation_is_reported_as_forced(tmp_path):
    result = doctor("--lang", "en", "doctor", "--simulate", "--data", str(tmp_path))
    assert result.returncode == 0
    assert "Simulation is forced (--simulate) for: radio, camera, GPIO." in result.stdout


def test_a_bad_profile_means_ansim_cannot_run(tmp_path):
    profile = tmp_path / "bad.toml"
    profile.write_text('[device]\nlanguage = "fr"\n')
    result = doctor("--lang", "en", "doctor", "--profile", str(profile), "--data", str(tmp_path))
    assert result.returncode == 1
    assert "Device profile is wrong" in result.stdout and "device.language" in result.stdout
    assert "ansim cannot run" in result.stdout


def test_a_data_directory_that_is_a_file_means_ansim_cannot_run(tmp_path):
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("")
    result = doctor("--lang", "en", "doctor", "--data", str(not_a_dir), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    [data_check] = [c for c in report["checks"] if c["name"] == "data_dir"]
    assert data_check["status"] == FAIL and data_check["fix"]


def test_data_directory_checks(tmp_path):
    assert check_data_dir(tmp_path).detail_key == "doctor.data_dir.ok"
    missing = check_data_dir(tmp_path / "a" / "b")
    assert (missing.status, missing.detail_key) == (OK, "doctor.data_dir.will_create")
    assert not (tmp_path / "a").exists()  # the doctor looks, it does not create


def test_pi_checks_from_the_device_area_are_appended(monkeypatch, tmp_path):
    monkeypatch.setattr(doctor_module, "pi_checks",
                        lambda: [Check("udev_rule", FAIL, "doctor.profile.bad", {"error": "x"})])
    report = diagnose(None, tmp_path, simulate=True, on_pi=False)
    assert report.checks[-1].name == "udev_rule"
    assert not report.can_run
