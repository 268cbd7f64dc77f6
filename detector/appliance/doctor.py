"""``ansim doctor``'s checks: what hardware is present, which backend each part will use, what is
missing and how to fix it.

Each check is a function returning ``Check`` objects: a stable ``name``, a ``status`` (ok /
warn / fail), and translation keys for the finding (``detail_key``) and the remedy
(``fix_key``), filled from ``params``. Only ``fail`` means ansim cannot run (a bad profile, a
data directory it cannot write); missing hardware is a warning, because ansim then simulates it.

On a Pi, the appliance's own checks (``detector.appliance.pi_checks``: udev rule, DVB driver
blacklist, the user's groups, the hotspot, ...) are appended after these.
"""

import importlib.metadata
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from detector.appliance.backends import (
    SIMULATED,
    Note,
    choose_camera,
    choose_pin_factory,
    choose_radio,
    make_illuminator,
)
from detector.appliance.checks import FAIL, OK, WARN, Check
from detector.appliance.pi_checks import pi_checks
from detector.appliance.profile import ProfileError, load_profile
from hardware.clock import MonotonicClock
from hardware.probe import (
    DVB_MODULE,
    librtlsdr_name,
    loaded_kernel_modules,
    module_installed,
    rtlsdr_dongles,
    video_devices,
)


@dataclass
class Report:
    """Everything ``ansim doctor`` found."""

    checks: list[Check]
    backends: list[Note]
    profile: object | None  # the loaded profile, None if it is wrong

    @property
    def can_run(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    @property
    def simulated_parts(self) -> list[str]:
        return [note.part for note in self.backends if note.backend == SIMULATED]


def diagnose(profile_path=None, data_dir=None, *, simulate: bool, on_pi: bool) -> Report:
    """Run every check; ``data_dir`` None means the profile's (or the platform's) default."""
    checks = []
    profile_check, profile = check_profile(profile_path)
    checks.append(profile_check)
    if data_dir is None and profile is not None:
        data_dir = profile.data_dir(on_pi)
    if data_dir is not None:
        checks.append(check_data_dir(Path(data_dir)))
    checks += check_radio_software() + check_radio_usb()
    checks += check_camera(on_pi)
    checks.append(check_wifi_adapter())
    backends = choose_backends(profile, simulate) if profile is not None else []
    checks += pi_checks()
    return Report(checks=checks, backends=backends, profile=profile)


def check_profile(path) -> tuple[Check, object]:
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        return Check("profile", FAIL, "doctor.profile.bad", {"error": str(exc)},
                     "doctor.fix.profile", problem=exc), None
    return Check("profile", OK, "doctor.profile.ok", {"path": profile.source}), profile


def check_data_dir(data_dir: Path) -> Check:
    """Writable if it exists and a file can be created in it, or if it can be created."""
    params = {"path": str(data_dir)}
    if data_dir.is_dir():
        try:
            with tempfile.TemporaryFile(dir=data_dir):
                pass
        except OSError as exc:
            return Check("data_dir", FAIL, "doctor.data_dir.not_writable",
                         {**params, "error": exc.strerror or str(exc)}, "doctor.fix.data_dir")
        return Check("data_dir", OK, "doctor.data_dir.ok", params)
    if data_dir.exists():
        return Check("data_dir", FAIL, "doctor.data_dir.not_a_dir", params, "doctor.fix.data_dir")
    ancestor = next(p for p in data_dir.parents if p.exists())
    if os.access(ancestor, os.W_OK | os.X_OK):
        return Check("data_dir", OK, "doctor.data_dir.will_create", params)
    return Check("data_dir", FAIL, "doctor.data_dir.cannot_create",
                 {**params, "ancestor": str(ancestor)}, "doctor.fix.data_dir")


def check_radio_software() -> list[Check]:
    """librtlsdr installed, and pyrtlsdr importing against it."""
    name = librtlsdr_name()
    if name is None:
        return [Check("librtlsdr", WARN, "doctor.librtlsdr.missing", {},
                      "doctor.fix.librtlsdr")]
    checks = [Check("librtlsdr", OK, "doctor.librtlsdr.ok", {"name": name})]
    from hardware.radio.librtlsdr_compat import import_pyrtlsdr  # noqa: PLC0415 - loads the lib

    try:
        pyrtlsdr = import_pyrtlsdr()
    except Exception as exc:  # noqa: BLE001 - any import failure is the finding to report
        checks.append(Check("pyrtlsdr", WARN, "doctor.pyrtlsdr.failed",
                            {"error": f"{type(exc).__name__}: {exc}"}, "doctor.fix.pyrtlsdr"))
        return checks
    library = pyrtlsdr.rtlsdr.librtlsdr
    missing = library.missing_functions() if hasattr(library, "missing_functions") else []
    version = importlib.metadata.version("pyrtlsdr")
    if missing:
        checks.append(Check("pyrtlsdr", OK, "doctor.pyrtlsdr.ok_with_fallbacks",
                            {"version": version, "functions": ", ".join(missing)}))
    else:
        checks.append(Check("pyrtlsdr", OK, "doctor.pyrtlsdr.ok", {"version": version}))
    return checks


def check_radio_usb() -> list[Check]:
    """A dongle on USB, and the DVB-T driver not holding it."""
    dongles = rtlsdr_dongles()
    checks = []
    if dongles:
        checks.append(Check("rtlsdr_usb", OK, "doctor.rtlsdr.found",
                            {"usb_id": dongles[0].usb_id, "product": dongles[0].product}))
    else:
        checks.append(Check("rtlsdr_usb", WARN, "doctor.rtlsdr.no_usb", {}, "doctor.fix.no_usb"))
    if DVB_MODULE in loaded_kernel_modules():
        checks.append(Check("dvb_driver", WARN, "doctor.rtlsdr.dvb_loaded",
                            {"module": DVB_MODULE}, "doctor.fix.dvb_loaded"))
    return checks


def check_camera(on_pi: bool) -> list[Check]:
    if not on_pi:
        return [Check("camera", WARN, "doctor.camera.not_pi", {}, "doctor.fix.camera_not_pi")]
    checks = []
    if not video_devices():
        checks.append(Check("camera_dev", WARN, "doctor.camera.no_video_dev", {},
                            "doctor.fix.camera_cable"))
    if not module_installed("picamera2"):
        checks.append(Check("picamera2", WARN, "doctor.camera.no_picamera2", {},
                            "doctor.fix.picamera2"))
    else:
        checks.append(Check("picamera2", OK, "doctor.camera.picamera2_ok", {}))
    return checks


def check_wifi_adapter(sysfs_net: Path = Path("/sys/class/net")) -> Check:
    """A USB Wi-Fi adapter for the survey, and whether the service has put it in monitor mode."""
    from hardware.wifi.probe import survey_adapter, wifi_interfaces  # noqa: PLC0415

    adapter = survey_adapter(wifi_interfaces(sysfs_net))
    if adapter is None:
        return Check("wifi_adapter", WARN, "doctor.wifi.missing", {}, "doctor.fix.wifi_missing")
    params = {"interface": adapter.name, "driver": adapter.driver or "?"}
    if not adapter.monitor:
        return Check("wifi_adapter", WARN, "doctor.wifi.not_monitor", params,
                     "doctor.fix.wifi_monitor")
    return Check("wifi_adapter", OK, "doctor.wifi.ok", params)


def choose_backends(profile, simulate: bool) -> list[Note]:
    """Which backend each part would use now: the real parts are opened to be sure, then closed."""
    radio, radio_note = choose_radio(profile, simulate)
    if radio is not None:
        radio.close()
    pin_factory, gpio_note = choose_pin_factory(simulate)
    illuminator = make_illuminator(profile, pin_factory, MonotonicClock())
    try:
        camera, camera_note = choose_camera(profile, illuminator, simulate)
        if camera is not None:
            camera.close()
    finally:
        illuminator.close()
    return [radio_note, camera_note, gpio_note]
