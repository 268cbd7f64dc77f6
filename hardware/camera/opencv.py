"""A webcam or a video file through OpenCV, behind the camera seam.

- A video file (MP4, AVI, ... whatever OpenCV's FFmpeg reads): each frame's ``timestamp_s`` is
  its presentation time in the file (``CAP_PROP_POS_MSEC``), so a replay keeps the recording's
  own timing however fast it is read. A file that is missing or that OpenCV cannot decode is a
  ``RecordingError`` naming it; reading past its end is one too.
- A webcam (an integer index, ``/dev/videoN``): webcams report no exposure metadata, so the
  frame is taken to have been exposed for ``exposure_us`` ending when OpenCV returned it, on
  ``clock``. This is approximate; the Pi camera backend (``picamera``) is the one that times
  exposures from the sensor's own metadata.

``exposure_us`` comes from the device profile. LED fractions come from ``illuminator``
(``lit_fractions(start_s, end_s)`` over the exposure) when one is given, else 0: a recording has
no live LED rings.

Example::

    with OpenCVCamera("scan.mp4") as camera:
        frame = camera.read_frame()
"""

import os
from pathlib import Path

import cv2

from hardware.camera import Camera, Frame
from hardware.clock import MonotonicClock
from hardware.errors import DeviceNotFound, HardwareError, RecordingError


class OpenCVCamera(Camera):
    """Frames from ``cv2.VideoCapture``: a webcam index or a video file path."""

    def __init__(self, source: int | str | os.PathLike, *, exposure_us: float = 8000.0,
                 illuminator=None, clock=None):
        self.is_file = not isinstance(source, int)
        self.source = Path(source) if self.is_file else source
        self.exposure_us = float(exposure_us)
        self.illuminator = illuminator
        self.clock = clock or getattr(illuminator, "clock", None) or MonotonicClock()
        self._capture = self._open()
        self.width = int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS))
        self._index = 0

    def _open(self) -> cv2.VideoCapture:
        if self.is_file and not self.source.is_file():
            raise RecordingError(self.source, "video file is missing", code="missing")
        capture = cv2.VideoCapture(str(self.source) if self.is_file else self.source)
        if capture.isOpened():
            return capture
        if self.is_file:
            raise RecordingError(self.source, "OpenCV cannot open this video (not a video "
                                              "format it can decode, or damaged)",
                                 code="not_a_video_file")
        raise DeviceNotFound(f"webcam {self.source}: OpenCV cannot open /dev/video{self.source}")

    def read_frame(self) -> Frame:
        ok, image = self._capture.read()
        if not ok:
            if self.is_file:
                raise RecordingError(self.source, f"end of video after {self._index} frames",
                                     code="end_of_capture", count=self._index)
            raise HardwareError(f"webcam {self.source}: no frame (unplugged?)")
        exposure_s = self.exposure_us * 1e-6
        if self.is_file:
            start_s = self._capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        else:
            start_s = self.clock.now_s() - exposure_s
        on_axis, off_axis = (self.illuminator.lit_fractions(start_s, start_s + exposure_s)
                             if self.illuminator is not None else (0.0, 0.0))
        frame = Frame(index=self._index, image=image, timestamp_s=start_s,
                      exposure_us=self.exposure_us, on_axis=on_axis, off_axis=off_axis)
        self._index += 1
        return frame

    def close(self) -> None:
        self._capture.release()
