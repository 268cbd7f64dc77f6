"""Glint candidates in one frame: small points brighter than the ring of pixels around them.

Detection runs at about 640 px width whatever the sensor gives: a 1280x720 frame is max-pooled
2x2 first (a one-pixel glint survives max-pooling; it would not survive averaging), which keeps
a frame's cost near a millisecond. The contrast map is each pixel minus the mean
of an annulus around each pixel (4-7 px out at 640 px width): flat walls, grout lines and slow
lighting gradients (the rings' own pool of light, the lamp's flicker) cancel, and a point that
stands above its surroundings remains.

``measure_points`` measures the same quantity at full resolution at given places (the peak
near each: where a glint is), and the level at each point itself: the Gaussian-weighted mean
of its core minus its ring, a linear, unbiased measure that tracks take in every frame,
detected there or not, so their lock-in compares like with like (a peak searched in each frame
would pick up the brightest noise or texture pixel nearby in the dark frames, and hide both a
lens's dark hole and its glint).
"""

from dataclasses import dataclass

import cv2
import numpy as np

DETECTION_WIDTH_PX = 640
INNER_BOX_PX = 7
OUTER_BOX_PX = 15
PEAK_SIGMA = 6.0  # candidates stand this many noise sigmas above their ring
MIN_CONTRAST_DN = 5.0
#: The tracks take a frame's this many strongest candidates (each is measured in every frame
#: it stays in view); the local cat's-eye test takes every peak and keeps what it can use.
MAX_CANDIDATES = 24
PEAK_REACH_PX = 2  # a candidate is the largest contrast within this (detection px) in x and y


@dataclass(frozen=True)
class Candidates:
    """Local maxima of one frame's contrast map, in full-resolution pixels."""

    x: np.ndarray
    y: np.ndarray
    contrast_dn: np.ndarray
    noise_dn: float

    def strongest(self, count: int) -> "Candidates":
        """The ``count`` of highest contrast (all of them when there are no more)."""
        if len(self.contrast_dn) <= count:
            return self
        keep = np.argpartition(self.contrast_dn, -count)[-count:]
        return Candidates(self.x[keep], self.y[keep], self.contrast_dn[keep], self.noise_dn)


def to_gray8(image: np.ndarray) -> np.ndarray:
    """uint8 greyscale of a gray8 or bgr8 frame."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


def pool_factor(width: int) -> int:
    return max(1, round(width / DETECTION_WIDTH_PX))


def max_pool(gray8: np.ndarray, factor: int) -> np.ndarray:
    """Each factor x factor block's brightest pixel. Rows first (the maximum of each block's
    rows, taken over whole strided rows), then the columns, as the channels of that result
    split apart: twice as fast as a dilation sampled every block, on every frame."""
    if factor == 1:
        return gray8
    height, width = gray8.shape
    h, w = height // factor * factor, width // factor * factor
    rows = gray8[0:h:factor, :w]
    for dy in range(1, factor):
        rows = cv2.max(rows, gray8[dy:h:factor, :w])
    columns = cv2.split(np.ascontiguousarray(rows).reshape(h // factor, w // factor, factor))
    pooled = columns[0]
    for column in columns[1:]:
        pooled = cv2.max(pooled, column)
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


@dataclass(frozen=True)
class DetectionMap:
    """One frame's contrast map at detection resolution (``factor`` full-res px per px)."""

    contrast: np.ndarray
    noise_dn: float  # robust spread of the contrast over the frame
    factor: int
    pooled: np.ndarray | None = None  # the uint8 frame the map was made of (detection_map)


def detection_map(gray8: np.ndarray) -> DetectionMap:
    """The contrast map of the max-pooled frame: a one-pixel glint brighter than the wall
    survives pooling, which is what single-frame detection looks for."""
    factor = pool_factor(gray8.shape[1])
    pooled = max_pool(gray8, factor)
    detection = _with_noise(contrast_map(pooled), factor)
    return DetectionMap(detection.contrast, detection.noise_dn, factor, pooled)


def integration_map(gray8: np.ndarray) -> DetectionMap:
    """The contrast map of the area-averaged frame, for averaging over frames: linear in the
    image, so a glint inside a dark hole (darker than the wall even when lit) still changes
    it by its whole flux when the ring switches, where a maximum would not see it at all."""
    factor = pool_factor(gray8.shape[1])
    if factor > 1:
        height, width = gray8.shape
        gray8 = cv2.resize(gray8, (width // factor, height // factor),
                           interpolation=cv2.INTER_AREA)
    return _with_noise(contrast_map(gray8), factor)


def _with_noise(contrast: np.ndarray, factor: int) -> DetectionMap:
    sample = contrast[::9, ::7]
    noise_dn = 1.4826 * float(median_float(np.abs(sample - median_float(sample))))
    return DetectionMap(contrast, noise_dn, factor)


def median_float(values: np.ndarray) -> np.floating:
    """``np.median`` of a float array without NaNs, the same value in the same dtype (the
    middle value, or the mean of the middle two in the array's own precision), by one
    partition: ``np.median``'s generality costs seven times the partition on the few
    thousand values of a frame's noise sample, twice per map, on every frame."""
    flat = values.ravel()
    middle = flat.size // 2
    if flat.size % 2:
        return np.partition(flat, middle)[middle]
    low, high = np.partition(flat, [middle - 1, middle])[middle - 1:middle + 1]
    return (low + high) / 2


def find_candidates(gray8: np.ndarray, detection: DetectionMap,
                    cap: int | None = MAX_CANDIDATES) -> Candidates:
    """The strongest ``cap`` local maxima (all of them for ``None``) of ``detection``
    (``gray8``'s map) that stand clear of the frame's own noise."""
    contrast, noise_dn, factor = detection.contrast, detection.noise_dn, detection.factor
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
    # A textured wall puts thousands of pixels over the threshold: one dilation of the map
    # costs less than gathering each one's neighbourhood.
    side = 2 * PEAK_REACH_PX + 1
    peak = values >= cv2.dilate(contrast, np.ones((side, side), np.uint8))[ys, xs]
    xs, ys, values = xs[peak], ys[peak], values[peak]
    if factor > 1:
        xs, ys = _brightest_in_block(gray8, xs, ys, factor)
    peaks = Candidates(xs.astype(float), ys.astype(float), values.astype(float), noise_dn)
    return peaks if cap is None else peaks.strongest(cap)


def _brightest_in_block(gray8, xs, ys, factor):
    """Full-resolution position of the brightest pixel of each pooled block."""
    offsets = [(dy, dx) for dy in range(factor) for dx in range(factor)]
    stack = np.array([gray8[ys * factor + dy, xs * factor + dx] for dy, dx in offsets])
    best = np.argmax(stack, axis=0)
    dys = np.array([o[0] for o in offsets])[best]
    dxs = np.array([o[1] for o in offsets])[best]
    return xs * factor + dxs, ys * factor + dys


_OFFSETS = np.array([-1.0, 0.0, 1.0], np.float32)

#: Width (px at 640 px width) of the level's weighting: a glint's blur plus registration
#: error, which the measurement must tolerate.
LEVEL_SIGMA_PX = 1.0


@dataclass(frozen=True)
class PointMeasures:
    """``measure_points`` at each point asked; ``valid`` is False (and the rest NaN) where the
    point is too close to the frame's edge to have its annulus."""

    valid: np.ndarray
    peak_dn: np.ndarray  # brightest pixel within the search reach, over the annulus mean
    x: np.ndarray  # that peak's sub-pixel centroid
    y: np.ndarray
    ring_dn: np.ndarray  # the annulus mean: the surface around the point
    level_dn: np.ndarray  # Gaussian-weighted level at the point itself, over the annulus mean

    def take(self, which) -> "PointMeasures":
        """The measures of the points ``which`` (an index array or a slice): a point's
        measures do not depend on the others measured with it, so one gather can serve
        several steps."""
        return PointMeasures(self.valid[which], self.peak_dn[which], self.x[which],
                             self.y[which], self.ring_dn[which], self.level_dn[which])


def measure_points(gray8: np.ndarray, xs, ys, search_px: int = 0) -> PointMeasures:
    """Measure many points of one frame at full resolution, at once (a frame measures every
    track in view: one gather, no per-point Python)."""
    xs = np.atleast_1d(np.asarray(xs, float))
    return measure_points_across([gray8], np.zeros(len(xs), int), xs, ys, search_px)


def measure_points_across(grays: list[np.ndarray], which: np.ndarray, xs, ys,
                          search_px: int = 0) -> PointMeasures:
    """``measure_points`` for points of several frames of one size at once, point k in
    ``grays[which[k]]``: a new track is measured back over a dozen frames, and one call for
    them all costs what one frame's call does."""
    xs, ys = np.atleast_1d(np.asarray(xs, float)), np.atleast_1d(np.asarray(ys, float))
    factor = pool_factor(grays[0].shape[1])
    outer, inner = OUTER_BOX_PX // 2 * factor, INNER_BOX_PX // 2 * factor
    height, width = grays[0].shape
    xi, yi = np.rint(xs).astype(int), np.rint(ys).astype(int)
    valid = (outer <= xi) & (xi < width - outer) & (outer <= yi) & (yi < height - outer)

    def scatter(values):
        full = np.full(len(xs), np.nan)
        full[valid] = values
        return full

    if not valid.any():
        return PointMeasures(valid, *(scatter(np.empty(0)) for _ in range(5)))
    points = _Points(xs[valid], ys[valid], xi[valid], yi[valid])
    window = _window(grays, np.asarray(which)[valid], points, outer, inner)
    peak = _peak(window, points, search_px)
    level = _level(window, points, LEVEL_SIGMA_PX * factor)
    return PointMeasures(valid, scatter(peak.peak_dn), scatter(peak.x), scatter(peak.y),
                         scatter(window.ring_dn), scatter(level))


@dataclass(frozen=True)
class _Points:
    """Points to measure: sub-pixel positions and the pixels they fall in."""

    x: np.ndarray
    y: np.ndarray
    xi: np.ndarray
    yi: np.ndarray


@dataclass(frozen=True)
class _Window:
    """The pixels around each point: the whole annulus box and its core, and the annulus mean."""

    patches: np.ndarray  # (n, 2 * outer + 1, 2 * outer + 1) float32
    core: np.ndarray  # (n, 2 * inner + 1, 2 * inner + 1): the box inside the annulus
    ring_dn: np.ndarray  # the annulus mean: the surface around each point
    outer: int
    inner: int


def _boxes(gray8: np.ndarray, side: int) -> np.ndarray:
    """Every ``side`` x ``side`` box of ``gray8``, indexed by its top-left pixel (a read-only
    view: ``sliding_window_view``'s array, made directly at a quarter of its fixed cost)."""
    height, width = gray8.shape
    return np.lib.stride_tricks.as_strided(
        gray8, (height - side + 1, width - side + 1, side, side), gray8.strides * 2,
        writeable=False)


@dataclass(frozen=True)
class _Peak:
    peak_dn: np.ndarray  # brightest pixel within the search reach, over the annulus mean
    x: np.ndarray  # its sub-pixel centroid
    y: np.ndarray


def _window(grays: list[np.ndarray], which: np.ndarray, points: _Points, outer: int,
            inner: int) -> _Window:
    """Each point's box, gathered whole from a strided view of its frame (one index per
    box, not one per pixel: the gathers of a frame's tracks take a few dozen boxes)."""
    side = 2 * outer + 1
    patches = np.empty((len(points.x), side, side), np.float32)
    for k, gray8 in enumerate(grays):
        mine = np.flatnonzero(which == k)
        if len(mine):
            patches[mine] = _boxes(gray8, side)[points.yi[mine] - outer, points.xi[mine] - outer]
    core = patches[:, outer - inner:outer + inner + 1, outer - inner:outer + inner + 1]
    n_ring = patches.shape[1] ** 2 - core.shape[1] ** 2
    ring = (patches.sum(axis=(1, 2)) - core.sum(axis=(1, 2))) / n_ring
    return _Window(patches, core, ring, outer, inner)


def _peak(window: _Window, points: _Points, search_px: int) -> _Peak:
    """The brightest pixel within ``search_px`` of each point, unsmoothed as in the contrast
    map, and the centroid of the 3x3 pixels around it."""
    outer, ring = window.outer, window.ring_dn
    reach = search_px + 1
    local = window.patches[:, outer - reach:outer + reach + 1, outer - reach:outer + reach + 1]
    side = 2 * search_px + 1
    n = len(points.x)
    flat = local[:, 1:-1, 1:-1].reshape(n, -1)
    best = flat.argmax(axis=1)
    iy, ix = np.divmod(best, side)
    rows = np.arange(n)
    peak = flat[rows, best] - ring
    three = np.arange(3)
    weights = np.clip(local[rows[:, None, None], (iy[:, None] + three)[:, :, None],
                            (ix[:, None] + three)[:, None, :]] - ring[:, None, None], 0, None)
    total = weights.sum(axis=(1, 2))
    safe = np.where(total > 0, total, 1.0)
    cx = (points.xi - search_px + ix
          + np.where(total > 0, weights.sum(axis=1) @ _OFFSETS / safe, 0.0))
    cy = (points.yi - search_px + iy
          + np.where(total > 0, weights.sum(axis=2) @ _OFFSETS / safe, 0.0))
    return _Peak(peak, cx, cy)


def _level(window: _Window, points: _Points, sigma_px: float) -> np.ndarray:
    """The Gaussian-weighted level of each point's core over its annulus mean: linear in the
    image, so noise and texture average out rather than being picked as a maximum."""
    offsets = np.arange(-window.inner, window.inner + 1, dtype=np.float32)
    gx = np.exp(-0.5 * ((offsets[None, :] - (points.x - points.xi)[:, None]) / sigma_px) ** 2)
    gy = np.exp(-0.5 * ((offsets[None, :] - (points.y - points.yi)[:, None]) / sigma_px) ** 2)
    return (np.einsum("ni,nij,nj->n", gy, window.core, gx) / (gy.sum(axis=1) * gx.sum(axis=1))
            - window.ring_dn)
