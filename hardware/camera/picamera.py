"""The Pi NoIR camera through Picamera2, with fixed exposure and LED states from frame metadata.

picamera2 (with libcamera) exists only on Raspberry Pi OS, installed from apt
(``python3-picamera2``), so it is imported inside ``PicameraCamera``; importing this module
costs nothing elsewhere.

Timing, from each request's own metadata, never from sleeps:

- ``SensorTimestamp`` (ns, on ``CLOCK_BOOTTIME``) is stamped when the frame's first row
  arrives from the sensor: the start-of-frame interrupt. A row's pixels are sent only once
  their exposure has ended, so the first row was exposed from ``SensorTimestamp -
  ExposureTime`` to ``SensorTimestamp`` (Picamera2 maintainers, raspberrypi/picamera2#821;
  libcamera's documentation calls it "the time when the first row ... is exposed").
- The sensor has a rolling shutter: each later row starts and ends its exposure one line
  time after the one above, the last row ``readout_s`` after the first. The frame's window is
  therefore ``[SensorTimestamp - ExposureTime, SensorTimestamp + readout_s]``, so a ring
  counts as fully lit (1.0) only if every row saw it throughout, and as dark (0.0) only if no
  row saw it at all. ``readout_s`` is estimated as the frame time of the sensor mode at its
  highest frame rate (readout plus the least blanking the mode allows).
- ``CLOCK_BOOTTIME`` is ``CLOCK_MONOTONIC`` plus time spent suspended; the illuminator logs on
  the monotonic clock, so each timestamp is moved across by the offset between the two clocks
  read at that moment (zero on a Pi that never sleeps, but never assumed).
- ``ExposureTime`` in the metadata is the exposure the sensor really used; a new exposure
  takes a few frames to apply, and the metadata, not the request, says when it has.

Example::

    camera = PicameraCamera(illuminator, width=1280, height=720, fps=30, exposure_us=8000)
    frame = camera.read_frame()   # frame.on_axis: fraction of the exposure the ring was lit
"""

import time

from hardware.camera import Camera, Frame
from hardware.errors import DeviceNotFound


def fixed_exposure_controls(exposure_us: float, fps: float, analogue_gain: float = 1.0,
                            colour_gains: tuple[float, float] = (1.0, 1.0)) -> dict:
    """libcamera controls for a fixed exposure, gain, white balance and frame rate.

    Automatic exposure and white balance would make LED-on and LED-off frames incomparable,
    so both are off; the frame duration is pinned so frames come at a steady rate.
    """
    frame_us = int(round(1e6 / fps))
    if not 0 < exposure_us <= frame_us:
        raise ValueError(f"exposure_us={exposure_us} must be positive and fit in one frame "
                         f"({frame_us} us at {fps} fps)")
    return {
        "AeEnable": False,
        "AwbEnable": False,
        "ExposureTime": int(round(exposure_us)),
        "AnalogueGain": float(analogue_gain),
        "ColourGains": tuple(float(g) for g in colour_gains),
        "FrameDurationLimits": (frame_us, frame_us),
    }


def readout_s_for_mode(sensor_modes: list[dict], size: tuple[int, int],
                       bit_depth: int | None = None) -> float:
    """Estimate the rolling-shutter readout of the sensor mode used: 1 / its highest fps.

    ``sensor_modes`` is ``Picamera2.sensor_modes``; the mode is the one whose ``size`` matches
    (and ``bit_depth`` if given).
    """
    for mode in sensor_modes:
        if tuple(mode["size"]) == tuple(size) and bit_depth in (None, mode.get("bit_depth")):
            return 1.0 / float(mode["fps"])
    raise ValueError(f"no sensor mode of size {size} (bit depth {bit_depth}) among "
                     f"{[tuple(m['size']) for m in sensor_modes]}")


def boottime_to_clock_s(boottime_ns: int, boottime_now_s: float, clock_now_s: float) -> float:
    """A ``CLOCK_BOOTTIME`` instant on another clock, given both clocks read at one moment."""
    return boottime_ns * 1e-9 - (boottime_now_s - clock_now_s)


def exposure_window_s(metadata: dict, readout_s: float, boottime_now_s: float,
                      clock_now_s: float) -> tuple[float, float]:
    """The frame's exposure window [first row starts, last row ends] on the session clock."""
    try:
        sensor_ns = int(metadata["SensorTimestamp"])
        exposure_us = float(metadata["ExposureTime"])
    except KeyError as exc:
        raise ValueError(f"frame metadata lacks {exc.args[0]}: cannot time the exposure") from None
    first_row_end_s = boottime_to_clock_s(sensor_ns, boottime_now_s, clock_now_s)
    return first_row_end_s - exposure_us * 1e-6, first_row_end_s + readout_s


def _import_picamera2():
    try:
        from picamera2 import Picamera2  # noqa: PLC0415 - Pi only, from Raspberry Pi OS's apt
    except ImportError as exc:
        raise DeviceNotFound(f"Pi camera: picamera2 cannot be imported ({exc}); on Raspberry Pi "
                             f"OS: apt install python3-picamera2, and create the virtualenv "
                             f"with --system-site-packages") from None
    return Picamera2


class PicameraCamera(Camera):
    """The Pi camera, exposing at a fixed time while the illuminator blinks its rings."""

    def __init__(self, illuminator, *, width: int, height: int, fps: float, exposure_us: float,
                 camera_num: int = 0, clock=None):
        """``clock`` defaults to the illuminator's, on which its switches are logged."""
        Picamera2 = _import_picamera2()
        if not Picamera2.global_camera_info():
            raise DeviceNotFound("Pi camera: libcamera finds no camera; check the ribbon cable "
                                 "and `rpicam-hello --list-cameras`")
        self.illuminator = illuminator
        self.clock = clock or illuminator.clock  # the clock the rings' switch log is kept on
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self._picam2 = Picamera2(camera_num)
        config = self._picam2.create_video_configuration(
            main={"size": (self.width, self.height), "format": "RGB888"},  # BGR bytes, as OpenCV
            controls=fixed_exposure_controls(exposure_us, fps))
        self._picam2.configure(config)
        sensor = self._picam2.camera_configuration()["sensor"]
        self.readout_s = readout_s_for_mode(self._picam2.sensor_modes, sensor["output_size"],
                                            sensor.get("bit_depth"))
        self._picam2.start()
        self._index = 0

    def set_exposure_us(self, exposure_us: float) -> None:
        """Ask for a new exposure; frames report it once the sensor really uses it."""
        self._picam2.set_controls(fixed_exposure_controls(exposure_us, self.fps))

    def read_frame(self) -> Frame:
        request = self._picam2.capture_request()
        try:
            image = request.make_array("main")
            metadata = request.get_metadata()
        finally:
            request.release()
        boottime_now_s = time.clock_gettime(time.CLOCK_BOOTTIME)
        start_s, end_s = exposure_window_s(metadata, self.readout_s, boottime_now_s,
                                           self.clock.now_s())
        on_axis, off_axis = self.illuminator.lit_fractions(start_s, end_s)
        frame = Frame(index=self._index, image=image, timestamp_s=start_s,
                      exposure_us=float(metadata["ExposureTime"]), on_axis=on_axis,
                      off_axis=off_axis)
        self._index += 1
        return frame

    def close(self) -> None:
        self._picam2.stop()
        self._picam2.close()
