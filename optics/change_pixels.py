"""The pixel test both keyframes of a place go through (``optics.change`` and its passes):
how far each picture lies outside the range the other holds nearby, and a window of a picture
taken a few pixels further on.

A pixel is changed only if its value is found nowhere within ``TOLERANCE_PX`` in the other
picture (the min/max of that neighbourhood): a pixel or two of residual misalignment after the
homography is no change. Pure: float ratio arrays in, arrays out.
"""

import cv2
import numpy as np

TOLERANCE_PX = 2
MIN_AREA_PX = 2  # candidate pixels: fewer is noise, not a thing
GROUP_PX = 7  # candidate pixels this close are one thing (an object's outline)


def excess_maps(ref_w: np.ndarray, today_n: np.ndarray, tolerance_px: int = TOLERANCE_PX):
    """(today's excess, the reference's excess): how far each pixel's value lies outside the
    range the other picture holds within ``tolerance_px`` of it (0 where it is in range)."""
    kernel = np.ones((2 * tolerance_px + 1,) * 2, np.uint8)
    ref_lo, ref_hi = cv2.erode(ref_w, kernel), cv2.dilate(ref_w, kernel)
    today_lo, today_hi = cv2.erode(today_n, kernel), cv2.dilate(today_n, kernel)
    excess_today = np.maximum(np.maximum(ref_lo - today_n, today_n - ref_hi), 0)
    excess_ref = np.maximum(np.maximum(today_lo - ref_w, ref_w - today_hi), 0)
    return excess_today, excess_ref


def shifted(image, box, shift) -> np.ndarray:
    """``image[y0:y1, x0:x1]`` of ``box = (x0, y0, x1, y1)`` taken ``shift = (dx, dy)``
    pixels further on, the picture's border repeated beyond its edge."""
    x0, y0, x1, y1 = (int(v) for v in box)
    dx, dy = int(shift[0]), int(shift[1])
    h, w = image.shape
    rows = np.clip(np.arange(y0 + dy, y1 + dy), 0, h - 1)
    cols = np.clip(np.arange(x0 + dx, x1 + dx), 0, w - 1)
    return image[np.ix_(rows, cols)]
