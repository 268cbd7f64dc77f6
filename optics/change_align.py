"""Bringing a place's reference keyframe onto today's: the homography that takes the
reference's pixels to today's, or the reason the two do not show the same place.

The wall is a plane, so one homography relates two visits a few cm and degrees apart. ORB
features matched with a ratio test give two starts, a MAGSAC homography and a RANSAC
similarity (a wall seen nearly head-on is close to one, and a similarity cannot skew on the
few features of a bare wall); each is refined by enhanced-correlation alignment on a band of
the picture, coarse (fixtures' outlines) then fine (edges and texture), and the one that
matches today's picture best wins. A result of another scale, viewpoint or little overlap is
not the same place (``SCALE_RANGE``, ``MAX_PERSPECTIVE``, ``MIN_OVERLAP``).

Too few of the ratio-test matches agree on one model in two cases that are still one place:
a tile grid, whose identical grout crossings give a feature several equally good partners
(the ratio test then passes a wrong one as often as the right one: 25 of 271 agree, tuning
place 9232), and a bare wall whose few features are half gone with a removed fixture (10 of
46, 9336). Such a pair is given a second look: the refined model predicts where each of the
reference's features lies today, and a feature found there with a like descriptor
(``GUIDED_RADIUS_PX``, ``GUIDED_MAX_HAMMING``) is a match no repetition can fool. The two are
one place if enough such matches (``MIN_GUIDED_MATCHES``) lie over several parts of the view
(``MIN_GUIDED_CELLS``: not on one fixture that two places share, such as the same vent or
sticker) and the pictures' fine detail agrees under the model (``MIN_GUIDED_AGREEMENT``).
That is weaker proof than the ratio test's: the same tile grid, or the same vent beside the
same hook, brings two places to these figures too.

So is a model whose agreeing features lie on one thing, however it was found: two stalls
with the same sign, sticker or latch plate align on its printed pattern alone, through the
ratio test too (20-50 consistent matches), while the wall around it, which differs, holds
none; the same place's features lie on its wall and all its fixtures. When the features that
agree under the final model span less than ``MIN_SPREAD`` of the view, the proof is weak as
well. ``Alignment.weak_proof`` says so, and ``optics.change`` then asks more of what the
comparison finds (a bare wall whose few features lie on one fixture, or went with a removed
one, is still compared: a thing gone from it is what the comparison is for).

Pure: uint8 grey arrays in, dataclasses out.
"""

from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy.spatial import cKDTree

ORB_FEATURES = 3000
RATIO_TEST = 0.8  # Lowe's ratio: a match must be clearly better than the second best
RANSAC_REPROJECTION_PX = 3.0
MIN_INLIERS = 20
MIN_INLIER_FRACTION = 0.15  # of ratio-test matches
MIN_MODEL_POINTS = 4  # the fewest matches a homography can be drawn through
SCALE_RANGE = (0.7, 1.45)  # a second visit a few cm nearer or further, not another zoom
MAX_PERSPECTIVE = 1.5e-3  # homography's projective terms (per px): a few degrees of turn
MIN_OVERLAP = 0.5  # fraction of today's picture the reference covers
# The second look at a pair whose ratio-test matches mostly disagree. Chosen on the tuning
# places (``bench.raytrace.change_scenes.TUNING_SEEDS``): the same place's 408 visits give
# 46-614 guided matches (1st percentile 92) over 4-29 cells, and 99 % of them fine-band
# agreement 0.56 or more; each place held against the next one, the pairs that fail the
# ratio-test gate give at most 56 guided matches (a tile grid's crossings: 9306 against
# 9307), those with 40 or more agree at most 0.35, and the one agreeing more (0.81, 9307
# against 9308) has 23. Other places that pass it anyway are caught by what the comparison
# then finds (``optics.change``).
GUIDED_RADIUS_PX = 4.0  # where the refined model puts a feature, within this
GUIDED_MAX_HAMMING = 50  # of 256 descriptor bits: a like corner, not any corner
MIN_GUIDED_MATCHES = 40
GUIDED_CELLS = (8, 4)  # the view cut into columns x rows to say where matches lie
MIN_GUIDED_CELLS = 4
MIN_GUIDED_AGREEMENT = 0.5
#: The guided matches' convex hull, as a share of today's view, that one place spans at least.
#: Chosen on the tuning places: the same place's 408 visits span 0.065-0.63 of the view but
#: one (9004's same visit, 0.037: a close view whose hook and a corner of a vent alone hold
#: features); of 9,315 pairs of two different tuning places (every place's reference against
#: the other places' same visits, for 69 of the 136 places), 29 aligned before this rule, 24
#: of them spanning 0.001-0.044 (a shared sign, sticker or latch plate) and 5 from 0.052. The
#: threshold lies midway between 0.044 and 0.065.
MIN_SPREAD = 0.055

FINE_BAND_PX = (1.0, 6.0)  # the band ECC aligns on at last: edges and texture
COARSE_BAND_PX = (3.0, 16.0)  # first: outlines of fixtures, wider than a grille's period
MAX_REFINE_PX = 24.0  # how far refinement may move a corner: two of a grille's periods
EDGE_MARGIN_PX = 6  # ignore the border of the overlap (interpolation, vignetting)


@dataclass(frozen=True)
class Alignment:
    """Where the reference lies in today's picture, or why it does not show the same place."""

    aligned: bool
    reason: str  # "ok" or why the two do not show the same place
    reference_to_today: np.ndarray | None = field(repr=False, default=None)
    n_matches: int = 0
    n_inliers: int = 0
    overlap: float = 0.0
    weak_proof: bool = False  # one place by the second look or by one thing (docstring)


def align_keyframes(reference: np.ndarray, today: np.ndarray) -> Alignment:
    """The homography taking reference pixels to today's, or why there is none."""
    orb = cv2.ORB_create(ORB_FEATURES, fastThreshold=8)
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    kp_r, des_r = orb.detectAndCompute(clahe.apply(reference), None)
    kp_t, des_t = orb.detectAndCompute(clahe.apply(today), None)
    if des_r is None or des_t is None or len(kp_r) < MIN_MODEL_POINTS or \
            len(kp_t) < MIN_MODEL_POINTS:
        return Alignment(False, "no_features")
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(des_r, des_t, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO_TEST * p[1].distance]
    if len(good) < MIN_INLIERS:
        return Alignment(False, "too_few_matches", n_matches=len(good))
    src = np.float32([kp_r[m.queryIdx].pt for m in good])
    dst = np.float32([kp_t[m.trainIdx].pt for m in good])
    starts, n_inliers = _feature_models(src, dst)
    consistent = n_inliers >= max(MIN_INLIERS, MIN_INLIER_FRACTION * len(good))
    if not starts or n_inliers < MIN_MODEL_POINTS:
        return Alignment(False, "inconsistent_matches", n_matches=len(good),
                         n_inliers=n_inliers)
    refined = [_refine(reference, today, start) for start in starts]
    plausible = [h for h in refined
                 if _implausible(h, _overlap(h, reference.shape, today.shape)) is None]
    candidates = plausible or refined
    agreements = [_agreement(reference, today, h) for h in candidates]
    best = int(np.argmax(agreements))
    homography = candidates[best]
    guided = _guided_matches(homography, (kp_r, des_r), (kp_t, des_t))
    if not consistent and not _confirmed(today.shape, agreements[best], guided):
        return Alignment(False, "inconsistent_matches", n_matches=len(good),
                         n_inliers=n_inliers)
    overlap = _overlap(homography, reference.shape, today.shape)
    reason = _implausible(homography, overlap)
    return Alignment(reason is None, reason or "ok", homography, len(good), n_inliers, overlap,
                     weak_proof=not consistent or _spread(guided, today.shape) < MIN_SPREAD)


def _confirmed(today_shape, agreement: float, guided: np.ndarray) -> bool:
    """The second look (module docstring): enough guided matches over enough of the view,
    and the fine detail agreeing (``agreement``, as ``_agreement`` measured it)."""
    h, w = today_shape
    cols, rows = GUIDED_CELLS
    cells = {(int(x * cols / w), int(y * rows / h)) for x, y in guided}
    return (agreement >= MIN_GUIDED_AGREEMENT and len(guided) >= MIN_GUIDED_MATCHES
            and len(cells) >= MIN_GUIDED_CELLS)


def _spread(guided: np.ndarray, today_shape) -> float:
    """The share of today's view the guided matches' convex hull covers."""
    if len(guided) < 3:
        return 0.0
    h, w = today_shape
    return float(cv2.contourArea(cv2.convexHull(guided.reshape(-1, 1, 2)))) / (w * h)


def _guided_matches(homography, reference_features, today_features) -> np.ndarray:
    """Today's positions of the reference's features found where ``homography`` puts them
    (within ``GUIDED_RADIUS_PX``, descriptors within ``GUIDED_MAX_HAMMING`` bits), one per
    reference feature: an (n, 2) array."""
    (kp_r, des_r), (kp_t, des_t) = reference_features, today_features
    predicted = cv2.perspectiveTransform(
        np.float32([k.pt for k in kp_r]).reshape(-1, 1, 2), homography).reshape(-1, 2)
    found = np.float32([k.pt for k in kp_t])
    near = cKDTree(found).query_ball_point(predicted, GUIDED_RADIUS_PX)
    pairs = np.array([(i, j) for i, candidates in enumerate(near) for j in candidates],
                     dtype=np.intp).reshape(-1, 2)
    bits = np.unpackbits(des_r[pairs[:, 0]] ^ des_t[pairs[:, 1]], axis=1).sum(axis=1)
    # each reference feature's likest candidate (the first of equals), if like enough
    order = np.lexsort((bits, pairs[:, 0]))
    first = order[np.r_[True, np.diff(pairs[order, 0]) != 0]] if len(order) else order
    best = first[bits[first] <= GUIDED_MAX_HAMMING]
    return found[pairs[best, 1]].reshape(-1, 2)


def _feature_models(src, dst) -> tuple[list[np.ndarray], int]:
    """Where the matched features say the reference lies in today's picture: a homography
    (MAGSAC) and a similarity (RANSAC: turn, scale, shift; a wall seen nearly head-on from a
    few cm and degrees elsewhere is close to one), as starts for the refinement, and the
    larger of their inlier counts. On a bare wall the few features there are can fit a
    skewed homography; the similarity cannot skew."""
    starts, n_inliers = [], 0
    homography, inliers = cv2.findHomography(src, dst, cv2.USAC_MAGSAC,
                                             RANSAC_REPROJECTION_PX, maxIters=5000,
                                             confidence=0.999)
    if homography is not None and inliers is not None and _invertible(homography):
        starts.append(homography)
        n_inliers = int(inliers.sum())
    similarity, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_REPROJECTION_PX,
        maxIters=5000, confidence=0.999)
    if similarity is not None and inliers is not None and _invertible(similarity):
        starts.append(np.vstack([similarity, [0.0, 0.0, 1.0]]))
        n_inliers = max(n_inliers, int(inliers.sum()))
    return starts, n_inliers


def _invertible(model: np.ndarray) -> bool:
    """A model that maps the picture onto an area (a degenerate fit squashes it to a line)."""
    return bool(np.isfinite(model).all()) and abs(np.linalg.det(model[:2, :2])) > 1e-3


def _refine(reference, today, homography) -> np.ndarray:
    """Enhanced-correlation alignment from a feature model, coarse then fine: sub-pixel,
    which the per-pixel comparison needs. A grille's or a tile grid's repeated pattern can
    lure the features one period off (a vent's slats are 12 mm apart); at the coarse band
    (``COARSE_BAND_PX``) a fixture's outline, not its slats, decides, which pulls such a
    start back. The result is kept only if it stays within ``MAX_REFINE_PX`` of its start at
    every corner of today's picture (ECC can run off to a warp that shares only a sliver) and
    matches today's picture better than the start does (normalised correlation of the fine
    band over the shared view)."""
    warp = homography
    for sigmas in (COARSE_BAND_PX, FINE_BAND_PX):
        warp = _ecc(_band(reference, *sigmas), _band(today, *sigmas), warp)
    h, w = today.shape
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    moved = cv2.perspectiveTransform(corners, homography @ np.linalg.inv(warp))
    if np.max(np.abs(moved - corners)) <= MAX_REFINE_PX and \
            _agreement(reference, today, warp) > _agreement(reference, today, homography):
        return warp
    return homography


def _band(image, fine_px: float, coarse_px: float) -> np.ndarray:
    f = image.astype(np.float32)
    return cv2.GaussianBlur(f, (0, 0), fine_px) - cv2.GaussianBlur(f, (0, 0), coarse_px)


def _ecc(reference_band, today_band, homography) -> np.ndarray:
    """One enhanced-correlation alignment from ``homography`` (unchanged if it fails)."""
    # ECC's warp maps template (today) coordinates to input (reference) coordinates.
    warp = np.linalg.inv(homography).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-5)
    try:
        _, warp = cv2.findTransformECC(today_band, reference_band, warp,
                                       cv2.MOTION_HOMOGRAPHY, criteria, None, 5)
    except cv2.error:
        return homography
    if not _invertible(warp.astype(float)) or abs(np.linalg.det(warp.astype(float))) < 1e-9:
        return homography
    refined = np.linalg.inv(warp.astype(float))
    return refined / refined[2, 2] if abs(refined[2, 2]) > 1e-9 else homography


def _agreement(reference, today, homography) -> float:
    """Normalised correlation of the fine band of today's picture and the warped reference,
    over the view they share."""
    h, w = today.shape
    warped = cv2.warpPerspective(_band(reference, *FINE_BAND_PX), homography, (w, h))
    covered = cv2.warpPerspective(np.ones(reference.shape, np.uint8), homography, (w, h),
                                  flags=cv2.INTER_NEAREST)
    inside = cv2.erode(covered, np.ones((2 * EDGE_MARGIN_PX + 1,) * 2, np.uint8)) > 0
    if inside.sum() < 100:
        return -1.0
    a, b = warped[inside], _band(today, *FINE_BAND_PX)[inside]
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / max(np.sqrt((a * a).sum() * (b * b).sum()), 1e-9))


def _overlap(homography, ref_shape, today_shape) -> float:
    rh, rw = ref_shape
    th, tw = today_shape
    corners = np.float32([[0, 0], [rw, 0], [rw, rh], [0, rh]]).reshape(-1, 1, 2)
    polygon = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    frame = np.float32([[0, 0], [tw, 0], [tw, th], [0, th]])
    area, _ = cv2.intersectConvexConvex(polygon.astype(np.float32), frame)
    return float(area) / (tw * th)


def _implausible(homography, overlap) -> str | None:
    scale = abs(np.linalg.det(homography[:2, :2])) ** 0.5
    if not SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]:
        return "different_scale"
    if np.max(np.abs(homography[2, :2])) > MAX_PERSPECTIVE:
        return "different_viewpoint"
    if overlap < MIN_OVERLAP:
        return "little_overlap"
    return None
