"""Change since last time: one place's keyframe today against its keyframe from the last
signed-off inspection.

What a second visit brings that is *not* a change, and how each is ignored:
- the handheld stands a few cm and degrees elsewhere: the wall is a plane, so one homography
  takes the reference onto today's picture (ORB features matched with a ratio test give a
  MAGSAC homography and a RANSAC similarity as starts, each refined by enhanced-correlation
  alignment coarse then fine; the one that matches today's picture best wins). Things
  standing off the wall (a paper holder 8 cm out) still move against it by parallax, up to
  ~10 px at 0.4 m for a 3 cm step:
  each candidate region is re-matched locally (``LOCAL_SHIFT_PX``), and a region that a small
  shift of the reference explains is no change;
- a deep fixture filling much of the view (a sign 8 cm out at 0.45 m) can draw the homography
  onto its own face, leaving the wall behind 10-17 px off: small regions (a screw seen at two
  places) that one shift explains whole tell where the wall lies, if another such region
  nearby agrees (``optics.change_planes``); a region that a shift near theirs explains
  is no change. A new screw is often explained by a shift onto an existing one elsewhere,
  but that shift is its own and no other region's;
- a fixture's edge hides a strip of wall on one day and shows it on the other (parallax that
  moves the fixture and the wall apart, which no one shift explains): what is left of a
  region that is a long thin strip along an edge both pictures hold (if wider than a sliver,
  with the fixture on one side and the wall on the other in both pictures: a plate lying on
  the wall has wall on both), and whose pixels each show a value the other picture holds
  nearby, is no change (``optics.change_edges``); so is a
  shorter sliver (``SLIVER_MAX_WIDTH_PX`` across) along such an edge: a fixture's side face
  seen at another angle. A side face seen in one picture only is a line along the fixture's
  outline showing its own shading, which neither picture's wall holds: a line of difference
  at most a sliver's width on average along an edge both pictures hold is no change, unless
  it holds a dark spot. The shape of a difference is judged whole (``whole_difference``:
  the weaker difference joined to what passes the threshold), since a side face or a
  shadow's tip passes the threshold only in short pieces that show no direction;
- a thing cut into pieces: a smaller change of the same kind, or a smaller ``changed`` one (a
  shadow's soft fringe, where both pictures hold something), within ``MERGE_PX`` of a larger
  change's box is a piece of it, and is not reported apart;
- lamp level, exposure and the lamp's broad highlight on glossy tiles: both pictures are
  divided by their own local mean (``LIGHT_SIGMA_PX``), which keeps the ratio of each point to
  its surroundings, the same under any gain;
- a pixel or two of residual misalignment: a point is changed only if its value is found
  nowhere within ``TOLERANCE_PX`` in the other picture (the min/max of that neighbourhood);
- noise: thresholds scale with the measured spread of the residual;
- the compared view's edge: a change nearer it than the local re-match can search
  (``LOCAL_SHIFT_PX``) is left to the next scan, which is aimed at the place;
- droplets: small (``SMALL_RADIUS_PX``) changes count only when *darker* than anything nearby
  in the other picture. A hole through a wall is dark (3-8 mm: 1.3-3.6 px at 1.2 m); a water
  drop shows a highlight and the wall through it.
- faint small things: a screw (7 mm, a grey metal dome: 2-3 px across at 1.2 m) is darker
  than the wall by less than a hole is, often less than ``MIN_EXCESS``. A second, more
  sensitive pass (``MIN_EXCESS_FAINT``) looks for small dark things away from everything the
  first pass judged (a lone pixel above the first threshold it does not), and both passes
  believe a small change that is only faintly dark (``MIN_DARK_EXCESS_FAINT``) only on a
  plain stretch of wall: where the picture without it varies by less than ``PLAIN_RANGE``
  around it. Next to an edge (a fixture's outline, its shadow, a grout line) a faint small
  difference is that edge's parallax, not a thing.
- a screw touching a grout line: the line's dark lies within ``TOLERANCE_PX`` of the head,
  and the pixel test sees nothing. A third pass (``optics.change_fine``) brings the reference
  on by the wall's own residual misregistration (a local fit, far wider than a head) and
  looks, with a 1 px tolerance, for small dark spots where nothing but wall and grout lies
  around them.

Two places that look alike (the same tiles, the same vent and hook) can align; what the
comparison then finds says otherwise: a change wider than half the view
(``VIEW_CHANGE_RADIUS_PX``: no fixture is, at the distances a place is filmed from) is
another view, not a thing (``view_changed``); a pair aligned on weak proof (by the second
look alone, or on features that lie on one thing: ``optics.change_align``) that differs in
more than one fixture-sized thing (``THING_RADIUS_PX``) is not taken for the same place
(``unconfirmed``: two places sharing one fixture differ in the others); and more than
``MAX_THINGS_CHANGED`` fixture-sized changes, some new and some gone, is a place refitted or
another one (``rearranged``: it is looked at afresh, and its next signed-off keyframe becomes
the reference). A swap (one thing gone, one new) and a new thing seen in pieces stay changes
at the same place. Among 1,000 random pairs of different tuning places (the sample these
rules were set on) the ratio test aligned 18 (11 with a change wider than 180 px, the other 7
with three or more fixture-sized changes, new and gone) and the second look 10 more (each
with two or more fixture-sized changes or one wider than 180 px); on another 1,000 such pairs
26 aligned before these rules and 3 after. Of 9,315 pairs of different tuning places, 29
aligned before weak proof on features that lie on one thing, 12 after. The same place's 408
visits on the tuning places show at most two fixture-sized changes, of one kind, and none
wider than 112 px.

A change's kind says which picture holds the thing: ``new`` (today only), ``removed`` (the
reference only), ``changed`` (both hold something different there), told by where the
structure (gradient energy) is. Two pictures that share too few consistent features, or that
differ over too much of what they share, do not show the same place: ``aligned`` is False and
no changes are reported.

Pure: uint8 grey arrays in, dataclasses out.
"""

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from optics.change_align import EDGE_MARGIN_PX, Alignment, align_keyframes
from optics.change_edges import disoccluded, whole_difference
from optics.change_fine import fine_dark_spots
from optics.change_pixels import GROUP_PX, MIN_AREA_PX, TOLERANCE_PX, excess_maps, shifted
from optics.change_planes import nearby_plane_shifts, plane_shifts

KEYFRAME_WIDTH_PX, KEYFRAME_HEIGHT_PX = 640, 360
MAX_CHANGED_FRACTION = 0.2  # more of the shared view changed than this: not the same place

LIGHT_SIGMA_PX = 20.0
DENOISE_SIGMA_PX = 0.7
LOCAL_SHIFT_PX = 16
NOISE_FLOOR = 0.02  # ratio units: the spread assumed even for noiseless renders
THRESHOLD_SIGMAS = 5.0
MIN_EXCESS = 0.18  # ratio units: a change is at least this far from anything nearby
SMALL_RADIUS_PX = 4.0
MIN_DARK_EXCESS_SMALL = 0.3  # a small change must be this much darker than its surroundings
# ... or, on a plain stretch of wall, this much (a screw head: 0.13-0.33 on the tuning places)
MIN_DARK_EXCESS_FAINT = 0.12
MIN_EXCESS_FAINT = 0.12  # the second pass's threshold: above noise (5 sigma is ~0.1) only
PLAIN_RANGE = 0.12  # ratio units: 2nd-98th percentile spread around a faint small change in
#   the picture without it (screws on the tuning places: <= 0.09 but two; the faint
#   differences at fixture edges and shadows: >= 0.16)
PLAIN_RING_PX = 4  # how far around a faint small change the wall must be plain
FAINT_MAX_AREA_PX = 120  # a faint pass region larger than this is no small isolated thing
CELL_PX = 24
MERGE_PX = 8  # a smaller change of the same kind (or a smaller "changed" one of any kind) this
#   near a larger one's box is a piece of it
VIEW_CHANGE_RADIUS_PX = KEYFRAME_HEIGHT_PX / 2  # a change this wide is another view
THING_RADIUS_PX = 10.0  # a change this wide is a fixture's size (a hook's plate at 1.2 m)
MAX_THINGS_CHANGED = 2  # more fixtures than this both come and gone: another view
KIND_RATIO = 1.6  # structure in one picture this many times the other's decides its kind
CROP_HALF_PX = 32


class ChangeError(ValueError):
    """The keyframes cannot be compared (wrong type or size); the message says which."""


@dataclass(frozen=True)
class Change:
    """A thing at a place that differs from the last signed-off inspection.

    ``x``, ``y``, ``radius_px`` are today's keyframe pixels; ``confidence`` grows with how far
    the change stands above the threshold (0.5 at the threshold). The crops are today's and
    the reference's view of the spot (the reference warped into today's frame), side by side
    in ``crop``.
    """

    kind: str
    x: float
    y: float
    radius_px: float
    confidence: float
    crop: np.ndarray = field(repr=False, compare=False, default=None)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "x": round(self.x, 2), "y": round(self.y, 2),
                "radius_px": round(self.radius_px, 2), "confidence": round(self.confidence, 3)}


@dataclass(frozen=True)
class Comparison:
    alignment: Alignment
    changes: tuple = ()
    changed_fraction: float = 0.0

    @property
    def aligned(self) -> bool:
        return self.alignment.aligned

    def to_dict(self) -> dict:
        return {"aligned": self.aligned, "reason": self.alignment.reason,
                "changes": [c.to_dict() for c in self.changes]}


def _check(image, name) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 2:
        raise ChangeError(f"{name}: expected a 2-D uint8 grey keyframe")
    if min(image.shape) < 64:
        raise ChangeError(f"{name}: {image.shape[1]}x{image.shape[0]} is too small to compare")
    return image


def compare_keyframes(reference: np.ndarray, today: np.ndarray) -> Comparison:
    """What changed at a place between ``reference`` and ``today`` (uint8 grey keyframes)."""
    reference, today = _check(reference, "reference"), _check(today, "today")
    alignment = align_keyframes(reference, today)
    if not alignment.aligned:
        return Comparison(alignment)
    h, w = today.shape
    warp = alignment.reference_to_today
    ref_raw = cv2.warpPerspective(reference.astype(np.float32), warp, (w, h),
                                  flags=cv2.INTER_LINEAR)
    covered = cv2.warpPerspective(np.ones(reference.shape, np.uint8), warp, (w, h),
                                  flags=cv2.INTER_NEAREST)
    valid = cv2.erode(covered, np.ones((2 * EDGE_MARGIN_PX + 1,) * 2, np.uint8)) > 0
    valid[:EDGE_MARGIN_PX, :] = valid[-EDGE_MARGIN_PX:, :] = False
    valid[:, :EDGE_MARGIN_PX] = valid[:, -EDGE_MARGIN_PX:] = False
    ref_w = normalise_light(ref_raw, covered)
    today_n = normalise_light(today.astype(np.float32), covered)
    excess_today, excess_ref = excess_maps(ref_w, today_n)
    spread = _robust_spread(today_n[valid] - ref_w[valid])
    threshold = max(MIN_EXCESS, THRESHOLD_SIGMAS * spread)
    candidate = ((np.maximum(excess_today, excess_ref) > threshold) & valid).astype(np.uint8)
    changed_fraction = float(candidate.sum()) / max(int(valid.sum()), 1)
    if changed_fraction > MAX_CHANGED_FRACTION:
        return Comparison(replace(alignment, aligned=False, reason="too_different"), (),
                          changed_fraction)
    ref_gray_w = np.clip(ref_raw, 0, 255).astype(np.uint8)
    faint_threshold = max(MIN_EXCESS_FAINT, THRESHOLD_SIGMAS * spread)
    shifts = plane_shifts(ref_w, today_n, (np.maximum(excess_today, excess_ref)
                                          > faint_threshold) & valid, faint_threshold)
    found = _regions(candidate, ref_w, today_n, threshold, ref_gray_w, today, shifts)
    if faint_threshold < threshold:
        found += _faint_small(candidate, excess_today, excess_ref, valid, ref_w, today_n,
                              faint_threshold, ref_gray_w, today, shifts)
    found += _fine(candidate, found, valid, ref_w, today_n, faint_threshold, ref_gray_w, today)
    changes = sorted(_one_per_thing([(c, box) for c, box in found
                                     if _inside(valid, c.x, c.y, LOCAL_SHIFT_PX)]),
                     key=lambda c: -c.confidence)
    reason = _another_view(changes, alignment.weak_proof)
    if reason:
        return Comparison(replace(alignment, aligned=False, reason=reason), (),
                          changed_fraction)
    return Comparison(alignment, tuple(changes), changed_fraction)


def _another_view(changes, weak_proof: bool) -> str | None:
    """Why what the comparison found says the two pictures are of different places (module
    docstring), or None."""
    if any(c.radius_px > VIEW_CHANGE_RADIUS_PX for c in changes):
        return "view_changed"
    things = [c for c in changes if c.radius_px >= THING_RADIUS_PX]
    if weak_proof and len(things) > 1:
        return "unconfirmed"
    if len(things) > MAX_THINGS_CHANGED and {"new", "removed"} <= {c.kind for c in things}:
        return "rearranged"
    return None


def _faint_small(candidate, excess_today, excess_ref, valid, ref_w, today_n, threshold,
                 ref_gray_w, today, shifts) -> list:
    """The second pass: small things (a screw) that stand above ``threshold`` (lower than
    the first pass's) but not above the first pass's, away from everything the first pass
    judged (a region of a single pixel above its threshold it does not judge: a screw's
    dome just at that threshold is looked at here). Only small results are kept: anything
    larger the first pass judges."""
    near_first = cv2.dilate(_judged(candidate), np.ones((2 * GROUP_PX + 1,) * 2, np.uint8)) > 0
    faint = ((np.maximum(excess_today, excess_ref) > threshold) & valid & ~near_first)
    return [(c, box) for c, box in _regions(faint.astype(np.uint8), ref_w, today_n, threshold,
                                            ref_gray_w, today, shifts,
                                            max_area_px=FAINT_MAX_AREA_PX)
            if c.radius_px <= SMALL_RADIUS_PX]


def _fine(candidate, found, valid, ref_w, today_n, threshold, ref_gray_w, today) -> list:
    """The third pass (``optics.change_fine``): small dark spots that the pixel test's
    2 px tolerance hides beside an edge, looked for away from everything judged so far (the
    first pass's regions and the changes found)."""
    skip = _judged(candidate).astype(np.uint8)
    for _, (x0, y0, x1, y1) in found:
        skip[max(y0, 0):y1 + 1, max(x0, 0):x1 + 1] = 1
    skip = cv2.dilate(skip, np.ones((2 * GROUP_PX + 1,) * 2, np.uint8)) > 0
    changes = []
    for kind, x, y, radius, peak, box in fine_dark_spots(ref_w, today_n, valid, skip,
                                                         threshold, MIN_DARK_EXCESS_FAINT):
        confidence = float(1.0 - 0.5 * np.exp(-(peak / threshold - 1.0)))
        crop = side_by_side(today, ref_gray_w, x, y, radius)
        changes.append((Change(kind, x, y, radius, confidence, crop), box))
    return changes


def normalise_light(image: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """Each pixel over its surroundings' mean (within ``covered``, the view both pictures
    share, so both are normalised over the same support): the same picture under any lamp
    level or exposure."""
    f = image.astype(np.float32) + 1.0
    weight = covered.astype(np.float32)
    mean = (cv2.GaussianBlur(f * weight, (0, 0), LIGHT_SIGMA_PX)
            / np.maximum(cv2.GaussianBlur(weight, (0, 0), LIGHT_SIGMA_PX), 1e-3))
    ratio = np.where(covered > 0, f / np.maximum(mean, 1.0), 1.0).astype(np.float32)
    # A touch of smoothing: sensor noise, not a 3 mm hole (1.3 px at 1.2 m), is what it removes.
    return cv2.GaussianBlur(ratio, (0, 0), DENOISE_SIGMA_PX)


def _inside(valid: np.ndarray, x: float, y: float, margin_px: int) -> bool:
    """Whether (x, y) lies at least ``margin_px`` inside the compared view: nearer its edge
    the local re-matching cannot search every way (parallax of a deep fixture there looks like
    a change) and the homography is extrapolated furthest; the next scan, aimed at the
    place, sees it better."""
    h, w = valid.shape
    xi, yi = int(round(x)), int(round(y))
    y0, y1 = max(yi - margin_px, 0), min(yi + margin_px + 1, h)
    x0, x1 = max(xi - margin_px, 0), min(xi + margin_px + 1, w)
    return (y1 - y0 == x1 - x0 == 2 * margin_px + 1) and bool(valid[y0:y1, x0:x1].all())


def _robust_spread(values: np.ndarray) -> float:
    if values.size == 0:
        return NOISE_FLOOR
    mad = float(np.median(np.abs(values - np.median(values))))
    return max(1.4826 * mad, NOISE_FLOOR)


def _judged(candidate) -> np.ndarray:
    """``candidate`` without its regions too small for ``_regions`` to judge."""
    grouped = cv2.dilate(candidate, np.ones((2 * GROUP_PX + 1,) * 2, np.uint8))
    n, labels = cv2.connectedComponents(grouped, connectivity=8)
    counts = np.bincount(labels[candidate > 0], minlength=n)
    return (candidate > 0) & (counts[labels] >= MIN_AREA_PX)


def _regions(candidate, ref_w, today_n, threshold, ref_gray_w, today, shifts,
             max_area_px: int | None = None) -> list[tuple]:
    """Candidate pixels grouped into regions (of at most ``max_area_px`` candidate pixels,
    if given); each kept region becomes a change, given with the box of what changed."""
    grouped = cv2.dilate(candidate, np.ones((2 * GROUP_PX + 1,) * 2, np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    changes = []
    for k in range(1, n):
        x0, y0, bw, bh, _ = stats[k]
        region = (labels == k) & (candidate > 0)
        if int(region.sum()) < MIN_AREA_PX or \
                (max_area_px is not None and int(region.sum()) > max_area_px):
            continue
        judged = _judge_region(region, (x0, y0, bw, bh), ref_w, today_n, threshold, shifts)
        if judged is not None:
            change, changed_box = judged
            crop = side_by_side(today, ref_gray_w, change.x, change.y, change.radius_px)
            changes.append((Change(change.kind, change.x, change.y, change.radius_px,
                                   change.confidence, crop), changed_box))
    return changes


def _judge_region(region, box, ref_w, today_n, threshold, shifts) -> tuple | None:
    """Re-match the region locally (parallax, cell by cell, then at a second plane's shift
    nearby), then keep it if what remains is a change: ``(change, (x0, y0, x1, y1))``, the
    box of what remains, or None."""
    h, w = today_n.shape
    x0, y0, bw, bh = box
    pad = LOCAL_SHIFT_PX + 2 * TOLERANCE_PX + 2
    ya, yb = max(y0 - pad, 0), min(y0 + bh + pad, h)
    xa, xb = max(x0 - pad, 0), min(x0 + bw + pad, w)
    t_win, r_win = today_n[ya:yb, xa:xb], ref_w[ya:yb, xa:xb]
    mask = region[ya:yb, xa:xb]
    surround = cv2.dilate(mask.astype(np.uint8), np.ones((2 * GROUP_PX + 1,) * 2,
                                                         np.uint8)) == 0
    # What today holds that no nearby shift of the reference explains, and what the
    # reference held that no nearby shift of today explains (a removed thing cannot be
    # explained by moving today's bare wall; it could by moving the thing out of the way).
    r_fit, t_fit = _fit_light(r_win, t_win, surround), _fit_light(t_win, r_win, surround)
    r_moved = _fit_light(_locally_shifted(r_win, t_win), t_win, surround)
    t_moved = _fit_light(_locally_shifted(t_win, r_win), r_win, surround)
    ex_t = np.minimum(excess_maps(r_fit, t_win)[0], excess_maps(r_moved, t_win)[0])
    ex_r = np.minimum(excess_maps(r_win, t_fit)[1], excess_maps(r_win, t_moved)[1])
    remaining = mask & (np.maximum(ex_t, ex_r) > threshold)
    if int(remaining.sum()) < MIN_AREA_PX:
        return None
    for shift in nearby_plane_shifts(shifts, region, remaining, (xa, ya), ref_w, today_n):
        # no light fit: the surroundings hold the other plane, which this shift misplaces
        r_plane = shifted(ref_w, (xa, ya, xb, yb), shift)
        t_plane = shifted(today_n, (xa, ya, xb, yb), -shift)
        ex_t = np.minimum(ex_t, excess_maps(r_plane, t_win)[0])
        ex_r = np.minimum(ex_r, excess_maps(r_win, t_plane)[1])
        remaining = mask & (np.maximum(ex_t, ex_r) > threshold)
        if int(remaining.sum()) < MIN_AREA_PX:
            return None
    remaining &= ~disoccluded(remaining, whole_difference(remaining, np.maximum(ex_t, ex_r),
                                                          threshold),
                              t_win, r_win, threshold, MIN_DARK_EXCESS_FAINT)
    if int(remaining.sum()) < MIN_AREA_PX:
        return None
    ys, xs = np.nonzero(remaining)
    weights = np.maximum(ex_t, ex_r)[remaining]
    cx = 0.5 * (xs.min() + xs.max()) + xa  # the middle of what changed, not of its edges
    cy = 0.5 * (ys.min() + ys.max()) + ya
    radius = max(0.5 * max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1), 1.0)
    dark_today = np.maximum(cv2.erode(r_win, np.ones((5, 5), np.uint8)) - t_win, 0)[remaining]
    dark_ref = np.maximum(cv2.erode(t_win, np.ones((5, 5), np.uint8)) - r_win, 0)[remaining]
    darkness = max(dark_today.max(), dark_ref.max())
    if radius <= SMALL_RADIUS_PX and darkness < MIN_DARK_EXCESS_SMALL:
        # small and not clearly dark: a droplet's highlight, a glint, noise, or an edge's
        # parallax, unless faintly dark on a plain stretch of wall (a screw)
        without = r_win if dark_today.max() >= dark_ref.max() else t_win
        if darkness < MIN_DARK_EXCESS_FAINT or int(mask.sum()) > FAINT_MAX_AREA_PX or \
                not _plain_around(without, remaining):
            return None
    kind = _kind(t_win, r_win, remaining)
    peak = float(weights.max())
    confidence = float(1.0 - 0.5 * np.exp(-(peak / threshold - 1.0)))
    box = (xs.min() + xa, ys.min() + ya, xs.max() + xa, ys.max() + ya)
    return Change(kind, cx, cy, float(radius), confidence), box


def _one_per_thing(found: list[tuple]) -> list[Change]:
    """The changes of ``found`` (``(change, box)``) without those that are a piece of a larger
    change of the same kind, or of any kind if they are ``changed`` themselves: whose middle
    lies within ``MERGE_PX`` of its box (a corner of a new air freshener that its own region
    held apart, tuning place 9001; the soft fringe of a removed charger's shadow, where both
    pictures hold something, 9239). A new hole beside a removed thing stays apart."""
    kept = []
    for change, box in sorted(found, key=lambda f: -f[0].radius_px):
        if not any((change.kind in (k.kind, "changed")) and k.radius_px > change.radius_px and
                   x0 - MERGE_PX <= change.x <= x1 + MERGE_PX and
                   y0 - MERGE_PX <= change.y <= y1 + MERGE_PX
                   for k, (x0, y0, x1, y1) in kept):
            kept.append((change, box))
    return [change for change, _ in kept]


def _plain_around(without: np.ndarray, remaining: np.ndarray) -> bool:
    """Whether the picture without the change is plain wall within ``PLAIN_RING_PX`` of it
    (its 2nd-98th percentile spread there under ``PLAIN_RANGE``)."""
    zone = cv2.dilate(remaining.astype(np.uint8),
                      np.ones((2 * PLAIN_RING_PX + 1,) * 2, np.uint8)) > 0
    low, high = np.percentile(without[zone], [2, 98])
    return float(high - low) < PLAIN_RANGE


def _fit_light(r_win, t_win, surround) -> np.ndarray:
    """The reference window under today's light: gain and offset fitted on the surroundings
    of the region (a highlight that moved with the handheld brightens tiles more than grout,
    which one gain over the whole picture cannot follow)."""
    if surround.sum() < 16:
        return r_win
    r, t = r_win[surround], t_win[surround]
    var = float(r.var())
    if var < 1e-6:
        return r_win + float(t.mean() - r.mean())
    gain = float(np.clip(((r - r.mean()) * (t - t.mean())).mean() / var, 0.5, 2.0))
    return (gain * (r_win - r.mean()) + t.mean()).astype(np.float32)


def _locally_shifted(r_win, t_win) -> np.ndarray:
    """The reference window re-matched cell by cell: each ``CELL_PX`` cell of today's window
    takes the reference pixels at the shift (within ``LOCAL_SHIFT_PX``) that match it best,
    if clearly better than none. Parallax moves a fixture's face and the wall behind it by
    different amounts, so one shift per region is not enough; a new hole cannot be explained
    this way, since moving something dark onto it leaves a mismatch where that thing was."""
    s = LOCAL_SHIFT_PX
    padded = cv2.copyMakeBorder(r_win, s, s, s, s, cv2.BORDER_REPLICATE)
    out = r_win.copy()
    h, w = t_win.shape
    for y in range(0, h, CELL_PX):
        for x in range(0, w, CELL_PX):
            cell = t_win[y:y + CELL_PX, x:x + CELL_PX]
            search = padded[y:y + cell.shape[0] + 2 * s, x:x + cell.shape[1] + 2 * s]
            scores = cv2.matchTemplate(search, cell, cv2.TM_SQDIFF)
            dy, dx = np.unravel_index(int(np.argmin(scores)), scores.shape)
            if scores[dy, dx] < 0.7 * scores[s, s]:
                out[y:y + CELL_PX, x:x + CELL_PX] = search[dy:dy + cell.shape[0],
                                                          dx:dx + cell.shape[1]]
    return out


def _kind(t_win, r_win, remaining) -> str:
    """new / removed / changed, by where the region's structure (gradient energy) is."""
    def energy(image):
        gx = cv2.Sobel(image, cv2.CV_32F, 1, 0)
        gy = cv2.Sobel(image, cv2.CV_32F, 0, 1)
        return float(np.sqrt(gx * gx + gy * gy)[around].sum())
    around = cv2.dilate(remaining.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    e_today, e_ref = energy(t_win), energy(r_win)
    if e_today > KIND_RATIO * e_ref:
        return "new"
    if e_ref > KIND_RATIO * e_today:
        return "removed"
    return "changed"


def side_by_side(today: np.ndarray, reference_w: np.ndarray, x: float, y: float,
                 radius_px: float) -> np.ndarray:
    """Today's crop (left) and the reference's (right) around (x, y), the spot circled in
    both: the evidence an inspector looks at before marking the change."""
    half = max(CROP_HALF_PX, int(radius_px * 1.5))
    pieces = []
    for image in (today, reference_w):
        padded = cv2.copyMakeBorder(image, half, half, half, half, cv2.BORDER_CONSTANT, 0)
        xi, yi = round(x) + half, round(y) + half
        patch = cv2.cvtColor(padded[yi - half:yi + half + 1, xi - half:xi + half + 1],
                             cv2.COLOR_GRAY2BGR)
        zoom = max(1, 128 // (2 * half + 1))
        patch = cv2.resize(patch, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
        centre = (round((half + 0.5) * zoom), round((half + 0.5) * zoom))
        cv2.circle(patch, centre, int((radius_px + 3) * zoom), (0, 160, 255), 2, cv2.LINE_AA)
        pieces.append(patch)
    gap = np.full((pieces[0].shape[0], 4, 3), 255, np.uint8)
    return np.hstack([pieces[0], gap, pieces[1]])
