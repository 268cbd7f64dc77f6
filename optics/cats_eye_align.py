"""Where a spot's scene point lies in a neighbouring frame, by its surroundings (step 3b's
alignment, ``optics.cats_eye`` asks).

The scan's canvas places a point a median 6 px (up to 30 px) from where it is on a hand-held
walk (roll, perspective, a fixture's parallax). The spot's surroundings, a 3-6 cm patch of
wall or fixture with the spot's own disc left out, move with it: matched in the other frame
within ``SEARCH_PX`` of where the canvas predicts the point, they find it to a pixel or two.
Matched on log levels, coarse to fine (the whole search at half resolution, then +-2 px at
full resolution). Where the surroundings are a line (a grout line, a pipe's edge) the match
is good anywhere along it, and ``line_direction`` says so, so the caller can look along it.

Tuned and checked on the ray-traced TRAINING block only (``bench.raytrace.seeds``).
"""

import functools

import cv2
import numpy as np

from optics.candidates import pool_factor
from optics.registration import apply

#: Half-size (px) of the surroundings matched: a 3-6 cm patch of wall or fixture at 0.3-2 m.
TEMPLATE_HALF_PX = 16
#: Radius (px) of the spot's own disc left out of the match: the glint and its hole.
SPOT_MASK_PX = 4
#: How far (px) from where the canvas predicts it the scene point is searched for: the
#: canvas's error at a lens reaches 30 px on the training walks (roll, perspective, parallax).
SEARCH_PX = 28
#: A match scoring under this (normalised correlation) is unclear: bare paint or a smooth
#: fixture's face matches anywhere (what the caller makes of it: ``optics.cats_eye``).
MIN_MATCH = 0.5
#: Periodic surroundings (a vent's slats, a tile grid) match as well a period away: places
#: scoring within this of the best count as tied, and the one nearest where the canvas puts
#: the point wins (ray-traced TRAINING capture train1143: a vent's lens matched one slat,
#: 11-23 px, off in every pair of its frames, the canvas 1-10 px off). Chosen on the first 86
#: training captures (0.05: 30 of 41 lenses; 0.1: 28; 0.2: 29, with other changes since
#: withdrawn); on all 182 it finds five more lenses (train1247's and train1255's in vents
#: among them) and removes two false ones.
MATCH_TIE = 0.05
#: The surroundings are a line (a grout line, a pipe's or a skirting board's edge) when their
#: gradient energy across the line's direction is at most this share of that along it (the
#: structure tensor's smaller over its larger eigenvalue; the lit parts and the spot's disc
#: left out). A line matches equally well anywhere along itself: where the score peaks is
#: set by what else the patch holds, a chrome highlight of one ring that moves between
#: frames, not by the scene point (simulated TUNING seed 1085: a steady LED 4 px under a
#: grout line, matched 24 px along it in every reference frame, 0.02-0.07 there; of the
#: ray-traced TRAINING block's 683 spots a quarter are under 0.33, its lenses found as before).
MIN_CROSS_SHARE = 0.3
#: Lit parts, left out of that measure: over the patch's median by this many median absolute
#: deviations, and this many px around (a ring's highlight, an LED's bloom; they move or go
#: between frames, where the wall's dark marks, the grout and the holes stay).
BRIGHT_MADS = 4.0
HIGHLIGHT_GUARD_PX = 2
#: A point this close (px) to the frame's edge has surroundings mostly of the padding's mirror
#: image (a quarter of the matched patch or more): nothing can be said about it there.
EDGE_PX = TEMPLATE_HALF_PX // 2

_LOG_LUT = np.round(np.log1p(np.arange(256)) / np.log1p(255) * 255).astype(np.uint8)
_MASK = (np.hypot(*np.mgrid[-TEMPLATE_HALF_PX:TEMPLATE_HALF_PX + 1,
                            -TEMPLATE_HALF_PX:TEMPLATE_HALF_PX + 1]) > SPOT_MASK_PX
         ).astype(np.uint8)
_MASK_HALF = cv2.resize(_MASK, (TEMPLATE_HALF_PX + 1,) * 2, interpolation=cv2.INTER_NEAREST)
_FINE_PX = 2  # the full-resolution refinement's reach around the coarse match


class LocalFrame:
    """One frame as step 3b needs it: the frame at 640 px width (max-pooled), its transforms
    and ring state. Its copy padded by ``pad`` px (reflected), which every read around a
    point goes through, is made the first time a spot asks (most frames of a scan never are);
    ``pad`` is the farthest any reader looks beyond a point the search can land on."""

    def __init__(self, frame, pooled: np.ndarray, pad: int):
        self.index = frame.index
        self.reference = frame.ring == "off" or frame.dark  # lit by neither or off-axis only
        self.off_axis = frame.ring == "off"
        self.exposure_ms = frame.exposure_ms
        self.to_canvas = frame.to_canvas  # of full-resolution pixels
        self.to_frame = frame.to_frame  # its inverse (the frame's own, not inverted again)
        self.factor = pool_factor(frame.gray8.shape[1])
        self.width, self.height = pooled.shape[1], pooled.shape[0]
        self.pad = pad
        self._pooled = pooled  # uint8 at 640 px width (max-pooled)
        self._level = None

    @property
    def level(self) -> np.ndarray:
        """The pooled frame padded by ``pad`` (reflected)."""
        if self._level is None:
            self._level = cv2.copyMakeBorder(self._pooled, self.pad, self.pad, self.pad,
                                             self.pad, cv2.BORDER_REFLECT)
        return self._level

    def box(self, x, y, half: int) -> np.ndarray:
        """The padded frame's box ``half`` px around (x, y) (px at 640 px width, rounded)."""
        cx, cy = int(round(x)) + self.pad, int(round(y)) + self.pad
        return self.level[cy - half:cy + half + 1, cx - half:cx + half + 1]


def near_edge(frame: LocalFrame, x, y) -> bool:
    """Whether (x, y) lies within ``EDGE_PX`` of the frame's edge."""
    return min(x, y, frame.width - 1 - x, frame.height - 1 - y) < EDGE_PX


def inside(frame: LocalFrame, x, y) -> tuple[float, float]:
    """(x, y) clipped into the frame."""
    return (float(np.clip(x, 0, frame.width - 1)), float(np.clip(y, 0, frame.height - 1)))


def line_direction(frame: LocalFrame, x, y) -> tuple | None:
    """The direction (x, y) along which the surroundings of (x, y) are a line (their structure
    tensor's gradient energy across it under ``MIN_CROSS_SHARE`` of that along it), the spot's
    disc and the pixels by saturated ones left out; None when they are not one."""
    level = frame.box(x, y, TEMPLATE_HALF_PX)
    logs = _log(level)
    gx = cv2.Sobel(logs, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(logs, cv2.CV_32F, 0, 1, ksize=3)
    guard = 2 * HIGHLIGHT_GUARD_PX + 1
    median = float(np.median(level))
    spread = max(float(np.median(np.abs(level - median))), 1.0)
    near_highlight = cv2.dilate((level > median + BRIGHT_MADS * spread).astype(np.uint8),
                                np.ones((guard, guard), np.uint8))
    keep = (_MASK > 0) & (near_highlight == 0)
    keep[0], keep[-1], keep[:, 0], keep[:, -1] = False, False, False, False
    jxx, jyy, jxy = (float((gx * gx)[keep].sum()), float((gy * gy)[keep].sum()),
                     float((gx * gy)[keep].sum()))
    root = np.hypot(jxx - jyy, 2 * jxy)
    large, small = (jxx + jyy + root) / 2, (jxx + jyy - root) / 2
    if large <= 0 or small > MIN_CROSS_SHARE * large:
        return None
    across = 0.5 * np.arctan2(2 * jxy, jxx - jyy)  # the gradients' main direction
    return (float(-np.sin(across)), float(np.cos(across)))


def predicted(source: LocalFrame, x, y, target: LocalFrame) -> tuple[float, float]:
    """Where the canvas puts ``source``'s point (x, y) in ``target`` (px at 640 px width)."""
    cx, cy = apply(source.to_canvas, x * source.factor, y * source.factor)
    px, py = apply(target.to_frame, cx, cy)
    return px / target.factor, py / target.factor


def align(source: LocalFrame, x, y, target: LocalFrame) -> tuple[float, float, bool, float]:
    """``source``'s point (x, y) (px at 640 px width) in ``target``, by matching its
    surroundings (the spot left out) within ``SEARCH_PX`` of where the canvas predicts it;
    whether the match is clear (``MIN_MATCH``), and its score. Matched on log levels: a
    saturated highlight elsewhere in the patch, there in one frame and not the other, weighs
    little more than a grout line."""
    px, py = predicted(source, x, y, target)
    px = int(round(np.clip(px, 0, target.width - 1)))
    py = int(round(np.clip(py, 0, target.height - 1)))
    t = TEMPLATE_HALF_PX
    region = _log(target.box(px, py, t + SEARCH_PX))
    template = _log(source.box(x, y, t))
    # Coarse to fine: the whole search at half resolution, then +-2 px at full resolution
    # (a sixth of the work of one full-resolution search).
    coarse = _nearest_of_best(cv2.matchTemplate(cv2.pyrDown(region), cv2.pyrDown(template),
                                                cv2.TM_CCOEFF_NORMED, mask=_MASK_HALF))
    cx = min(max(2 * coarse[0], _FINE_PX), 2 * SEARCH_PX - _FINE_PX)
    cy = min(max(2 * coarse[1], _FINE_PX), 2 * SEARCH_PX - _FINE_PX)
    side = 2 * t + 1 + 2 * _FINE_PX
    fine = region[cy - _FINE_PX:cy - _FINE_PX + side, cx - _FINE_PX:cx - _FINE_PX + side]
    ix, iy, score = _best(cv2.matchTemplate(fine, template, cv2.TM_CCOEFF_NORMED, mask=_MASK))
    ix, iy = cx - _FINE_PX + ix, cy - _FINE_PX + iy
    return (px + ix - SEARCH_PX + (x - round(x)), py + iy - SEARCH_PX + (y - round(y)),
            score >= MIN_MATCH, score)


def match_near(source: LocalFrame, x, y, target: LocalFrame, tx, ty, reach_px: float) -> float:
    """How well the surroundings of ``source``'s point (x, y) (the spot left out) match at
    ``target``'s point (tx, ty): the best score of the matching ``align`` does at the places
    within ``reach_px`` of it."""
    t, r = TEMPLATE_HALF_PX, int(np.ceil(reach_px))
    template = _log(source.box(x, y, t))
    region = _log(target.box(tx, ty, t + r))
    score = _finite(cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED, mask=_MASK))
    return float(score[_disc(reach_px)].max())


@functools.cache
def _disc(reach_px: float) -> np.ndarray:
    r = int(np.ceil(reach_px))
    return np.hypot(*np.mgrid[-r:r + 1, -r:r + 1]) <= reach_px


def _nearest_of_best(score: np.ndarray) -> tuple[int, int, float]:
    """Of the places scoring within ``MATCH_TIE`` of the best in a coarse ``matchTemplate``
    score map, the one nearest the map's middle (where the canvas predicts the point)."""
    score = _finite(score)
    near = np.where(score >= score.max() - MATCH_TIE, _middle_distance(score.shape), np.inf)
    iy, ix = np.unravel_index(int(np.argmin(near)), near.shape)
    return int(ix), int(iy), float(score[iy, ix])


@functools.cache
def _middle_distance(shape: tuple) -> np.ndarray:
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]]
    return np.hypot(xs - (shape[1] - 1) / 2, ys - (shape[0] - 1) / 2)


def _log(level: np.ndarray) -> np.ndarray:
    """Log levels (float32) for matching: a saturated highlight elsewhere in the patch, there
    in one frame and not the other, weighs little more than a grout line."""
    return cv2.LUT(level, _LOG_LUT).astype(np.float32)


def _best(score: np.ndarray) -> tuple[int, int, float]:
    """The best match's (x, y) in a ``matchTemplate`` score map (flat patches give NaN, and
    any value that is not finite counts as -1: ``np.nan_to_num``'s replacements, in one
    test where it makes three)."""
    score = _finite(score)
    iy, ix = np.unravel_index(int(np.argmax(score)), score.shape)
    return int(ix), int(iy), float(score[iy, ix])


def _finite(score: np.ndarray) -> np.ndarray:
    """A ``matchTemplate`` score map with every value that is not finite (a flat patch's NaN)
    set to -1, the worst score."""
    return np.where(np.isfinite(score), score, np.float32(-1.0))
