"""Differences along a fixture's edge that are no change (``optics.change`` asks).

A fixture standing off the wall moves against it by parallax between two visits, which no one
shift explains: its edge hides a strip of wall on one day and shows it on the other, and its
side face is seen at another angle (a sliver across the edge) or in one picture only (a line
along the outline, in its own shading). ``whole_difference`` gives the shape of a difference,
``disoccluded`` the pixels of it that are such a strip, sliver or side face; a dark spot (a
hole, a screw) in them is never taken for one.
"""

import cv2
import numpy as np

# Disocclusion: a fixture's edge standing off the wall hides a strip of what lies behind it on
# one day and shows it on the other (a sign's bottom edge over a vent, its edge over grout,
# the tip of its shadow, its side face seen at another angle; tuning places 9004, 9018, 9024,
# 9079). No one shift explains it, since the fixture and the wall move apart. What is left of
# a region that is a long thin strip along an edge both pictures hold, and whose every pixel
# shows a value the other picture holds across that edge nearby, is that strip.
STRIP_MIN_LENGTH_PX = 16  # shorter is no edge's strip (a 3-8 mm hole is 1-8 px across)
STRIP_ELONGATION = 4.0  # length over mean width at least this
STRIP_BAND_PX = 2  # the edge is looked for within this of the strip (wider takes in noise)
STRIP_MAX_ANGLE_DEG = 20.0  # the edge in each picture runs along the strip to this
STRIP_MIN_COHERENCE = 0.4  # (l1 - l2) / (l1 + l2) of the band's structure tensor
STRIP_REACH_PX = 24  # how far around the other picture is searched: a thin strip's parallax
STRIP_REACH_WIDTHS = 1.5  # ... or this many of the strip's mean widths, if further (a wide
#   strip is a large parallax: 9004's sign 30 px)
SLIVER_MAX_WIDTH_PX = 3.0  # a shorter strip is a sliver of a fixture's side face at most this
#   wide across the edge (1-3 px: 9203's air freshener); a wider short thing is no sliver
WHOLE_FRACTION = 0.5  # the weaker difference joined to a region to judge its shape
# A sweep wider than a sliver is an edge's: the fixture's face (or its shadow) on one side,
# the wall on the other, in both pictures. A thing lying on the wall (a hook's plate over a
# grout line, tuning place 9215) has the same wall on both sides in both pictures: the medians
# of the two flanks differ by noise and grout only (0.000-0.022 where a new or removed hook or
# puck was taken for a wide strip on the tuning places; a fixture's or shadow's edge beside a
# wide strip there: >= 0.058).
STRIP_FLANK_GAP_PX = 1  # the flanks start this far beyond the strip (its own blur)
STRIP_FLANK_PX = 4  # ... and are this wide
STRIP_MIN_STEP = 0.03  # ratio units: flank medians differ at least this in each picture
STRIP_BLOB_RING_PX = 6  # a dark spot (radius up to ``SMALL_RADIUS_PX``) is darker than the
#   ring this far around it by the caller's ``dark_excess``; an edge's strip is not


def whole_difference(remaining, unexplained, threshold) -> np.ndarray:
    """``remaining`` with the weaker difference joined to it (``unexplained`` above
    ``threshold`` times ``WHOLE_FRACTION``): the shape of what differs. A fixture's side face
    seen at another angle is a line 1-2 px wide along its edge that passes the threshold
    only here and there, in short pieces that show no direction; the whole line shows it."""
    weak = ((unexplained > WHOLE_FRACTION * threshold) | remaining).astype(np.uint8)
    n, labels = cv2.connectedComponents(weak, connectivity=8)
    touched = np.unique(labels[remaining])
    return np.isin(labels, touched[touched > 0])


def disoccluded(remaining, shape, t_win, r_win, threshold, dark_excess) -> np.ndarray:
    """The pixels of ``remaining`` that are a strip of wall a fixture's edge hides in one
    picture and shows in the other, or a sliver of its side face seen in one picture only.
    Judged on ``shape``, the whole difference around ``remaining`` (``whole_difference``):
    - a strip: long and thin (``STRIP_MIN_LENGTH_PX``, ``STRIP_ELONGATION``) along an edge
      that both pictures hold near it (``_edge_normal``), its two sides differing in each
      picture if it is wider than a sliver (``STRIP_MIN_STEP``), or, if shorter, at most
      ``SLIVER_MAX_WIDTH_PX`` across the edge that both pictures hold alike there; each of
      its pixels is explained if its value in each picture lies within ``threshold`` / 2 of
      the range the other picture holds around it (within ``STRIP_REACH_PX`` or
      ``STRIP_REACH_WIDTHS`` of the strip's mean width, and within the region's window): the
      strip shows one side of the edge or the other;
    - a side face: a line ``STRIP_ELONGATION`` times as long as its mean width, of which what
      passes the threshold is at most ``SLIVER_MAX_WIDTH_PX`` wide on average, along an edge
      that both pictures hold (the fixture's outline is in both; a new wire on bare wall has
      no edge beneath it in the picture without it). The face shows its own shading, which
      neither picture's wall holds, so its values are not tested.
    Either way a dark spot (a hole, a screw) stays: darker by ``dark_excess`` than
    the whole square ring ``STRIP_BLOB_RING_PX`` around it in its own picture, which an
    edge's strip or a side face never is (the edge runs on through the ring). A spot touching
    a fixture's dark face and hardly darker than it is taken for the strip."""
    strip, side_face, mean_width = _edge_shape(shape, remaining, t_win, r_win)
    out = np.zeros_like(remaining)
    if not (strip or side_face):
        return out
    reach_px = max(STRIP_REACH_PX, int(np.ceil(STRIP_REACH_WIDTHS * mean_width)))
    ys, xs = np.nonzero(remaining)
    explained = np.ones(xs.size, bool)
    reach = np.ones((2 * reach_px + 1,) * 2, np.uint8)
    ring = np.ones((2 * STRIP_BLOB_RING_PX + 1,) * 2, np.uint8)
    ring[1:-1, 1:-1] = 0
    for image, other in ((t_win, r_win), (r_win, t_win)):
        value = image[ys, xs]
        if not side_face:
            low, high = cv2.erode(other, reach)[ys, xs], cv2.dilate(other, reach)[ys, xs]
            explained &= (value >= low - 0.5 * threshold) & (value <= high + 0.5 * threshold)
        # a dark spot (a hole, a screw) is darker than all around it; a strip of an edge
        # is not, since the edge goes on beside it
        explained &= value >= cv2.erode(image, ring)[ys, xs] - dark_excess
    out[ys[explained], xs[explained]] = True
    return out


def _edge_shape(shape, remaining, t_win, r_win) -> tuple[bool, bool, float]:
    """Whether the whole difference ``shape`` is a strip (or a sliver) along an edge both
    pictures hold, whether it is a side face seen in one picture only (see ``disoccluded``),
    and its mean width (px)."""
    ys, xs = np.nonzero(shape)
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    centred = points - points.mean(axis=0)
    _, axes = np.linalg.eigh(centred.T @ centred)
    length = float(np.ptp(centred @ axes[:, 1])) + 1.0
    mean_width = xs.size / length
    band = cv2.dilate(shape.astype(np.uint8),
                      np.ones((2 * STRIP_BAND_PX + 1,) * 2, np.uint8)) > 0
    normals = [_edge_normal(image, band) for image in (t_win, r_win)]
    # an edge runs along the shape: its normal lies across it (the shape's smaller spread)
    along = [n is not None and abs(float(n @ axes[:, 0])) >= _cos(STRIP_MAX_ANGLE_DEG)
             for n in normals]
    # a side face: the whole difference a line along the fixture's outline (in both
    # pictures), of which what passes the threshold is at most a sliver's width on average
    side_face = length >= STRIP_ELONGATION * mean_width and all(along) and \
        int(remaining.sum()) / length <= SLIVER_MAX_WIDTH_PX
    if xs.size < STRIP_MIN_LENGTH_PX or length < STRIP_MIN_LENGTH_PX:
        # a sliver: too short to show its own direction, so it must lie thin across the edge
        # that both pictures hold alike (a fixture's side face seen at another angle)
        strip = not any(n is None for n in normals) and \
            abs(float(normals[0] @ normals[1])) >= _cos(STRIP_MAX_ANGLE_DEG) and \
            np.ptp(centred @ normals[0]) + 1.0 <= SLIVER_MAX_WIDTH_PX
    else:
        strip = length >= STRIP_ELONGATION * mean_width and all(along) and \
            (mean_width <= SLIVER_MAX_WIDTH_PX or
             min(_flank_step(shape, axes, image) for image in (t_win, r_win)) >= STRIP_MIN_STEP)
    return bool(strip), bool(side_face), mean_width


def _flank_step(shape, axes, image) -> float:
    """How much the two sides of ``shape`` differ in ``image``: the medians of the flanks
    (``STRIP_FLANK_PX`` wide, ``STRIP_FLANK_GAP_PX`` beyond the shape) on either side of its
    middle line (``axes``: across, along), along its length. 0 if a side holds no pixel."""
    ys, xs = np.nonzero(shape)
    middle = np.array([xs.mean(), ys.mean()])
    along = np.rint((np.stack([xs, ys], axis=1) - middle) @ axes[:, 1]).astype(int)
    start = int(along.min())
    counts = np.bincount(along - start)
    across = np.bincount(along - start, (np.stack([xs, ys], axis=1) - middle) @ axes[:, 0])
    centre = across / np.maximum(counts, 1)  # the middle line: mean across at each step along
    near = cv2.dilate(shape.astype(np.uint8), np.ones((2 * STRIP_FLANK_GAP_PX + 1,) * 2,
                                                      np.uint8))
    far = cv2.dilate(shape.astype(np.uint8),
                     np.ones((2 * (STRIP_FLANK_GAP_PX + STRIP_FLANK_PX) + 1,) * 2, np.uint8))
    fy, fx = np.nonzero((far > 0) & (near == 0))
    offsets = np.stack([fx, fy], axis=1) - middle
    steps = np.rint(offsets @ axes[:, 1]).astype(int) - start
    beside = (steps >= 0) & (steps < counts.size)
    beside[beside] = counts[steps[beside]] > 0
    side = (offsets @ axes[:, 0])[beside] > centre[steps[beside]]
    values = image[fy[beside], fx[beside]]
    if not side.any() or side.all():
        return 0.0
    return float(abs(np.median(values[side]) - np.median(values[~side])))


def _cos(angle_deg: float) -> float:
    return float(np.cos(np.radians(angle_deg)))


def _edge_normal(image, band) -> np.ndarray | None:
    """The direction across the edge that ``image`` holds within ``band`` (its gradient's),
    if one edge dominates there (``STRIP_MIN_COHERENCE``), else None."""
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0)[band]
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1)[band]
    tensor = np.array([[np.sum(gx * gx), np.sum(gx * gy)], [np.sum(gx * gy), np.sum(gy * gy)]])
    values, vectors = np.linalg.eigh(tensor)
    if values[1] <= 0 or (values[1] - values[0]) / (values[1] + values[0]) < \
            STRIP_MIN_COHERENCE:
        return None
    return vectors[:, 1]
