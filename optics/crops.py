"""Evidence crops: a small patch around a finding, enlarged and marked.

Only the patch is ever kept, never the frame it came from: these images come from inside
restrooms and must show no more than the suspect spot.
"""

import cv2
import numpy as np

CROP_HALF_PX = 24
CROP_ZOOM = 4
_COLOURS_BGR = {"lens": (0, 0, 255), "ir_emitter": (255, 0, 255), "visible_led": (0, 200, 0)}


def cut_patch(image: np.ndarray, x: float, y: float) -> np.ndarray:
    """The raw patch of ``image`` around (x, y), padded with black at the frame's edge."""
    if image.ndim == 2:
        image = image[..., None]
    height, width = image.shape[:2]
    xi, yi = round(x), round(y)
    size = 2 * CROP_HALF_PX + 1
    patch = np.zeros((size, size, image.shape[2]), np.uint8)
    x0, y0 = xi - CROP_HALF_PX, yi - CROP_HALF_PX
    sx0, sy0 = max(x0, 0), max(y0, 0)
    sx1, sy1 = min(x0 + size, width), min(y0 + size, height)
    if sx1 > sx0 and sy1 > sy0:
        patch[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = image[sy0:sy1, sx0:sx1]
    return patch


def annotate(patch: np.ndarray, kind: str, offset_xy: tuple[float, float], radius_px: float):
    """Enlarge a patch and circle the finding (at ``offset_xy`` from the patch centre)."""
    if patch.shape[2] == 1:
        patch = cv2.cvtColor(patch, cv2.COLOR_GRAY2BGR)
    big = cv2.resize(patch, None, fx=CROP_ZOOM, fy=CROP_ZOOM, interpolation=cv2.INTER_NEAREST)
    centre = ((CROP_HALF_PX + offset_xy[0] + 0.5) * CROP_ZOOM,
              (CROP_HALF_PX + offset_xy[1] + 0.5) * CROP_ZOOM)
    radius = int(max(radius_px + 3, 4) * CROP_ZOOM)
    cv2.circle(big, (round(centre[0]), round(centre[1])), radius, _COLOURS_BGR[kind], 2,
               cv2.LINE_AA)
    return big
