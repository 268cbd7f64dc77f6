"""A second plane off the homography (``optics.change`` asks): where the wall lies when a deep
fixture drew the homography onto its own face.

A deep fixture (a paper holder or a sign 8 cm off the wall at 0.45 m) can draw the homography
onto its own face and leave the wall behind it 10-17 px off (tuning place 9021). Small
differing regions that one shift of the reference explains whole are evidence of where the
wall lies (``plane_shifts``); a change is explained away only by a shift near the one another
such region found nearby (``nearby_plane_shifts``): a new screw's own best shift onto an
existing screw elsewhere agrees with no other region's. Pure: float ratio arrays in, shifts
out.
"""

import cv2
import numpy as np

from optics.change_pixels import GROUP_PX, MIN_AREA_PX, excess_maps, shifted

MAX_PARALLAX_PX = 20  # the furthest a second plane lies off the homography (17 px seen)
MIN_PARALLAX_PX = 3  # nearer than this the tolerance and the cell re-match already explain it
EVIDENCE_MAX_SIDE_PX = 32  # a screw seen at two places 20 px apart; no fixture's long edge
EVIDENCE_MIN_PX = 6  # candidate pixels: fewer is noise, whose best shift means nothing
EVIDENCE_MAX_RESIDUAL = 0.3  # squared difference at its best shift over that at none
EVIDENCE_MARGIN_PX = 6  # wall around the region that the shift must explain too
AGREE_PX = 3  # two regions on one plane shift alike to this, plus ...
AGREE_PER_PX = 0.03  # ... this per pixel between them: a plane's parallax varies across
#   the view (9021: 6 px over 190 px)
MAX_AGREE_PX = 8  # ... and no more, however far apart: a new screw this near an existing one
#   might be explained by it


def plane_shifts(ref_w, today_n, differing, threshold) -> list[tuple]:
    """Where a second plane lies off the homography, as ``(x, y, shift, box)`` at regions that
    show it: each small region of ``differing`` that one shift of the reference (within
    ``MAX_PARALLAX_PX``, at least ``MIN_PARALLAX_PX``) explains whole, wall around it
    included, and that another such region nearby agrees with (``_agree``). A new screw
    is often explained whole by a shift onto an existing screw elsewhere; that shift is its
    own, and no other region's."""
    grouped = cv2.dilate(differing.astype(np.uint8), np.ones((2 * GROUP_PX + 1,) * 2, np.uint8))
    n, labels = cv2.connectedComponents(grouped, connectivity=8)
    found = []
    for k in range(1, n):
        region = (labels == k) & differing
        ys, xs = np.nonzero(region)
        if xs.size < EVIDENCE_MIN_PX or \
                max(np.ptp(xs), np.ptp(ys)) + 1 > EVIDENCE_MAX_SIDE_PX:
            continue
        shift = _region_shift(ref_w, today_n, region, threshold)
        if shift is not None:
            found.append((0.5 * (xs.min() + xs.max()), 0.5 * (ys.min() + ys.max()), shift,
                          (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)))
    return [a for a in found if any(b is not a and _agree(a, b) for b in found)]


def _agree(a, b) -> bool:
    """Whether two regions' shifts are one plane's: alike to ``AGREE_PX`` plus
    ``AGREE_PER_PX`` for each pixel between them, at most ``MAX_AGREE_PX``."""
    return float(np.max(np.abs(a[2] - b[2]))) <= _agreement_px(a[0] - b[0], a[1] - b[1])


def _agreement_px(dx, dy) -> int:
    """How far apart two shifts of one plane may be, ``(dx, dy)`` pixels apart."""
    return int(min(AGREE_PX + AGREE_PER_PX * np.hypot(dx, dy), MAX_AGREE_PX))


def _region_shift(ref_w, today_n, region, threshold) -> np.ndarray | None:
    """The one shift of the reference (``(dx, dy)``: today's pixel at ``p`` shows the
    reference's at ``p + shift``) that explains ``region`` and the wall within
    ``EVIDENCE_MARGIN_PX`` around it whole, or None."""
    ys, xs = np.nonzero(region)
    box = (xs.min() - EVIDENCE_MARGIN_PX, ys.min() - EVIDENCE_MARGIN_PX,
           xs.max() + 1 + EVIDENCE_MARGIN_PX, ys.max() + 1 + EVIDENCE_MARGIN_PX)
    today_win = shifted(today_n, box, np.zeros(2, int))
    s = MAX_PARALLAX_PX
    search = shifted(ref_w, (box[0] - s, box[1] - s, box[2] + s, box[3] + s), np.zeros(2, int))
    scores = cv2.matchTemplate(search, today_win, cv2.TM_SQDIFF)
    dy, dx = np.unravel_index(int(np.argmin(scores)), scores.shape)
    shift = np.array([dx - s, dy - s])
    if not MIN_PARALLAX_PX <= np.max(np.abs(shift)) < s or \
            scores[dy, dx] > EVIDENCE_MAX_RESIDUAL * scores[s, s]:
        return None
    moved = search[dy:dy + today_win.shape[0], dx:dx + today_win.shape[1]]
    if int((np.maximum(*excess_maps(moved, today_win)) > threshold).sum()) >= MIN_AREA_PX:
        return None
    return shift


def nearby_plane_shifts(shifts, region, remaining, origin, ref_w, today_n) -> list:
    """For each second-plane region other than this one: the shift near its own (within
    what ``_agree`` allows between the two places) that best matches today's picture at
    what remains of this region."""
    ys, xs = np.nonzero(remaining)
    xs, ys = xs + origin[0], ys + origin[1]
    x, y = 0.5 * (xs.min() + xs.max()), 0.5 * (ys.min() + ys.max())
    box = (xs.min() - EVIDENCE_MARGIN_PX, ys.min() - EVIDENCE_MARGIN_PX,
           xs.max() + 1 + EVIDENCE_MARGIN_PX, ys.max() + 1 + EVIDENCE_MARGIN_PX)
    today_win = shifted(today_n, box, np.zeros(2, int))
    found = []
    for ex, ey, shift, (x0, y0, x1, y1) in shifts:
        if region[y0:y1, x0:x1].any():
            continue  # this region's own shift
        reach = _agreement_px(ex - x, ey - y)
        search = shifted(ref_w, (box[0] - reach, box[1] - reach, box[2] + reach,
                                  box[3] + reach), shift)
        scores = cv2.matchTemplate(search, today_win, cv2.TM_SQDIFF)
        dy, dx = np.unravel_index(int(np.argmin(scores)), scores.shape)
        found.append(shift + np.array([dx - reach, dy - reach]))
    return found
