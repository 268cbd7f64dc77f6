"""A local cat's-eye test: a saturated compact spot of a frame lit by the on-axis ring only,
against the same scene point in the off-axis and dark frames next to it in time, each aligned
on the spot's own surroundings rather than through the scan's canvas.

Why local. On a hand-held walk the canvas places a lens a median 6 px (up to 30 px) from
where it is: the walk rolls and changes perspective by degrees from frame to frame, and a
fixture standing 1-10 cm proud of the wall moves against the wall by its parallax. A track
then splits a lens's glints over several short tracks, and its lock-in, which assumes one
on-axis gain over the scan, is swamped by a lens that glints only inside its cone. The spot's
surroundings (its housing, the hole it sits in, the wall a few centimetres around) move with
it: matching them, the spot itself left out, finds the same scene point in a neighbouring
frame to a pixel or two.

The physics. A cat's eye returns light into a beam about a degree wide around its source: it
glints (saturated, for a 1-3 mm aperture at 0.3-2 m) with the on-axis ring, 7 mm from our
lens, and not with the off-axis ring 90 mm away nor with both dark. A convex chrome surface
shows a highlight of either ring within a few pixels of the other, an LED or a lamp's
highlight is there with the rings dark. So a spot whose light (its flux over its surroundings,
per ms of exposure) is gone, to within ``RETRO_SHARE``, at its scene point in every
neighbouring off-axis and dark frame does what a cat's eye does. (The lens's front surface
mirrors the off-axis ring too, as a smaller point: hence a share, not zero; and a lens in a
chrome dome has the dome's highlight of the off-axis ring beside it, a highlight its glint
outshines: ``OUTSHINE_RATIO``.) A glint is also
small and alone: a point of at most ``MAX_GLINT_RADIUS_PX``, where a curved mirror shows the
on-axis ring as an arc of several saturated dots and a lamp as a broad disc.

What else passes one frame, and how it is told apart: a glossy tile's mirror image of the
on-axis ring sits where the camera's perpendicular meets the tile, so it moves with the hand,
not with the scene, where a lens stays on its scene point in every on-axis frame inside its
cone. Spots that pass are joined across on-axis frames, again by aligning their surroundings,
and a lens is reported where ``MIN_FRAMES`` on-axis frames agree. Two adjacent ones alone (the
hand moves a few millimetres in 33 ms, and a mirror image then lands where it was) are enough
only when the join is firm and the test had something to say against chrome
(``_firm_adjacent_pair``).

Tuned and checked on the ray-traced TRAINING block only (``bench.raytrace.seeds``).
"""

import statistics
from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from optics import crops
from optics.cats_eye_align import (
    MIN_MATCH,
    SEARCH_PX,
    SPOT_MASK_PX,
    TEMPLATE_HALF_PX,
    LocalFrame,
    align,
    inside,
    line_direction,
    match_near,
    near_edge,
    predicted,
)
from optics.registration import apply

#: A spot is tested when its brightest pixel reaches this (of 255): a cat's eye inside its
#: cone at 0.3-2 m returns more than full scale; dimmer glints are left to the lock-in.
SATURATED_DN = 250
#: ... and when it stands this far over its ring of surroundings (DN and noise sigmas).
MIN_SPOT_DN = 40.0
MIN_SPOT_SIGMA = 10.0
#: A glint is a point: its half-maximum region's radius (px at 640 px width) stays below this
#: (a 3 mm aperture at 0.3 m with the optics' blur; the training lenses 0.6-2.7 px), where a
#: lamp or an LED's bloom is 5-15 px.
MAX_GLINT_RADIUS_PX = 3.5
SHAPE_REACH_PX = 5  # its outline is looked for this far out (a larger blob fills it all)
#: ... and it is alone: at most this many saturated pixels 3-10 px from it (a curved mirror
#: shows the on-axis ring as an arc of saturated dots; the training lenses had 0-5).
MAX_NEARBY_SATURATED = 6
NEARBY_PX = (3.0, 10.0)
#: ... and not one of a pattern: at most this many saturated pixels 10-16 px from it (a glossy
#: tile mirrors the on-axis ring's LEDs as a group of saturated dots 5-16 px apart at
#: 0.3-1 m; the training lenses had 0-14 there, the ring images 17-25).
MAX_FAR_SATURATED = 15
FAR_PX = (10.0, 16.0)
#: At most this many spots of a frame are tested, the strongest first: each costs some 1.3 ms
#: of alignments. A tiled wall's mirror images can make 12-17 in one frame; the ray-traced
#: TRAINING block's lens spots ranked 1st-7th of their frame's, and its local lenses are the
#: same with this cap as without (with 5, train1101's was lost); of its 444 on-axis frames,
#: 14 held more than 6.
MAX_SPOTS = 6
#: Half-size (px) of the box whose flux over its surroundings is the spot's light.
FLUX_HALF_PX = 2
#: Half-size (px) of the box whose border is the surface the spot's flux is counted over.
SURROUND_HALF_PX = 6
#: A lens deep in its hole glints in one saturated pixel inside a hole 2-4 px across, which
#: takes more from the box than the glint adds (ray-traced TRAINING captures train1009,
#: train1037, train1132, train1142, train1249: -8 to -290 DN px per ms). Such a spot's light,
#: in its frame and in the references, is what stands over the surface by more than this many
#: of the surface's noise sigmas (a robust sigma of the box's border, at least
#: ``MIN_NOISE_DN``): counted above the surface alone, a dark frame's read noise summed over
#: the box and maximised over the reach made a fifth of a one-pixel glint's light.
ABOVE_SURFACE_SIGMAS = 3.0
MIN_NOISE_DN = 1.0  # the 8-bit quantisation's step
#: How far (px) around the aligned point a reference frame's light is looked for: what the
#: alignment leaves, and a chrome ball's highlight of the off-axis ring a few px aside.
REF_REACH_PX = 3
#: ... but only this far in a dark reference frame when the match is sure: with both rings
#: dark no ring's highlight lies aside, only what the alignment leaves (a pixel), and a
#: steady light a few px from the glint (a lamp's highlight on a clothes hook's stem beside
#: its lens, ray-traced TRAINING capture train1524) is the scene's, not the spot's; an LED or
#: a lamp's highlight under the spot is still there. Chosen on the TRAINING block: reach 1
#: found 108 of its 132 in-cone lenses (train1118's and train1524's more) with its 28 false
#: lens alarms as before; reach 0 the same lenses and one false alarm more, reach 2 no lens
#: more and one false alarm more (a screw head's image of the on-axis ring, whose second dot
#: then failed and left the first looking alone).
DARK_REACH_PX = 1
#: ... and when the match is unclear (correlation below ``MIN_MATCH``, bare paint, a smooth
#: fixture's face): anything as bright this far around where the canvas puts the point counts
#: against the spot. Not around where such a match landed, which may be anywhere in its
#: search: on the ray-traced TRAINING block smoke detectors' lenses (train1109, train1265)
#: were matched 25-28 px off, beside the detector's LED, while the canvas put them within
#: 1.5-3.5 px; read around the canvas's point, 4 more of its 82 lenses were found (58 -> 62)
#: for 2 more false lens alarms (23 -> 25: glossy tiles' images of the on-axis ring in two
#: adjacent frames).
REF_REACH_UNSURE_PX = 8
#: On such a line the reference's light is taken all along it (as the reference shows it:
#: ``_light_along_line``), every this many px within ``SEARCH_PX`` of the matched point: a
#: cat's eye is dark at every place the match could be.
LINE_STEP_PX = 2
#: The largest share of its on-axis light a cat's eye shows in a reference frame (the
#: training lenses' glints 0.16 at most, chrome's highlights of either ring about 1).
RETRO_SHARE = 0.2
#: A lens in a chrome dome (a screw head, a knob) glints inside the dome's own highlight of
#: the on-axis ring, and the off-axis frame shows the dome's highlight of the other ring 1-3
#: px away: light that is the surface's, not the lens's, and that the share counts against
#: it (0.2-0.5 of the spot's). The two rings' highlights in one surface are alike (the same
#: LEDs off the same curvature), so where the spot's saturated core is at least
#: ``OUTSHINE_RATIO`` times the reference's saturated pixels (and at least
#: ``MIN_OUTSHINE_PX``) something beside the surface adds to it: the glint outshines the
#: highlight, and an off-axis share up to ``OUTSHONE_SHARE`` does not fail it. Chrome alone
#: shows equal highlights; an LED or a lamp's highlight still fails in the dark frames.
#: Chosen on the ray-traced TRAINING block: of its spots failing only on an off-axis share
#: of 0.2-0.6, 9 at an in-cone lens (train1202's screw head in six on-axis frames, 10-14
#: saturated px against 1-3) and 2 elsewhere outshine theirs; over 0.6, 6 of the 9 that
#: outshine theirs are at no lens.
OUTSHINE_RATIO = 3
MIN_OUTSHINE_PX = 6
OUTSHONE_SHARE = 0.6
#: The off-axis ring sits 90 mm to the camera's right of the on-axis one, and the camera's
#: right is the image's x axis whatever the hand's roll: a mirror or chrome image of the
#: off-axis ring lies beside the on-axis ring's on the same row, to the right on a convex
#: surface, to the left on a concave one (a tile hole's rim), the further the flatter the
#: surface (a flat mirror or tile at 0.75-1.5 m: 16-32 px). It saturates as the on-axis
#: image does (the same ring's light off the same surface). So in an off-axis frame the spot
#: fails when a saturated point, where the on-axis frame had none, lies on its row up to
#: this far (px) either way, ``TWIN_ROWS_PX`` across (the perspective's tilt of the
#: baseline off the image's centre, the alignment's error). On the simulator's TUNING block
#: (``bench.optics.SIM_TUNING_SEEDS`` 8000-8099) 32 px left 5 of its 8 passing spots at no
#: lens and all 145 at one; 48 px left 4 but lost 3 lens spots; the ray-traced TRAINING
#: block's local lenses were the same at 16 and 32 px (21 at a lens, 6 not) ...
TWIN_REACH_PX = 32
TWIN_ROWS_PX = 2
#: ... and at least this far along it (nearer is the spot's own point, ``REF_REACH_PX``).
TWIN_MIN_PX = REF_REACH_PX + 1
#: A saturated point of the on-axis frame within this (px) of the twin's makes it no twin (an
#: LED, a lamp's highlight: in both frames).
TWIN_GUARD_PX = 1
#: Reference frames are taken within this many frames of the on-axis frame: the surroundings
#: still match (the hand moves a few cm in 0.1 s).
NEIGHBOUR_FRAMES = 3
#: Spots of two on-axis frames are one scene point when the first's surroundings, matched in
#: the second frame, put it within this (px) of the second.
JOIN_PX = 3.5
#: ... and at most this many frames apart (a chain of them may span the scan): over longer,
#: the walk's perspective changes the surroundings and the canvas's prediction drifts beyond
#: the search (the ring code lights the on-axis ring alone 6 times in 16 frames, up to 6 apart).
JOIN_MAX_GAP = 6
#: Another passing spot of the same frame this far (px) from a spot makes both pieces of the
#: on-axis ring's image: the ring is an annulus 11-17 mm across, and a glossy surface images
#: it whole (a flat one at 0.4 m: 12 px across, less further away) or in pieces (a convex
#: edge compresses it into two dots, a screw's dome into two beside each other), each of
#: them gone in the references as a cat's eye's glint is; a cat's eye is one point (its
#: aperture). Nearer than ``SPOT_MASK_PX`` is the same glint's second peak. On the
#: ray-traced TRAINING block 43 of 194 passing spots at no lens had such a partner within
#: 6-12 px, 1 of 337 at a lens (train1280, 10.6 px); out to 16 px a lens was lost
#: (train1001) and no false lens alarm more removed.
RING_IMAGE_PX = (float(SPOT_MASK_PX), 12.0)
#: On-axis frames that must agree (a lens counts as in its cone from two lit frames on).
MIN_FRAMES = 2
#: The share of the ray-traced TRAINING block's local lenses reported at a real lens, by how
#: many on-axis frames agreed on them: the confidence a local lens is reported with
#: (``local_lens_confidence``). Over its 254 captures: with two frames 35 of 51 (0.69, Wilson
#: 95 % 0.55-0.80), with three or more 57 of 62 (0.92, 0.82-0.97); 16 of the 21 false ones
#: joined two frames. A small glossy face shows its point image of the ring only while its
#: normal halves the angle between the camera and the ring, a degree or so of the sweep; a
#: lens glints for as long as the handheld stays in its 15-25 degree cone.
#: (Over its first 214 captures, one share for all, 78 of 97; nothing else in a local lens's
#: own evidence, its shares, flux, size or joins, told the real ones from the others.)
LOCAL_LENS_CONFIDENCE = {2: 0.69, 3: 0.92}  # agreeing frames (the last: that many or more)


def local_lens_confidence(n_frames: int) -> float:
    """The confidence of a local lens on which ``n_frames`` on-axis frames agreed
    (``LOCAL_LENS_CONFIDENCE``; at least ``MIN_FRAMES``)."""
    return LOCAL_LENS_CONFIDENCE[min(max(n_frames, MIN_FRAMES), max(LOCAL_LENS_CONFIDENCE))]

#: How far the frames are padded (``LocalFrame``): the search around the canvas's point, the
#: unsure reach around it and the flux box beyond that, and a margin.
_PAD = TEMPLATE_HALF_PX + SEARCH_PX + REF_REACH_UNSURE_PX + FLUX_HALF_PX + 4


@dataclass
class Spot:
    """A saturated compact spot of an on-axis frame and, per neighbouring reference frame,
    its light there as a share of its own."""

    frame: LocalFrame
    x: float  # px at 640 px width
    y: float
    flux: float  # DN px per ms over the surroundings
    radius_px: float
    above_only: bool  # whether its light is counted above the surface alone (its dark hole)
    patch: np.ndarray  # the evidence crop's raw patch
    line: tuple | None = None  # the unit direction (x, y) of its surroundings' line, if one
    row: np.ndarray | None = None  # its row's saturated pixels (``_row_saturated``), widened
    saturated_px: int = 0  # its saturated pixels within ``REF_REACH_PX``
    shares: list = field(default_factory=list)
    outshone: list = field(default_factory=list)  # per share: a highlight the glint outshines
    twin: bool = False  # whether an off-axis frame showed a twin on its row
    off_axis_seen: bool = False  # whether an off-axis frame was looked at (a share taken)

    @property
    def passes(self) -> bool:
        return bool(self.shares) and not self.twin and all(
            share <= RETRO_SHARE or outshone
            for share, outshone in zip(self.shares, self.outshone))


@dataclass(frozen=True)
class LocalLens:
    """A lens by the local test: its strongest glint (frame, full-resolution px), the on-axis
    frames that agreed and the largest share of a glint's light any reference showed."""

    frame: int
    x: float
    y: float
    radius_px: float
    canvas_xy: tuple
    frames: tuple
    retro_share: float
    patch: np.ndarray

    def finding_crop(self) -> np.ndarray:
        return crops.annotate(self.patch, "lens", (0.0, 0.0), self.radius_px)


class CatsEyeTest:
    """Feed every frame with ``add`` (with its candidates); ``lenses()`` at any time."""

    def __init__(self):
        self._frames: deque[LocalFrame] = deque(maxlen=2 * NEIGHBOUR_FRAMES + 1)
        self._pending: list[Spot] = []
        self._passed: list[Spot] = []

    def add(self, frame, candidates, pooled: np.ndarray) -> None:
        """One frame (``optics.tracks.RegisteredFrame``), its candidates and the frame at
        640 px width they were found in (``optics.candidates.detection_map``'s)."""
        this = LocalFrame(frame, pooled, _PAD)
        self._frames.append(this)
        if frame.ring == "on":
            for spot in _spots(this, frame, candidates):
                for other in sorted(self._frames, key=lambda f: abs(f.index - this.index)):
                    if other.reference:
                        _test(spot, other)
                self._pending.append(spot)
        elif this.reference:
            for spot in self._pending:
                _test(spot, this)
        self._settle(frame.index)

    def _settle(self, index) -> None:
        """Spots whose neighbours have all been seen are judged; those that pass are kept."""
        done = [s for s in self._pending if index - s.frame.index >= NEIGHBOUR_FRAMES]
        self._passed += [s for s in done if s.passes]
        self._pending = [s for s in self._pending if index - s.frame.index < NEIGHBOUR_FRAMES]

    def lenses(self) -> list[LocalLens]:
        """Scene points where ``MIN_FRAMES`` on-axis frames, not just two adjacent ones, show
        a passing glint that is no piece of the ring's image (``_ring_image``)."""
        groups: list[list[Spot]] = []
        passing = self._passed + [s for s in self._pending if s.passes]
        for spot in [s for s in passing if not _ring_image(s, passing)]:
            group = next((g for g in groups
                          if any(0 < abs(o.frame.index - spot.frame.index) <= JOIN_MAX_GAP
                                 and _same_point(o, spot) for o in g)), None)
            if group is None:
                groups.append([spot])
            else:
                group.append(spot)
        out = []
        for group in groups:
            frames = tuple(sorted({spot.frame.index for spot in group}))
            if len(frames) < MIN_FRAMES or (len(frames) == 2 and frames[1] - frames[0] == 1
                                             and not _firm_adjacent_pair(group)):
                continue
            best = max(group, key=lambda spot: spot.flux)
            factor = best.frame.factor
            x, y = best.x * factor, best.y * factor
            out.append(LocalLens(best.frame.index, x, y, best.radius_px * factor,
                                 apply(best.frame.to_canvas, x, y), frames,
                                 max(max(spot.shares) for spot in group), best.patch))
        return out


def _ring_image(spot: Spot, passing: list[Spot]) -> bool:
    """Whether another passing spot of the spot's frame lies ``RING_IMAGE_PX`` from it: the
    two are pieces of the on-axis ring's image, not a cat's eye."""
    return any(other.frame is spot.frame
               and RING_IMAGE_PX[0] < np.hypot(other.x - spot.x, other.y - spot.y)
               <= RING_IMAGE_PX[1] for other in passing)


def _spots(this: LocalFrame, frame, candidates) -> list[Spot]:
    """The candidates of an on-axis frame that may be a cat's eye's glint: saturated, clear of
    their surroundings, small and alone."""
    xi, yi = np.rint(candidates.x).astype(int), np.rint(candidates.y).astype(int)
    contrast = candidates.contrast_dn
    strong = np.flatnonzero((contrast >= MIN_SPOT_DN)
                            & (contrast >= MIN_SPOT_SIGMA * candidates.noise_dn)
                            & (frame.gray8[yi, xi] >= SATURATED_DN))
    spots = []
    for k in strong:
        x, y = candidates.x[k] / this.factor, candidates.y[k] / this.factor
        patch = this.box(x, y, int(NEARBY_PX[1]) + 2)
        if (patch[_NEARBY] >= SATURATED_DN).sum() > MAX_NEARBY_SATURATED:
            continue
        if (this.box(x, y, int(FAR_PX[1]))[_FAR] >= SATURATED_DN).sum() > MAX_FAR_SATURATED:
            continue
        radius_px = _glint_radius(patch)
        if radius_px > MAX_GLINT_RADIUS_PX:
            continue
        flux, above_only = _flux(this, x, y, 0), False
        if flux <= 0:  # its dark hole outweighs it
            flux, above_only = _flux(this, x, y, 0, above_only=True), True
        if flux > 0 and not near_edge(this, x, y):
            spots.append((flux, k, x, y, radius_px, above_only))
    return [Spot(this, x, y, flux, radius_px, above_only,
                 crops.cut_patch(frame.image, candidates.x[k], candidates.y[k]),
                 line_direction(this, x, y), _widened(_row_saturated(this, x, y)),
                 _saturated_px(this, x, y, REF_REACH_PX))
            for flux, k, x, y, radius_px, above_only
            in sorted(spots, key=lambda s: -s[0])[:MAX_SPOTS]]


def _glint_radius(patch: np.ndarray) -> float:
    """The equal-area radius (px) of what stands over half the peak's height above the
    patch's border, within ``SHAPE_REACH_PX`` of the centre; infinite when its centroid is
    below half (a ring: a tile's or a curved mirror's image of the ring of LEDs) or nothing
    within the reach is (the patch's peak lies further out).
    The half-maximum region of a saturated core with its blur, as ``features.glint_shape``
    measures it, in a fifth of its time."""
    level = patch.astype(np.float32)
    surface = _border_median(level)
    half = surface + 0.5 * (float(level.max()) - surface)
    above = (level >= half) & _WITHIN
    ys, xs = np.nonzero(above)
    if not len(xs) or not above[int(round(ys.mean())), int(round(xs.mean()))]:
        return float("inf")
    return float(np.sqrt(len(xs) / np.pi))


_half = int(NEARBY_PX[1]) + 2
_r = np.hypot(*np.mgrid[-_half:_half + 1, -_half:_half + 1])
_NEARBY = (_r > NEARBY_PX[0]) & (_r <= NEARBY_PX[1])
_WITHIN = _r <= SHAPE_REACH_PX
_far = int(FAR_PX[1])
_r_far = np.hypot(*np.mgrid[-_far:_far + 1, -_far:_far + 1])
_FAR = (_r_far > FAR_PX[0]) & (_r_far <= FAR_PX[1])
_TWIN = np.zeros((2 * TWIN_ROWS_PX + 1, 2 * TWIN_REACH_PX + 1), bool)
_TWIN[:, np.abs(np.arange(-TWIN_REACH_PX, TWIN_REACH_PX + 1)) >= TWIN_MIN_PX] = True
def _test(spot: Spot, reference: LocalFrame) -> None:
    """The spot's light at its scene point in ``reference``, as a share of its own (skipped
    once a reference has failed it, or beyond ``NEIGHBOUR_FRAMES``)."""
    if (spot.shares and not spot.passes) or abs(reference.index - spot.frame.index) > (
            NEIGHBOUR_FRAMES):
        return
    x, y, sure, _ = align(spot.frame, spot.x, spot.y, reference)
    # An unclear match (a smooth fixture, bare paint) says nothing of where the point is: its
    # light is looked for around where the canvas puts it.
    lx, ly = (x, y) if sure else predicted(spot.frame, spot.x, spot.y, reference)
    if near_edge(reference, x, y) or near_edge(reference, lx, ly):
        return  # cannot say
    reach = (REF_REACH_PX if reference.off_axis else DARK_REACH_PX) if sure \
        else REF_REACH_UNSURE_PX
    light = (_flux(reference, lx, ly, reach, spot.above_only) if spot.line is None
             else _light_along_line(spot, reference, x, y))
    share = light / spot.flux
    spot.shares.append(share)
    spot.outshone.append(bool(
        reference.off_axis and spot.line is None and RETRO_SHARE < share <= OUTSHONE_SHARE
        and _outshines(spot, _saturated_px(reference, lx, ly, reach + FLUX_HALF_PX))))
    if reference.off_axis:
        spot.off_axis_seen = True
        spot.twin |= bool((_row_saturated(reference, x, y) & ~spot.row & _TWIN).any())


def _light_along_line(spot: Spot, reference: LocalFrame, x, y) -> float:
    """A line spot's light in ``reference``: the most flux every ``LINE_STEP_PX`` along the
    line within ``SEARCH_PX`` of its matched point (x, y). The line is followed as the
    reference shows it there (the spot's own direction if it shows none): the hand's roll
    turns it between frames, and a vent's slot walked in the direction it had in the spot's
    frame runs onto the bright slat beside it (train1415: by 16-28 px along, 0.2-0.4 of its
    lens's glint, in three of the four off-axis frames next to its on-axis ones)."""
    line = line_direction(reference, x, y) or spot.line
    return max(_flux(reference, *inside(reference, x + step * line[0], y + step * line[1]),
                     REF_REACH_PX, spot.above_only)
               for step in range(-SEARCH_PX, SEARCH_PX + 1, LINE_STEP_PX))


def _outshines(spot: Spot, highlight_px: int) -> bool:
    """Whether the spot's saturated core outshines a reference's saturated highlight of
    ``highlight_px`` pixels where its light was read (``OUTSHINE_RATIO``)."""
    return (highlight_px >= 1 and spot.saturated_px >= MIN_OUTSHINE_PX
            and spot.saturated_px >= OUTSHINE_RATIO * highlight_px)


def _saturated_px(frame: LocalFrame, x, y, reach: int) -> int:
    """The saturated pixels of a box ``reach`` px around (x, y)."""
    return int((frame.box(x, y, reach) >= SATURATED_DN).sum())


def _firm_adjacent_pair(group: list[Spot]) -> bool:
    """Whether the spots of two adjacent on-axis frames are a lens on their own: the one's
    surroundings, matched in the other's frame, put it at the other from a spot whose
    surroundings are no line (a line matches anywhere along itself, so a join from it may have
    followed a tile's mirror image of the ring sliding along a grout line with the hand), and
    an off-axis frame was looked at for one of them (dark frames alone rule out a lamp or an
    LED, not a chrome or screw head's highlight, which the off-axis ring lights as well).
    On the ray-traced TRAINING block this admits the adjacent pairs at train1022, train1029,
    train1040 and train1105's lenses and refuses all three at no lens: two glossy-tile images
    of the on-axis ring under a grout line or a bar (train1011, train1040: both spots on the
    line, joined 7-8 px along it from where the canvas put them) and a screw head's highlight
    with only dark frames within ``NEIGHBOUR_FRAMES`` (train1102). A screw head's lens beside
    a tile's edge (train1210) was joined from its first spot, on the edge's line; its second
    spot's surroundings, no line, match back at the first. (When no spot is on a line, the
    join that made the group held from one already: no match is made again.)"""
    firm_join = all(spot.line is None for spot in group) or any(
        spot.line is None and _same_point(spot, other)
        for spot in group for other in group if other.frame is not spot.frame)
    return firm_join and any(spot.off_axis_seen for spot in group)


def _row_saturated(frame: LocalFrame, x, y) -> np.ndarray:
    """The saturated pixels up to ``TWIN_REACH_PX`` along the row of (x, y) and
    ``TWIN_ROWS_PX`` across it: rows -TWIN_ROWS_PX.. down, columns left to right."""
    cx, cy = int(round(x)) + frame.pad, int(round(y)) + frame.pad
    return frame.level[cy - TWIN_ROWS_PX:cy + TWIN_ROWS_PX + 1,
                       cx - TWIN_REACH_PX:cx + TWIN_REACH_PX + 1] >= SATURATED_DN


def _widened(saturated: np.ndarray) -> np.ndarray:
    """``saturated`` grown by ``TWIN_GUARD_PX``."""
    side = 2 * TWIN_GUARD_PX + 1
    return cv2.dilate(saturated.astype(np.uint8), np.ones((side, side), np.uint8)) > 0


def _same_point(a: Spot, b: Spot) -> bool:
    """Whether ``b`` is ``a``'s scene point: ``a``'s surroundings matched in ``b``'s frame
    put it within ``JOIN_PX`` of ``b``, or match at ``b`` at least as well as where the
    coarse-to-fine search put them (``b`` inside the search); or, when that match is unclear
    (a smooth fixture, bare paint: the score peaks anywhere), the canvas puts it there
    (ray-traced TRAINING capture train1212: an air freshener's lens matched 15-30 px off,
    where the canvas put it within 1-4 px), or they match clearly at ``b`` (``MIN_MATCH``),
    where the search did not look (train1433: a smoke detector's lens, 0.51 at the next
    glint where the search's 0.32 landed 37 px off and the canvas put it 20 px off).
    The search's half-resolution pass picks one peak among near-equal ones (a vent's slats, a
    smooth fixture's rim) and its full-resolution refinement looks only 2 px around it: on
    the TRAINING block two vents' lenses (train1215, train1271) scored 0.001-0.033 better at
    their own glint than at the place found 5-28 px off, so their glints never joined."""
    x, y, sure, score = align(a.frame, a.x, a.y, b.frame)
    if np.hypot(x - b.x, y - b.y) <= JOIN_PX:
        return True
    px, py = predicted(a.frame, a.x, a.y, b.frame)
    off_px = np.hypot(px - b.x, py - b.y)
    if not sure and off_px <= JOIN_PX:
        return True
    return bool(off_px <= SEARCH_PX
                and match_near(a.frame, a.x, a.y, b.frame, b.x, b.y, JOIN_PX) >= (score if sure else MIN_MATCH))


def _border_median(box: np.ndarray) -> float:
    """The median of a box's outermost pixels: the surface around what the box holds. Taken
    over a Python list of the few dozen levels: the same value as ``np.median`` (the mean of
    the middle two, exact for whole levels) at a tenth of its cost, which counts as a spot
    on a line measures its light at 29 places of each reference frame."""
    return float(statistics.median(_border(box).tolist()))


def _border(box: np.ndarray) -> np.ndarray:
    """A box's outermost pixels, in one array."""
    return np.concatenate([box[0], box[-1], box[1:-1, 0], box[1:-1, -1]])


def _flux(frame: LocalFrame, x, y, reach: int, above_only: bool = False) -> float:
    """The largest flux (DN px per ms) of a ``FLUX_HALF_PX`` box within ``reach`` px of
    (x, y), over the surface around the point: the median of the border of a box
    ``SURROUND_HALF_PX`` around (x, y) itself, the same whatever the reach (a chrome ball's
    dark face around its highlight, not the wall beyond it). ``above_only``: only what
    stands ``ABOVE_SURFACE_SIGMAS`` over it counts (a glint whose dark hole outweighs it)."""
    h, s = FLUX_HALF_PX, SURROUND_HALF_PX
    outer = h + reach
    around = frame.box(x, y, s)
    surface = _border_median(around)
    patch = frame.box(x, y, outer).astype(np.float32)
    side = 2 * h + 1
    excess = patch - surface
    if above_only:
        # the median absolute deviation over 0.6745: a Gaussian's sigma, robust to a mark
        sigma = max(float(np.median(np.abs(_border(around) - surface))) / 0.6745, MIN_NOISE_DN)
        excess = np.maximum(excess - ABOVE_SURFACE_SIGMAS * sigma, 0.0)
    sums = cv2.boxFilter(excess, -1, (side, side), normalize=False,
                         borderType=cv2.BORDER_CONSTANT)
    inner = sums[h:h + 2 * reach + 1, h:h + 2 * reach + 1]
    return float(inner.max()) / frame.exposure_ms
