"""Glint candidates in one frame: small points brighter than the ring of pixels around them.

Detection runs at about 640 px width whatever the sensor gives: a 1280x720 frame is max-pooled
2x2 first (a one-pixel glint survives max-pooling; it would not survive averaging), which keeps
a frame's cost near a millisecond. The contrast map is each pixel minus the mean
of an annulus around each pixel (4-7 px out at 640 px width): flat walls, grout lines and slow
lighting gradients (the rings' own pool of light, the lamp's flicker) cancel, and a point that
stands above its surroundings remains.

``point_contrast`` measures the same quantity at full resolution at one place: tracks use it
in every frame, detected there or not, so their lock-in compares like with like.
"""

from dataclasses import dataclass

import cv2
import numpy as np

DETECTION_WIDTH_PX = 640
INNER_BOX_PX = 7
OUTER_BOX_PX = 15
PEAK_SIGMA = 6.0  # candidates stand this many noise sigmas above their ring
MIN_CONTRAST_DN = 5.0
MAX_CANDIDATES = 24


@dataclass(frozen=True)
class Candidates:
    """Local maxima of one frame's contrast map, in full-resolution pixels."""

    x: np.ndarray
    y: np.ndarray
    contrast_dn: np.ndarray
    noise_dn: float


def to_gray8(image: np.ndarray) -> np.ndarray:
    """uint8 greyscale of a gray8 or bgr8 frame."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


def pool_factor(width: int) -> int:
    return max(1, round(width / DETECTION_WIDTH_PX))


def max_pool(gray8: np.ndarray, factor: int) -> np.ndarray:
    """Each factor x factor block's brightest pixel."""
    if factor == 1:
        return gray8
    height, width = gray8.shape
    h, w = height // factor * factor, width // factor * factor
    blocks = gray8[:h, :w]
    pooled = blocks[::factor, ::factor].copy()
    for dy in range(factor):
        for dx in range(factor):
            np.maximum(pooled, blocks[dy::factor, dx::factor], out=pooled)
    return pooled


def contrast_map(gray8: np.ndarray) -> np.ndarray:
    """Each pixel's level minus the mean of the annulus around it (float32)."""
    inner_area, outer_area = INNER_BOX_PX**2, OUTER_BOX_PX**2
    outer = cv2.boxFilter(gray8, cv2.CV_32F, (OUTER_BOX_PX, OUTER_BOX_PX), normalize=False,
                          borderType=cv2.BORDER_REFLECT)
    inner = cv2.boxFilter(gray8, cv2.CV_32F, (INNER_BOX_PX, INNER_BOX_PX), normalize=False,
                          borderType=cv2.BORDER_REFLECT)
    # The centre is the pixel itself, unsmoothed: a distant lens's glint is one pixel inside the
    # dark pixel or two of its hole, and any smoothing averages the two away.
    return cv2.scaleAdd(cv2.subtract(outer, inner), -1.0 / (outer_area - inner_area),
                        gray8.astype(np.float32))


def find_candidates(gray8: np.ndarray) -> Candidates:
    """The strongest local maxima that stand clear of the frame's own noise."""
    factor = pool_factor(gray8.shape[1])
    contrast = contrast_map(max_pool(gray8, factor))
    sample = contrast[::9, ::7]
    noise_dn = 1.4826 * float(np.median(np.abs(sample - np.median(sample))))
    threshold_dn = max(PEAK_SIGMA * noise_dn, MIN_CONTRAST_DN)
    margin = OUTER_BOX_PX // 2  # the annulus needs real pixels all round: no border artefacts
    inner = contrast[margin:-margin, margin:-margin]
    mask = (inner > threshold_dn).astype(np.uint8)
    points = cv2.findNonZero(mask)
    if points is None:
        return Candidates(np.empty(0), np.empty(0), np.empty(0), noise_dn)
    points = points.reshape(-1, 2)
    xs, ys = points[:, 0] + margin, points[:, 1] + margin
    values = contrast[ys, xs]
    neighbourhood = np.max([contrast[ys + dy, xs + dx] for dy in range(-2, 3)
                            for dx in range(-2, 3)], axis=0)
    peak = values >= neighbourhood
    xs, ys, values = xs[peak], ys[peak], values[peak]
    if len(values) > MAX_CANDIDATES:
        strongest = np.argpartition(values, -MAX_CANDIDATES)[-MAX_CANDIDATES:]
        xs, ys, values = xs[strongest], ys[strongest], values[strongest]
    if factor > 1:
        xs, ys = _brightest_in_block(gray8, xs, ys, factor)
    return Candidates(xs.astype(float), ys.astype(float), values.astype(float), noise_dn)


def _brightest_in_block(gray8, xs, ys, factor):
    """Full-resolution position of the brightest pixel of each pooled block."""
    offsets = [(dy, dx) for dy in range(factor) for dx in range(factor)]
    stack = np.array([gray8[ys * factor + dy, xs * factor + dx] for dy, dx in offsets])
    best = np.argmax(stack, axis=0)
    dys = np.array([o[0] for o in offsets])[best]
    dxs = np.array([o[1] for o in offsets])[best]
    return xs * factor + dxs, ys * factor + dys


_OFFSETS = np.array([-1.0, 0.0, 1.0])


def point_contrast(gray8: np.ndarray, x: float, y: float, search_px: int = 1):
    """Peak contrast near (x, y) at full resolution: the brightest pixel within ``search_px``
    minus the mean of the annulus around it. Returns (contrast, x, y, ring mean)
    with the peak's sub-pixel centroid, or None if the point is too close to the frame's edge
    to have its annulus."""
    factor = pool_factor(gray8.shape[1])
    outer = OUTER_BOX_PX // 2 * factor
    height, width = gray8.shape
    xi, yi = round(x), round(y)
    if not (outer <= xi < width - outer and outer <= yi < height - outer):
        return None
    patch = gray8[yi - outer:yi + outer + 1, xi - outer:xi + outer + 1].astype(np.float32)
    inner = INNER_BOX_PX // 2 * factor
    core = patch[outer - inner:outer + inner + 1, outer - inner:outer + inner + 1]
    ring_mean = (patch.sum() - core.sum()) / (patch.size - core.size)
    reach = search_px + 1
    local = patch[outer - reach:outer + reach + 1, outer - reach:outer + reach + 1]
    inner_local = local[1:-1, 1:-1]  # unsmoothed, as in the contrast map
    iy, ix = np.unravel_index(int(np.argmax(inner_local)), inner_local.shape)
    peak = float(inner_local[iy, ix]) - ring_mean
    weights = np.clip(local[iy:iy + 3, ix:ix + 3] - ring_mean, 0, None)
    total = float(weights.sum())
    cx = xi - search_px + ix
    cy = yi - search_px + iy
    if total > 0:
        cx += float((weights.sum(axis=0) @ _OFFSETS)) / total
        cy += float((weights.sum(axis=1) @ _OFFSETS)) / total
    return peak, cx, cy, float(ring_mean)
