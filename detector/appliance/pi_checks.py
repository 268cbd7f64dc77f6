"""`ansim doctor` on a Raspberry Pi: is this Pi set up as the handheld appliance?

``detector.appliance.doctor`` appends these to its own checks (which already cover the dongle on
USB, the DVB-T driver being loaded, video devices and picamera2); these cover what
``firmware_config/install.sh`` sets up. ``fail`` means the appliance will not work as installed
(the service cannot reach its hardware or will not start); ``warn`` means a part is missing or
a protection is off.

Each check reads the files ``firmware_config/install.sh`` writes, the kernel's and udev's state
in ``/proc`` and ``/sys``, and asks ``systemctl`` about the service, and says exactly what is
wrong and how to fix it (translated keys ``device.check.*``). Everything is read under ``root``
so the same checks run against an image being built (``install.sh --target-root DIR``); the
one question only a running system can answer (is the service running?) is asked through
``run``, and only when ``root`` is ``/``.

Example::

    for check in pi_checks():
        print(check.status, check.detail())
"""

import re
import subprocess
from pathlib import Path

from detector.appliance.checks import Check
from hardware.gpio.pins import running_on_pi

UDEV_RULE = Path("etc/udev/rules.d/60-ansim-rtlsdr.rules")
BLACKLIST = Path("etc/modprobe.d/ansim-rtlsdr-blacklist.conf")
JOURNALD = Path("etc/systemd/journald.conf.d/60-ansim.conf")
UNIT = Path("etc/systemd/system/ansim.service")
UNIT_WANTS = Path("etc/systemd/system/multi-user.target.wants/ansim.service")
HOTSPOT_WANTS = Path("etc/systemd/system/multi-user.target.wants/ansim-hotspot.service")
HOTSPOT_KEYFILE = Path("run/NetworkManager/system-connections/ansim-hotspot.nmconnection")
BOOT_CONFIGS = (Path("boot/firmware/config.txt"), Path("boot/config.txt"))
CAMERA_FRAGMENT = "include ansim-config.txt"
RTL_PRODUCT_IDS = ("2832", "2838")
SENSOR_DRIVERS = ("imx708", "imx219", "imx477", "imx296", "ov5647")
GROUPS_NEEDED = ("plugdev", "video", "gpio")
DATA_DIR = "/var/lib/ansim"
SERVICE_USER = "ansim"


def _ok(name, detail_key, **params) -> Check:
    return Check(name, "ok", detail_key, params)


def _bad(status, name, detail_key, fix_key, **params) -> Check:
    return Check(name, status, detail_key, params, fix_key)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def check_udev_rule(root: Path) -> Check:
    text = _read(root / UDEV_RULE)
    missing = [pid for pid in RTL_PRODUCT_IDS if text is None or pid not in text]
    if text is None or missing:
        return _bad("fail", "udev_rule", "device.check.udev_missing", "device.fix.install",
                    path=f"/{UDEV_RULE}")
    return _ok("udev_rule", "device.check.udev_ok", path=f"/{UDEV_RULE}")


def check_blacklist(root: Path) -> Check:
    """The blacklist file (whether the driver is loaded now is the core doctor's check)."""
    text = _read(root / BLACKLIST) or ""
    if not re.search(r"^blacklist\s+dvb_usb_rtl28xxu\s*$", text, re.MULTILINE):
        return _bad("fail", "dvb_blacklist", "device.check.blacklist_missing",
                    "device.fix.install", path=f"/{BLACKLIST}")
    return _ok("dvb_blacklist", "device.check.blacklist_ok")


def check_user_groups(root: Path) -> Check:
    members = _group_members(_read(root / "etc/group") or "")
    if not re.search(rf"^{SERVICE_USER}:", _read(root / "etc/passwd") or "", re.MULTILINE):
        return _bad("fail", "service_user", "device.check.user_missing", "device.fix.install",
                    user=SERVICE_USER)
    missing = [g for g in GROUPS_NEEDED if SERVICE_USER not in members.get(g, ())]
    if missing:
        return _bad("fail", "service_user", "device.check.user_groups", "device.fix.groups",
                    user=SERVICE_USER, groups=", ".join(missing))
    return _ok("service_user", "device.check.user_ok", user=SERVICE_USER,
               groups=", ".join(GROUPS_NEEDED))


def _group_members(text: str) -> dict[str, tuple[str, ...]]:
    members = {}
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) == 4:
            members[parts[0]] = tuple(m for m in parts[3].split(",") if m)
    return members


def check_service(root: Path, run) -> Check:
    if not (root / UNIT).exists():
        return _bad("fail", "service", "device.check.unit_missing", "device.fix.install")
    if not (root / UNIT_WANTS).is_symlink():
        return _bad("fail", "service", "device.check.unit_disabled", "device.fix.enable")
    if root != Path("/"):
        return _ok("service", "device.check.unit_enabled")
    try:
        state = run(["systemctl", "is-active", "ansim.service"], capture_output=True,
                    text=True).stdout.strip()
    except OSError:
        state = ""
    if state != "active":
        return _bad("fail", "service", "device.check.unit_not_running", "device.fix.journal",
                    state=state or "unknown")
    return _ok("service", "device.check.unit_running")


def check_hotspot(root: Path) -> Check:
    if not (root / HOTSPOT_WANTS).is_symlink():
        return _bad("fail", "hotspot", "device.check.hotspot_disabled", "device.fix.enable")
    if not (root / HOTSPOT_KEYFILE).exists():
        return _bad("fail", "hotspot", "device.check.hotspot_no_profile",
                    "device.fix.hotspot", path=f"/{HOTSPOT_KEYFILE}")
    return _ok("hotspot", "device.check.hotspot_ok")


def check_camera(root: Path) -> Check:
    fragment = next((p for p in BOOT_CONFIGS if (root / p).exists()), BOOT_CONFIGS[0])
    config = _read(root / fragment) or ""
    if CAMERA_FRAGMENT not in config.splitlines():
        return _bad("warn", "camera", "device.check.camera_config", "device.fix.install",
                    path=f"/{fragment}")
    drivers = root / "sys/bus/i2c/drivers"
    for sensor in SENSOR_DRIVERS:
        # A bound sensor appears as "<bus>-<address>", e.g. "10-001a".
        if any(re.fullmatch(r"\d+-[0-9a-f]{4}", p.name) for p in _children(drivers / sensor)):
            return _ok("camera", "device.check.camera_ok", sensor=sensor)
    return _bad("warn", "camera", "device.check.camera_missing", "device.fix.camera")


def check_journald(root: Path) -> Check:
    text = _read(root / JOURNALD) or ""
    if not re.search(r"^SystemMaxUse=\S+", text, re.MULTILINE):
        return _bad("warn", "journald", "device.check.journald_missing", "device.fix.install",
                    path=f"/{JOURNALD}")
    return _ok("journald", "device.check.journald_ok")


def check_storage(root: Path) -> Check:
    """Optional: a read-only root and the data on its own partition survive power cuts."""
    mounts = {}
    for line in (_read(root / "proc/mounts") or "").splitlines():
        parts = line.split()
        if len(parts) >= 3:
            mounts[parts[1]] = parts[2]
    if mounts.get("/") != "overlay" or DATA_DIR not in mounts:
        return _bad("warn", "storage", "device.check.storage_writable", "device.fix.read_only",
                    data_dir=DATA_DIR)
    return _ok("storage", "device.check.storage_ok", data_dir=DATA_DIR)


def _children(path: Path) -> list[Path]:
    try:
        return sorted(path.iterdir())
    except OSError:
        return []


def pi_checks(root: Path = Path("/"), run=subprocess.run) -> list[Check]:
    """Every appliance check, in the order an installer would fix them; none off a Pi."""
    root = Path(root)
    if root == Path("/") and not running_on_pi():
        return []
    return [
        check_user_groups(root),
        check_udev_rule(root),
        check_blacklist(root),
        check_camera(root),
        check_service(root, run),
        check_hotspot(root),
        check_journald(root),
        check_storage(root),
    ]
