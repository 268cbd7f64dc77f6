"""A place's reference picture: one registered, small grey keyframe per optical scan.

The scan's first code block holds every ring state once (on-axis, off-axis, dark), so the
per-pixel median of its frames, each registered onto frame 0, keeps the place and drops what
only one ring lights (a lens's glint, a ring's reflection in chrome): a picture of the place,
not of the blink code. It is reduced to ``KEYFRAME_WIDTH_PX`` x ``KEYFRAME_HEIGHT_PX`` (enough
for a 4 mm hole at 1.2 m to be ~2 px; small enough to keep one per place per inspection) and
lies in frame 0's view, so a keyframe pixel maps to frame 0 by ``to_frame0``.

Only places are filmed: the handheld points at walls and fixtures during a scan, and a
keyframe is taken from the scan's own frames, never at any other time.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from optics.candidates import to_gray8
from optics.change import KEYFRAME_HEIGHT_PX, KEYFRAME_WIDTH_PX
from optics.registration import Registrar, registration_image

FRAMES_MERGED = 3  # one code block: each ring state once


@dataclass(frozen=True)
class Keyframe:
    image: np.ndarray  # uint8, KEYFRAME_HEIGHT_PX x KEYFRAME_WIDTH_PX
    frame_width: int
    frame_height: int

    def to_frame0(self, x: float, y: float) -> tuple[float, float]:
        """A keyframe pixel's position in frame 0 (pixel centres at integers)."""
        sx = self.frame_width / KEYFRAME_WIDTH_PX
        sy = self.frame_height / KEYFRAME_HEIGHT_PX
        return (x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5

    def png(self) -> bytes:
        ok, data = cv2.imencode(".png", self.image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        if not ok:
            raise ValueError("the keyframe could not be encoded as PNG")
        return data.tobytes()


def keyframe_from_images(images) -> Keyframe:
    """The keyframe of a scan from its first frames' images (uint8 grey or BGR)."""
    images = [to_gray8(image) for image in list(images)[:FRAMES_MERGED]]
    if not images:
        raise ValueError("a keyframe needs at least one frame")
    height, width = images[0].shape
    registrar = Registrar()
    stack = []
    for gray in images:
        if gray.shape != (height, width):
            raise ValueError(f"frames differ in size: {gray.shape[1]}x{gray.shape[0]} and "
                             f"{width}x{height}")
        to_canvas = registrar.register(registration_image(gray))
        stack.append(cv2.warpPerspective(gray, to_canvas, (width, height),
                                         flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REPLICATE))
    merged = np.median(np.stack(stack), axis=0).astype(np.uint8)
    small = cv2.resize(merged, (KEYFRAME_WIDTH_PX, KEYFRAME_HEIGHT_PX),
                       interpolation=cv2.INTER_AREA)
    return Keyframe(small, width, height)


def decode_keyframe(data: bytes) -> np.ndarray:
    """A stored keyframe PNG back to its uint8 grey array (``ValueError`` if it is not one)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.ndim != 2 or image.dtype != np.uint8:
        raise ValueError("not an 8-bit grey PNG keyframe")
    return image
