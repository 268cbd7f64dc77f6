"""The camera seam: frames with the metadata the optics pipeline depends on.

Every frame carries when its exposure started (``timestamp_s``, on the session's clock), how long
it lasted (``exposure_us``) and, for each LED ring, the fraction of that exposure during which
the ring was lit (``on_axis``, ``off_axis``, 0..1). Real backends work those fractions out from
the sensor's own frame metadata and the illuminator's switch log, never from sleeps.

Backends:
- ``hardware.camera.picamera.PicameraCamera``: the Pi NoIR camera through Picamera2 (imported
  lazily: picamera2 needs libcamera and exists only on a Pi).
- ``hardware.camera.opencv.OpenCVCamera``: a webcam or a video file through OpenCV.
- ``hardware.camera.capture_dir``: ``ansim-capture/1`` directories (read and write); the format
  is documented in docs/capture-format.md.
- ``hardware.camera.simulated.SimulatedCamera``: renders the simulated restroom from the
  handheld's pose, lit by whichever rings the illuminator has on.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One camera frame and its metadata.

    ``image`` is uint8, HxW (gray8) or HxWx3 (bgr8), linear in light where the backend can
    make it so. It carries only what a real camera measures; the simulated camera's frames
    (``hardware.camera.simulated.SimulatedFrame``) add the pose they were rendered from, the
    truth a test may compare with and the pipelines never read.
    """

    index: int
    image: np.ndarray
    timestamp_s: float
    exposure_us: float
    on_axis: float
    off_axis: float

    @property
    def pixel_format(self) -> str:
        return "gray8" if self.image.ndim == 2 else "bgr8"


class Camera(ABC):
    """A source of ``Frame`` objects."""

    width: int
    height: int

    @abstractmethod
    def read_frame(self) -> Frame:
        """Block until the next frame is exposed and return it with its metadata."""

    def set_exposure_us(self, exposure_us: float) -> None:
        """Fix the exposure time; backends that cannot (recordings) ignore it."""

    def close(self) -> None:
        """Release the camera or file."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
