"""`ansim doctor`'s Pi checks, run against a root built by install.sh and then given the state
a booted handheld has (users, kernel modules, USB and camera devices, mounts), then broken one
thing at a time: each break is named, with its fix."""

import shutil
import subprocess
from pathlib import Path

import pytest

from detector.appliance import hotspot
from detector.appliance.pi_checks import pi_checks
from detector.i18n import t
from tests.firmware.conftest import run_install


def _boot(root: Path) -> None:
    """What the deferred commands and a boot leave behind on a working handheld."""
    (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/bash\n"
                                     "ansim:x:998:998::/var/lib/ansim:/usr/sbin/nologin\n")
    (root / "etc/group").write_text("root:x:0:\nplugdev:x:46:pi,ansim\nvideo:x:44:pi,ansim\n"
                                    "gpio:x:993:pi,ansim\nansim:x:998:\n")
    (root / "proc").mkdir(exist_ok=True)
    (root / "proc/mounts").write_text("overlay / overlay rw 0 0\n"
                                      "/dev/mmcblk0p3 /var/lib/ansim ext4 rw 0 0\n")
    (root / "sys/bus/i2c/drivers/imx708/10-001a").mkdir(parents=True)
    serial = root / "sys/firmware/devicetree/base/serial-number"
    serial.parent.mkdir(parents=True)
    serial.write_text("10000000cafe0001")
    hotspot.bring_up(root)


@pytest.fixture(scope="module")
def booted(tmp_path_factory):
    root = tmp_path_factory.mktemp("pi")
    run_install(root)
    _boot(root)
    return root


@pytest.fixture
def pi(booted, tmp_path):
    root = tmp_path / "pi"
    shutil.copytree(booted, root, symlinks=True)
    return root


def _by_name(root, **kwargs):
    return {check.name: check for check in pi_checks(root, **kwargs)}


def test_a_complete_handheld_passes_every_check(pi):
    checks = _by_name(pi)
    assert {name: c.status for name, c in checks.items() if c.status != "ok"} == {}
    assert checks["camera"].params == {"sensor": "imx708"}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_check_reads_as_a_sentence_with_a_fix(pi, lang):
    for check in pi_checks(pi) + pi_checks(pi.parent / "nothing"):
        assert t(check.detail_key, lang=lang, **check.params)
        if check.status != "ok":
            assert t(check.fix_key, lang=lang)


BREAKS = [
    ("udev_rule", lambda r: (r / "etc/udev/rules.d/60-ansim-rtlsdr.rules").unlink(),
     "device.check.udev_missing"),
    ("dvb_blacklist", lambda r: (r / "etc/modprobe.d/ansim-rtlsdr-blacklist.conf").unlink(),
     "device.check.blacklist_missing"),
    ("service_user", lambda r: (r / "etc/group").write_text(
        "plugdev:x:46:pi,ansim\nvideo:x:44:pi\ngpio:x:993:pi\n"), "device.check.user_groups"),
    ("service_user", lambda r: (r / "etc/passwd").write_text("root:x:0:0::/root:/bin/bash\n"),
     "device.check.user_missing"),
    ("service", lambda r: (r / "etc/systemd/system/multi-user.target.wants/ansim.service").unlink(),
     "device.check.unit_disabled"),
    ("service", lambda r: (r / "etc/systemd/system/ansim.service").unlink(),
     "device.check.unit_missing"),
    ("hotspot", lambda r: (r / hotspot.KEYFILE).unlink(), "device.check.hotspot_no_profile"),
    ("hotspot", lambda r: (r / "etc/systemd/system/multi-user.target.wants/"
                           "ansim-hotspot.service").unlink(), "device.check.hotspot_disabled"),
    ("camera", lambda r: shutil.rmtree(r / "sys/bus/i2c/drivers/imx708"),
     "device.check.camera_missing"),
    ("camera", lambda r: (r / "boot/firmware/config.txt").write_text("camera_auto_detect=1\n"),
     "device.check.camera_config"),
    ("journald", lambda r: (r / "etc/systemd/journald.conf.d/60-ansim.conf").unlink(),
     "device.check.journald_missing"),
    ("storage", lambda r: (r / "proc/mounts").write_text("/dev/mmcblk0p2 / ext4 rw 0 0\n"),
     "device.check.storage_writable"),
]


@pytest.mark.parametrize("name, damage, detail_key", BREAKS,
                         ids=[b[2].split(".")[-1] for b in BREAKS])
def test_each_fault_is_named_and_only_that_check_complains(pi, name, damage, detail_key):
    damage(pi)
    checks = _by_name(pi)
    assert checks[name].detail_key == detail_key and checks[name].status in ("warn", "fail")
    assert checks[name].fix_key
    others = {n: c.status for n, c in checks.items() if n != name and c.status != "ok"}
    assert others == {}


def test_optional_and_absent_parts_warn_rather_than_fail(pi):
    (pi / "proc/mounts").write_text("/dev/mmcblk0p2 / ext4 rw 0 0\n")
    shutil.rmtree(pi / "sys/bus/i2c/drivers/imx708")
    checks = _by_name(pi)
    assert checks["storage"].status == "warn" and checks["camera"].status == "warn"


def test_off_a_pi_the_live_system_is_not_judged_as_an_appliance(monkeypatch):
    from detector.appliance import pi_checks as module

    monkeypatch.setattr(module, "running_on_pi", lambda: False)
    assert module.pi_checks() == []


def test_on_the_live_system_the_service_must_also_be_running(booted, monkeypatch):
    """Only on / is systemctl asked; its answer decides the service check."""
    asked = []

    def systemctl(args, **kwargs):
        asked.append(args)
        return subprocess.CompletedProcess(args, 3, stdout="failed\n", stderr="")

    from detector.appliance import pi_checks as module

    monkeypatch.setattr(module, "UNIT", booted / module.UNIT)
    monkeypatch.setattr(module, "UNIT_WANTS", booted / module.UNIT_WANTS)
    check = module.check_service(Path("/"), systemctl)
    assert asked == [["systemctl", "is-active", "ansim.service"]]
    assert check.status == "fail" and check.params == {"state": "failed"}
    assert _by_name(booted, run=systemctl)["service"].status == "ok" and len(asked) == 1
