"""Small dark things beside an edge, at the local registration (``optics.change`` asks).

The comparison's pixel test forgives ``TOLERANCE_PX`` (2 px) of misregistration everywhere: a
point changed only if its value lies outside the range the other picture holds within 2 px.
A screw head (4-10 px across at 0.5-1.2 m) touching a grout line or a fixture's edge then
vanishes: the min over its neighbourhood in the picture without it takes in the grout's dark,
and the head's difference is excused.

On the wall, after the homography, what is left of the misregistration is smooth and well
under a pixel. Measured where it is (``local_flow``: Lucas-Kanade over a Gaussian window of
``FLOW_SIGMA_PX``, far larger than a head, the pixels that differ most left out of the fit),
the picture without the thing can be brought onto today's to a fraction of a pixel, and a
1 px tolerance (``FINE_TOLERANCE_PX``) suffices: a grout line excuses only what lies within
1 px of it, and a head whose middle sits 2 px off the grout shows.

A spot is kept (``fine_dark_spots``) only where that local fit holds and nothing but wall
and grout lies around it:
- it is darker than anything within 1 px in the other picture by ``min_dark`` (the caller's
  faint-dark excess), small and compact (a spot, not a line along an edge);
- the ring of wall around it (beyond its own highlight and shadow, ``RING_GAP_PX``) is
  explained to a fraction of its darkness (``RING_FRACTION``): a fixture's edge moving by
  parallax, a second plane or a shadow's tip leaves difference along the edge beyond the spot;
- the picture without it, its dark lines up to 8 px across closed (``GROUT_CLOSING_PX``), is
  plain around it (``WALL_PLAIN_RANGE``): tiles and grout, no fixture's or shadow's step (a
  step is what parallax moves);
- the picture without it holds no dark spot of its own around it (a line closing across and
  one along fill any spot but keep a line): a dark thing seen a few px further is a thing
  that moved, not one that came.
Everything else is left to the comparison's other rules.

Pure: float ratio arrays in, plain tuples out.
"""

import cv2
import numpy as np

from optics.change_pixels import excess_maps

FLOW_SIGMA_PX = 8.0  # the fit's window: 2-3 heads across, so a head cannot steer it
FLOW_ITERATIONS = 4  # warp and fit again: one first-order step falls short (an edge is not
#   linear over a pixel); the synthetic test's 0.6 px comes within 0.15 px
FLOW_ROBUST_FROM = 2  # from this step on, pixels still differing take no part
MAX_FLOW_PX = 1.5  # what is left of the wall's misregistration after the homography
FLOW_REGULARISATION = 1e-5  # (ratio/px)^2: where the window holds no structure the shift stays 0
FLOW_OUTLIER = 0.06  # ratio units: a pixel differing more is left out of the fit
FINE_TOLERANCE_PX = 1  # the registration's slack once the local fit is applied
SPOT_MIN_PX = 2  # pixels darker by ``min_dark``: a lone one is noise
SPOT_MAX_RADIUS_PX = 6.0  # a screw head 10.5 px across at most
SPOT_MIN_FILL = 0.35  # of its box the weak difference fills at least this: a spot, not a line
RING_PX = 6  # the wall around a spot that the local fit must explain
RING_GAP_PX = 4  # ... beyond this from the spot: its own blur, shadow and highlight (a chrome
#   dome's highlight 3 px from its shaded side at 0.86 m, tuning place 9231)
RING_FRACTION = 0.5  # the ring's largest unexplained difference, over the spot's darkness
GROUT_CLOSING_PX = 9  # a grey closing this wide fills dark lines up to 8 px across (grout of
#   2-5 mm: 1-8 px at 0.4-1.2 m) with the tiles' level; a step (a fixture's outline, a
#   shadow's edge) it keeps
WALL_RING_PX = 8  # how far around a spot the closed picture must be plain
WALL_PLAIN_RANGE = 0.045  # ratio units: its 2nd-98th percentile spread there (tiles around
#   the tuning places' screws and holes: 0.013-0.028; a fixture's or shadow's step within
#   8 px: >= 0.064)


def local_flow(ref: np.ndarray, today: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per-pixel shift ``(dx, dy)`` (``(h, w, 2)``) such that ``ref`` at ``p + shift`` shows
    today's ``p``: Lucas-Kanade over a Gaussian window (``FLOW_SIGMA_PX``), iterated, within
    ``MAX_FLOW_PX``; pixels where ``weight`` is 0, and those that still differ by more than
    ``FLOW_OUTLIER`` once the fit has nearly converged (``FLOW_ROBUST_FROM``), take no part
    (a new thing is not a shift)."""
    flow = np.zeros((*today.shape, 2), np.float32)
    for step in range(FLOW_ITERATIONS):
        moved = _warp(ref, flow)
        diff = today - moved
        use = weight.astype(np.float32)
        if step >= FLOW_ROBUST_FROM:
            use = use * (np.abs(diff) < FLOW_OUTLIER)
        gx = cv2.Sobel(moved, cv2.CV_32F, 1, 0, ksize=3) / 8.0
        gy = cv2.Sobel(moved, cv2.CV_32F, 0, 1, ksize=3) / 8.0

        def window(a):
            return cv2.GaussianBlur(a * use, (0, 0), FLOW_SIGMA_PX)
        a, b, c = (window(gx * gx) + FLOW_REGULARISATION, window(gx * gy),
                   window(gy * gy) + FLOW_REGULARISATION)
        p, q = window(gx * diff), window(gy * diff)
        det = a * c - b * b
        flow[..., 0] += (c * p - b * q) / det
        flow[..., 1] += (a * q - b * p) / det
        np.clip(flow, -MAX_FLOW_PX, MAX_FLOW_PX, out=flow)
    return flow


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """``image`` at each pixel ``p + flow[p]`` (bilinear, the edge repeated)."""
    h, w = image.shape
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(image, grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def fine_dark_spots(ref_w, today_n, valid, skip, threshold, min_dark) -> list[tuple]:
    """Small dark spots that the 2 px tolerance hides beside an edge and the local
    registration shows: ``(kind, x, y, radius_px, peak, box)`` for each, ``kind`` "new"
    (today holds it) or "removed" (the reference does), ``peak`` its darkness, ``box``
    ``(x0, y0, x1, y1)``. ``skip``: pixels already judged (no spot is looked for there);
    ``threshold``: the faint pass's difference threshold; ``min_dark``: how much darker
    than anything within ``FINE_TOLERANCE_PX`` in the other picture a spot must be."""
    ref_fine = _warp(ref_w, local_flow(ref_w, today_n, valid))
    kernel = np.ones((2 * FINE_TOLERANCE_PX + 1,) * 2, np.uint8)
    dark_today = np.maximum(cv2.erode(ref_fine, kernel) - today_n, 0)
    dark_ref = np.maximum(cv2.erode(today_n, kernel) - ref_fine, 0)
    unexplained = np.maximum(*excess_maps(ref_fine, today_n, FINE_TOLERANCE_PX))
    spots = []
    for kind, dark, without in (("new", dark_today, ref_fine), ("removed", dark_ref, today_n)):
        wall = _closed(without, (GROUT_CLOSING_PX, GROUT_CLOSING_PX))
        spots_without = np.minimum(_closed(without, (1, GROUT_CLOSING_PX)),
                                   _closed(without, (GROUT_CLOSING_PX, 1))) - without
        seeds = (dark > min_dark) & valid & ~skip
        _, labels = cv2.connectedComponents((dark > 0.5 * threshold).astype(np.uint8),
                                            connectivity=8)
        for k in np.unique(labels[seeds]):
            spot = labels == k
            found = _spot(spot, dark, unexplained, wall, spots_without, min_dark)
            if found is not None:
                spots.append((kind, *found))
    return spots


def _closed(image, shape) -> np.ndarray:
    """Grey closing of ``image`` by a ``shape`` (rows, columns) rectangle: dark features
    narrower than it filled with what lies around them."""
    return cv2.morphologyEx(image, cv2.MORPH_CLOSE, np.ones(shape, np.uint8))


def _spot(spot, dark, unexplained, wall, spots_without, min_dark) -> tuple | None:
    """``(x, y, radius_px, peak, box)`` if ``spot`` (the weak dark difference around a seed)
    is a small compact spot on wall the local fit explains, else None. ``wall``: the picture
    without the spot, its grout lines closed (``GROUT_CLOSING_PX``); ``spots_without``: how
    much darker than its surroundings each pixel of that picture is as a spot (not a line)."""
    ys, xs = np.nonzero(spot)
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    width, height = x1 - x0 + 1, y1 - y0 + 1
    radius = 0.5 * max(width, height)
    if radius > SPOT_MAX_RADIUS_PX or xs.size < SPOT_MIN_FILL * width * height:
        return None
    peak = float(dark[spot].max())
    if int((dark[spot] > min_dark).sum()) < SPOT_MIN_PX:
        return None
    near = cv2.dilate(spot.astype(np.uint8), np.ones((2 * RING_GAP_PX + 1,) * 2, np.uint8))
    ring = cv2.dilate(spot.astype(np.uint8),
                      np.ones((2 * (RING_GAP_PX + RING_PX) + 1,) * 2, np.uint8)) > near
    if not ring.any() or float(unexplained[ring].max()) > RING_FRACTION * peak:
        return None
    zone = cv2.dilate(spot.astype(np.uint8), np.ones((2 * WALL_RING_PX + 1,) * 2, np.uint8)) > 0
    low, high = np.percentile(wall[zone], [2, 98])
    if float(high - low) >= WALL_PLAIN_RANGE or float(spots_without[zone].max()) > min_dark:
        return None
    return (0.5 * (x0 + x1), 0.5 * (y0 + y1), float(radius), peak,
            (int(x0), int(y0), int(x1), int(y1)))
