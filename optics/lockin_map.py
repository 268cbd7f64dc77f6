"""The registered lock-in map: on-axis minus off-axis evidence, accumulated per scene point.

A distant or small lens glints only a few noise sigmas above the wall in any one frame, too
little to pick out of a million pixels, but it glints on the same scene point in every frame
lit by the on-axis ring. Each frame's contrast map (``optics.candidates``) is warped onto the
canvas (the first frame's grid, at detection resolution) and averaged, weighted by the inverse
of that frame's noise variance and per millisecond of exposure, separately over the frames lit
by the on-axis ring only and by the off-axis ring only. Their difference is the lock-in:

    lockin = mean(contrast / exposure_ms | on-axis frames) - mean(... | off-axis frames)

- a cat's eye answers the on-axis ring only: it stands out, and coherent averaging over N lit
  frames raises its SNR by about sqrt(N / 2);
- the wall's texture, LEDs, lamp highlights and the rings' own diffuse light (both rings light
  the wall alike) appear in both averages and cancel; a shiny curve answers both rings and
  mostly cancels; a sliding highlight or a tile's mirror image of the ring smears out.

``peaks`` returns the points standing ``threshold`` sigmas above zero: the pipeline treats
them as candidates of the current frame, so the tracks, features and scoring decide the rest.
"""

import cv2
import numpy as np

#: The canvas extends this fraction of the frame's size beyond the first frame on each side
#: (a scan slides up to about a third of the view).
CANVAS_PAD = 0.5
MIN_FRAMES = 3  # per ring, before a point's lock-in is trusted
PEAK_SIGMA = 5.5
MAX_PEAKS = 8
PEAK_REACH_PX = 2  # a peak is the largest SNR within this (map px) in x and y


class LockInMap:
    """Accumulates contrast maps of size ``shape`` (detection px, ``factor`` full-res px each)."""

    def __init__(self, shape: tuple[int, int], factor: int, margin_px: int):
        height, width = shape
        self.factor = factor
        self.margin_px = margin_px
        self.pad = np.array([round(CANVAS_PAD * width), round(CANVAS_PAD * height)])
        size = (height + 2 * self.pad[1], width + 2 * self.pad[0])
        # Per ring: the inverse-variance-weighted sum of contrast/ms, the sum of the weights,
        # and how many frames covered each point (uint8, saturating at 255: only ever compared
        # with ``MIN_FRAMES``, and a byte a point is a quarter of the memory passes of a float).
        self.sums = {ring: np.zeros(size, np.float32) for ring in ("on", "off")}
        self.weights = {ring: np.zeros(size, np.float32) for ring in ("on", "off")}
        self.counts = {ring: np.zeros(size, np.uint8) for ring in ("on", "off")}
        # Per ring: the box (x0, y0, x1, y1) holding every point a frame has covered.
        self.covered: dict[str, tuple[int, int, int, int] | None] = {"on": None, "off": None}
        self._scale = np.diag([float(factor), float(factor), 1.0])
        self._shift = np.array([[1.0, 0, self.pad[0]], [0, 1.0, self.pad[1]], [0, 0, 1]])

    def _to_map(self, to_canvas: np.ndarray) -> np.ndarray:
        """Detection px of a frame -> map px."""
        return self._shift @ np.linalg.inv(self._scale) @ to_canvas @ self._scale

    def add(self, contrast: np.ndarray, noise_dn: float, exposure_ms: float,
            to_canvas: np.ndarray, ring: str) -> None:
        """Add one frame's contrast map, lit by ``ring`` ('on' or 'off') only."""
        to_map = self._to_map(to_canvas)
        height, width = contrast.shape
        m = self.margin_px
        corners = np.array([[m, m], [width - 1 - m, m], [width - 1 - m, height - 1 - m],
                            [m, height - 1 - m]], np.float64)
        quad = cv2.perspectiveTransform(corners[None], to_map)[0]
        map_h, map_w = self.sums[ring].shape
        x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(quad.max(axis=0)).astype(int) + 1, [map_w, map_h])
        if x1 <= x0 or y1 <= y0:
            return
        to_roi = np.array([[1.0, 0, -x0], [0, 1.0, -y0], [0, 0, 1]]) @ to_map
        size = (int(x1 - x0), int(y1 - y0))
        noise_per_ms = max(noise_dn, 0.5) / exposure_ms
        weight = 1.0 / noise_per_ms**2
        warped = cv2.warpPerspective(contrast, to_roi, size, flags=cv2.INTER_LINEAR)
        mask = np.zeros((size[1], size[0]), np.uint8)
        cv2.fillConvexPoly(mask, np.round(quad - [x0, y0]).astype(np.int32), 1)
        cv2.accumulate(warped * np.float32(weight / exposure_ms), self.sums[ring][y0:y1, x0:x1],
                       mask)
        for total, step in ((self.weights[ring][y0:y1, x0:x1], weight),
                            (self.counts[ring][y0:y1, x0:x1], 1)):
            cv2.add(total, step, dst=total, mask=mask)  # in place: no frame-sized constant
        self.covered[ring] = _union(self.covered[ring], (x0, y0, x1, y1))

    def peaks(self, to_canvas: np.ndarray, frame_shape: tuple[int, int]):
        """Lock-in peaks inside the frame of full-resolution shape ``frame_shape`` whose
        ``to_canvas`` is given: (x, y, snr) arrays in that frame's full-resolution pixels,
        strongest first."""
        to_map = self._to_map(to_canvas)
        # The frame's corners in detection px, the map's unit (a 1280x720 frame is 640x360).
        height, width = frame_shape[0] // self.factor, frame_shape[1] // self.factor
        corners = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                           np.float64)
        quad = cv2.perspectiveTransform(corners[None], to_map)[0]
        map_h, map_w = self.sums["on"].shape
        x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(quad.max(axis=0)).astype(int) + 1, [map_w, map_h])
        # Only where both rings have covered the scene can a point stand out; around that,
        # the points a peak's neighbourhood reaches, which read zero like the rest.
        both = _intersection(self.covered["on"], self.covered["off"])
        if both is None:
            return np.empty(0), np.empty(0), np.empty(0)
        reach = PEAK_REACH_PX
        x0, y0, x1, y1 = _intersection((x0, y0, x1, y1), (both[0] - reach, both[1] - reach,
                                                          both[2] + reach, both[3] + reach))
        if x1 <= x0 or y1 <= y0:
            return np.empty(0), np.empty(0), np.empty(0)
        window = np.s_[y0:y1, x0:x1]
        w_on = cv2.max(self.weights["on"][window], 1e-12)
        w_off = cv2.max(self.weights["off"][window], 1e-12)
        lockin = cv2.subtract(cv2.divide(self.sums["on"][window], w_on),
                              cv2.divide(self.sums["off"][window], w_off))
        sigma = cv2.sqrt(cv2.add(cv2.divide(1.0, w_on), cv2.divide(1.0, w_off)))
        # Zero where either ring has fewer than MIN_FRAMES frames (OpenCV's comparisons and a
        # masked copy: the same values as NumPy's boolean indexing, in a third of its time).
        enough = cv2.compare(cv2.min(self.counts["on"][window], self.counts["off"][window]),
                             MIN_FRAMES, cv2.CMP_GE)
        snr = cv2.divide(lockin, sigma)
        snr = cv2.bitwise_and(snr, snr, dst=np.zeros_like(snr), mask=enough)
        above = cv2.findNonZero(cv2.compare(snr, PEAK_SIGMA, cv2.CMP_GE))
        if above is None:
            return np.empty(0), np.empty(0), np.empty(0)
        xs, ys = above.reshape(-1, 2).T
        values = snr[ys, xs]
        peak = values >= _neighbourhood_max(snr, xs, ys, PEAK_REACH_PX)
        xs, ys, values = xs[peak], ys[peak], values[peak]
        if not len(xs):
            return np.empty(0), np.empty(0), np.empty(0)
        order = np.argsort(-values)[:MAX_PEAKS]
        xs, ys = xs[order], ys[order]
        dx, dy = _vertex(snr, xs, ys)
        map_points = np.column_stack([xs + dx + x0, ys + dy + y0]).astype(np.float64)
        frame_points = cv2.perspectiveTransform(map_points[None], np.linalg.inv(to_map))[0]
        # A map pixel is a block of full-resolution pixels: its centre.
        full = frame_points * self.factor + (self.factor - 1) / 2
        return full[:, 0], full[:, 1], values[order]


def _union(a, b):
    """The box holding boxes ``a`` (None: nothing) and ``b``, each (x0, y0, x1, y1)."""
    if a is None:
        return b
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _intersection(a, b):
    """The overlap of boxes ``a`` and ``b`` (None if either is None; it may be empty)."""
    if a is None or b is None:
        return None
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _neighbourhood_max(surface: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                       reach_px: int) -> np.ndarray:
    """The largest value of ``surface`` within ``reach_px`` (a square) of each point, the
    surface's edge excluded: a dilation read at the points only (few points of the lock-in
    map stand above ``PEAK_SIGMA``, and dilating the frame's whole window cost more). Coordinates
    clipped to the edge land inside each point's own neighbourhood, so they change nothing."""
    height, width = surface.shape
    steps = np.arange(-reach_px, reach_px + 1)
    rows = np.clip(ys[:, None, None] + steps[None, :, None], 0, height - 1)
    cols = np.clip(xs[:, None, None] + steps[None, None, :], 0, width - 1)
    return surface[rows, cols].max(axis=(1, 2))


def _vertex(surface: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """Sub-pixel offsets of peaks by a parabola through each peak and its neighbours."""
    height, width = surface.shape
    xl, xr = np.maximum(xs - 1, 0), np.minimum(xs + 1, width - 1)
    yu, yd = np.maximum(ys - 1, 0), np.minimum(ys + 1, height - 1)
    centre = surface[ys, xs]

    def offset(before, after):
        curvature = before - 2 * centre + after
        safe = np.where(curvature < 0, curvature, -1.0)
        return np.where(curvature < 0, np.clip(0.5 * (before - after) / safe, -0.5, 0.5), 0.0)

    return offset(surface[ys, xl], surface[ys, xr]), offset(surface[yu, xs], surface[yd, xs])
