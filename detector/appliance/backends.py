"""Choosing backends: real hardware where it is present, the simulated restroom for the rest.

``open_hardware(profile, simulate=...)`` returns a ``HardwareSession`` holding one radio, one
camera and one illuminator. Each part is chosen on its own:

- radio: an RTL-SDR dongle when one is on USB (0bda:2838/2832) and opens; else simulated.
- camera: the Pi camera through Picamera2 on a Raspberry Pi with picamera2 installed; else
  simulated. (A webcam or video file is not the handheld's camera: it is opened explicitly
  with ``hardware.camera.opencv.OpenCVCamera``.)
- GPIO: the Pi's own pins on a Raspberry Pi; else gpiozero's MockFactory.

``simulate=True`` simulates every part. Every choice is recorded as a ``Note`` (translated with
the ``hw.*`` keys) saying which backend a part uses and why, so ``ansim`` can say so.

Clocks: a real camera and the LED rings run on the monotonic clock (the sensor's timestamps
are converted onto it); simulated parts share one ``SimulatedClock`` through the simulated
handheld. ``session.clock`` is the clock frames and LED switches are timed on.

Example::

    session = open_hardware(load_profile(), simulate=True, seed=1)
    session.move_to("door_hook")
    frame = session.camera.read_frame()
    session.close()
"""

from contextlib import ExitStack
from dataclasses import dataclass, field

from detector.i18n import t
from hardware.clock import MonotonicClock, SimulatedClock
from hardware.errors import HardwareError
from hardware.gpio.illuminator import Illuminator
from hardware.gpio.pins import make_pin_factory, running_on_pi
from hardware.probe import module_installed, rtlsdr_dongles

REAL, SIMULATED = "real", "simulated"


@dataclass(frozen=True)
class Note:
    """Which backend one part uses and why, as a translation key and its parameters."""

    part: str  # "radio", "camera" or "gpio"
    backend: str  # REAL or SIMULATED
    key: str  # an ``hw.*`` translation key
    params: dict = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)


@dataclass
class HardwareSession:
    """The hardware of one ansim run (real, simulated or mixed) and how it was chosen."""

    radio: object  # hardware.radio.SampleSource
    camera: object  # hardware.camera.Camera
    illuminator: Illuminator
    clock: MonotonicClock | SimulatedClock
    handheld: object | None  # hardware.sim.handheld.SimulatedHandheld when anything is simulated
    pin_factory: object
    notes: list[Note]

    @property
    def simulated_parts(self) -> list[str]:
        return [note.part for note in self.notes if note.backend == SIMULATED]

    def move_to(self, zone: str) -> None:
        """Walk the simulated inspector to ``zone``; with real hardware the person walks."""
        if self.handheld is not None:
            self.handheld.move_to(zone)

    def close(self) -> None:
        for part in (self.radio, self.camera, self.illuminator):
            part.close()


def open_hardware(profile, *, simulate: bool, scene=None, seed: int = 0) -> HardwareSession:
    """Open the real parts that are present and simulate the others (all of them if
    ``simulate``); ``scene`` (default ``build_restroom(seed)``) is what simulated parts see."""
    with ExitStack() as opened:
        radio, radio_note = choose_radio(profile, simulate)
        if radio is not None:
            opened.callback(radio.close)
        pin_factory, gpio_note = choose_pin_factory(simulate)
        illuminator = make_illuminator(profile, pin_factory, MonotonicClock())
        opened.callback(lambda: illuminator.close())  # whichever illuminator is current
        camera, camera_note = choose_camera(profile, illuminator, simulate)
        if camera is not None:
            opened.callback(camera.close)

        handheld = None
        clock = illuminator.clock
        if radio is None or camera is None:
            sim_clock = SimulatedClock()
            scene, handheld = _simulated_restroom(scene, seed, sim_clock)
            if radio is None:
                radio = _simulated_radio(profile, handheld, seed)
                opened.callback(radio.close)
            if camera is None:
                illuminator.close()  # the simulated camera sees rings switched on its own clock
                illuminator = make_illuminator(profile, pin_factory, sim_clock)
                camera = _simulated_camera(profile, handheld, illuminator, seed)
                clock = sim_clock
        opened.pop_all()
    return HardwareSession(radio=radio, camera=camera, illuminator=illuminator, clock=clock,
                           handheld=handheld, pin_factory=pin_factory,
                           notes=[radio_note, camera_note, gpio_note])


def _forced(part: str) -> Note:
    return Note(part, SIMULATED, f"hw.{part}.forced")


def choose_radio(profile, simulate: bool):
    """The real RTL-SDR (opened) and a note, or None and a note saying why it is simulated."""
    if simulate:
        return None, _forced("radio")
    dongles = rtlsdr_dongles()
    if not dongles:
        return None, Note("radio", SIMULATED, "hw.radio.no_usb")
    from hardware.radio.rtlsdr import RtlSdrSource  # noqa: PLC0415 - only with a dongle

    try:
        radio = RtlSdrSource(0, sample_rate_hz=profile.radio.sample_rate_hz,
                             gain_db=profile.radio.gain_db, ppm=profile.radio.ppm)
    except HardwareError as exc:
        return None, Note("radio", SIMULATED, "hw.radio.open_failed", {"error": str(exc)})
    return radio, Note("radio", REAL, "hw.radio.real", {"usb_id": dongles[0].usb_id,
                                                         "product": dongles[0].product})


def choose_pin_factory(simulate: bool):
    """The Pi's own pins on a Pi (unless ``simulate``), else gpiozero's MockFactory; and a note."""
    if simulate:
        return make_pin_factory(True), _forced("gpio")
    if running_on_pi():
        return make_pin_factory(False), Note("gpio", REAL, "hw.gpio.real")
    return make_pin_factory(True), Note("gpio", SIMULATED, "hw.gpio.not_pi")


def make_illuminator(profile, pin_factory, clock) -> Illuminator:
    return Illuminator(profile.pins.on_axis_ring, profile.pins.off_axis_ring,
                       red_pin=profile.pins.red_ring, pin_factory=pin_factory, clock=clock)


def choose_camera(profile, illuminator, simulate: bool):
    """The Pi camera (opened, timed against ``illuminator``) and a note, or None and a note."""
    if simulate:
        return None, _forced("camera")
    if not running_on_pi():
        return None, Note("camera", SIMULATED, "hw.camera.not_pi")
    if not module_installed("picamera2"):
        return None, Note("camera", SIMULATED, "hw.camera.no_picamera2")
    from hardware.camera.picamera import PicameraCamera  # noqa: PLC0415 - Pi only

    cam = profile.camera
    try:
        camera = PicameraCamera(illuminator, width=cam.width, height=cam.height, fps=cam.fps,
                                exposure_us=cam.exposure_us)
    except (HardwareError, RuntimeError, IndexError) as exc:  # libcamera's own failures
        return None, Note("camera", SIMULATED, "hw.camera.open_failed", {"error": str(exc)})
    return camera, Note("camera", REAL, "hw.camera.real")


def _simulated_restroom(scene, seed, clock):
    from hardware.sim.handheld import SimulatedHandheld  # noqa: PLC0415
    from hardware.sim.restroom import build_restroom  # noqa: PLC0415

    scene = scene if scene is not None else build_restroom(seed)
    return scene, SimulatedHandheld(scene, clock)


def _simulated_radio(profile, handheld, seed):
    from hardware.radio.simulated import SimulatedSource  # noqa: PLC0415 - the rf area's

    gain = {} if profile.radio.gain_db is None else {"gain_db": profile.radio.gain_db}
    return SimulatedSource(handheld, sample_rate_hz=profile.radio.sample_rate_hz, seed=seed,
                           **gain)


def _simulated_camera(profile, handheld, illuminator, seed):
    from hardware.camera.simulated import SimulatedCamera  # noqa: PLC0415 - the optics area's

    cam = profile.camera
    return SimulatedCamera(handheld, illuminator, width=cam.width, height=cam.height,
                           fps=cam.fps, exposure_us=cam.exposure_us, seed=seed)
