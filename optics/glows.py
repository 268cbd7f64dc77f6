"""An always-on light's fragments joined into one glow, and what the whole of it shows.

An indicator or infrared LED is 3-60 times the camera's full scale: its core clips in every
frame it is in view, whichever ring is lit or none. Clipping is per channel: an infrared LED
clips all three (255 grey), a coloured one its strongest channel, its weaker ones not or only
at times (a red LED clipping red alone reads 75 grey plus 0.59 of its green leak), and a small
far LED's grey level moves as its image crosses the pixel grid while its strongest channel
clips throughout. A ring's highlight is brighter in the frames its ring lights; an unclipped
lamp highlight rises and falls with the lamp's flicker.

Registration jitter (10-15 px at 640 px on a jittery walk) and a housing's parallax move such
a light over the canvas by more than a track's join radius, so its detections land on 2-5
short tracks, each too brief, spread or sliding to look like an emitter on its own. Here the
fragments are joined again, at scoring time, from what their detections say:

- a **piece** is a track whose detections mostly hold one clipped core: in a colour frame,
  its strongest channel clips at each (``optics.colour.clipped``: all three for an
  infrared LED, red alone for a dim red one; a weaker channel near the clip may come and go),
  its grey level free to move as a small LED's image crosses the pixel grid (its unclipped
  channels with it); in a greyscale frame, one grey level (their median) at or above
  ``MIN_CORE_DN``;
- two pieces are one glow when their cores agree within ``STEADY_DN``, their detections come
  within ``JOIN_PX`` of each other on the canvas, and no frame holds a detection of each more
  than ``SAME_SPOT_PX`` apart (one light is one spot per frame: two at once are two lights);
  pieces are joined nearest first, and two glows only when no piece of one clashes with a
  piece of the other. A track of a single detection holding a clipped core is a piece too
  (``lone_pieces``): an LED sliding over the canvas faster than a track's join radius, by
  parallax on a deep housing or a fast walk, starts a new track in each frame; such tracks
  are kept when they retire (``optics.tracks.TrackBook.lone``), and so are the clipped spots
  of the frame's border strips, where no candidate can be found (``optics.tracks.
  border_tracks``: an LED 0-6 px from the edge). Tracks of a few detections that could not be
  scored are pieces as well. Two single detections of one frame that could each continue
  either of two lights join nothing (``unambiguous``).

A glow whose core stays at one level in frames of both kinds (dark and ring-lit), in at least
``MIN_STEADY_FRAMES`` frames, and holds in the dark frames (``MIN_DARK_SHARE``), is an
always-on light when either
- the light around its clipped core is a visible LED's colour (``optics.colour``): a visible
  indicator LED; or
- its clipped core is a lit disc (``clipped_disc``): an LED's die and diffuser, 3-5 mm, with
  the veiling glare's inner halo clipped too, is a round blob 3-14 px across (8-150 px of
  area); a lamp's image in chrome, the other light that clips in dark frames, is a point on
  a ball or screw head (1-7 px of area), a streak along a pipe, tap or rim (roundness under
  0.3), or larger and of the lamp's warm hue; a smaller round disc, from 5 px of area, when
  its light has the infrared hue (``optics.colour.infrared_hue``: a far infrared LED; the
  lamp's images are warm white);
even when none of its fragments scores as an emitter: the physical cues together, not a
weighted sum. Its kind then follows its colour (infrared, or no colour read: an alert).

The same cues drop glows the calibrated score reports (``optics.pipeline.compose_glows``): a
track detected in fewer than ``MIN_GLOW_DETECTIONS`` frames (an always-on light in view is
detected frame after frame, a two-frame spot is a passing highlight), one whose detections do
not mostly read one clipped level (``steady_share``), one whose clipped core is a streak
(``is_streak``: the lamp's image along chrome; an infrared LED beside an indicator joins into
a blob twice as long as it is wide, and is none), one whose light has the warm lamp's hue
(``optics.colour.lamp_hue``: the lamp's images in chrome, which clip in the dark frames too),
and one whose clipped core is a point with blue the weakest channel of its light or no glow
around it (``is_lamp_point``: the lamp's point image in a chrome ball or dome, whose colour is
read over too few pixels for the lamp hue's margin and which clips by too little to spread an
LED's glare).
"""

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from optics.colour import (CLIPPED_DN, CORE_REACH_PX, LUMA_BGR, MIN_CORE_DN,
                           blue_weakest, glow_light, infrared_hue, is_visible_led,
                           led_balance)
from optics.features import median
from optics.tracks import Track

#: Detections within this many grey DN of a piece's core are the core; two pieces whose cores
#: differ by more are two lights. A clipped core's level moved by 1-5 DN over a training scan
#: (the ring's light on the unclipped channels); an unclipped highlight's by tens.
STEADY_DN = 8.0
#: Fragments of one light come within this (canvas px at 640 px width) of each other: the
#: registration's jitter on the training block's walks (10-15 px).
JOIN_PX = 16.0
#: Two detections of one frame further apart than this (px at 640 px width) are two lights.
SAME_SPOT_PX = 2.0
#: A visible LED from steadiness and colour alone needs this many core detections, dark and lit
#: frames both among them (the benchmark counts an LED in view in 4 frames or more).
MIN_STEADY_FRAMES = 4
#: An always-on light's core holds in the dark frames: at least this share of its pieces'
#: detections in dark frames read the core level (the training block's LEDs: 0.8-1.0). A
#: ring-lit highlight that clips only under the rings reads its core in a dark frame by chance.
MIN_DARK_SHARE = 0.75
#: Glows seen in fewer frames than this are not reported.
MIN_GLOW_DETECTIONS = 3
#: An emitter's detections read its core level, within ``STEADY_FRACTION`` of it, in at least
#: this share of them: an LED in all or nearly (the training block's LED tracks: 1.0; a small
#: green LED's barely clipped core moved by 9 % over the scan as it crossed the pixel grid),
#: where a highlight that clips only at times, or not at all, scatters (the training block's
#: false glows of that kind: 0.3-0.8).
MIN_STEADY_SHARE = 0.85
STEADY_FRACTION = 0.1
#: A lit disc: its clipped blob covers at least this many pixels (at 640 px width: a disc 3 px
#: across, a 3x3 block less a corner) and at most ``MAX_DISC_AREA_PX`` (a disc 14 px across:
#: an LED 5 mm across at 0.3 m is 11 px, its clipped inner halo adds a little), and is at
#: least this round (minor over major axis). The lamp's images in chrome that clip in the
#: dark frames as an LED does are points of 1-7 px, streaks, or larger and of the lamp's warm
#: hue (dropped by ``optics.colour.lamp_hue`` before this rule). On the 214 training captures
#: the steady glows (dark and lit frames) of 8-11 px, round and not of the lamp's hue, were
#: 26, every one at an LED, none at no LED or at a lens; a far infrared LED beside a visible
#: one, whose glare spoils its hue, is such a disc (train1224, train1307, train1323: 9-11 px).
#: The first bound, 12 px, had been set on the first 80 captures (LED blobs 13-90 px; two
#: glows of 10 px at no LED, which the lamp-hue rule now drops). The simulator's brightly lit
#: glossy surfaces clip over 180-250 px (at 640 px width) and are no LED either.
MIN_DISC_AREA_PX = 8.0
MAX_DISC_AREA_PX = 150.0
MIN_DISC_ROUNDNESS = 0.7
#: A smaller lit disc, from this many pixels (at 640 px width: 2.5 px across), is an LED when
#: its light has the infrared hue (``optics.colour.infrared_hue``): a far infrared LED's
#: clipped disc is 5-11 px (training captures 1127, 1204 and 1260 at 1.4-1.9 m), the lamp's
#: point images in chrome 1-7 px, and the lamp's larger images have its warm colour. On the
#: training block the rule met those three LEDs and no glow at no LED (from 4 px it met one,
#: an infrared LED's 4 px image in train1110's chrome screw head).
MIN_INFRARED_DISC_AREA_PX = 5.0
#: A point whose glow shows no light around it in this many dark colour frames or more is not
#: an LED's (``is_lamp_point``): the training block's LEDs reported from a point core that
#: showed none did so in one or two (train1125, train1300); the lamp's points in chrome in 4-9.
MIN_HALO_FRAMES = 3
#: A streak: a clipped blob of at least this many pixels (at 640 px width) and less round than
#: this is a lamp's image along a chrome pipe, tap or rim, not an LED (the training block's LED
#: blobs were 0.72-0.98 round; its streaks, found as glows by their tracks' scores, 6-49 px and
#: 0.08-0.30 round).
MIN_STREAK_AREA_PX = 6.0
MAX_STREAK_ROUNDNESS = 0.4
#: ... unless its light has the infrared hue (``optics.colour.infrared_hue``) and it is no
#: thinner than this: two LEDs side by side, an infrared one beside an indicator, whose
#: clipped discs and glare join into one blob about twice as long as it is wide (training
#: capture train1318: an 850 nm and a green LED 4.5 px apart, 7 px of area, 0.29 round, both
#: lost as a streak). The training block's streaks of the infrared hue at no LED, the lamp's
#: near-white image along chrome, were 0.04-0.18 round (train1011, 1022, 1124, 1214, 1330,
#: 1410), its other streaks 0.0-0.39 and of no infrared hue.
MIN_LED_PAIR_ROUNDNESS = 0.25
#: How far (px at 640 px width) from the evidence patch's centre its clipped blob may start:
#: the detection sits on the blob's brightest pixel, or beside it by a pixel or two.
DISC_REACH_PX = CORE_REACH_PX
#: The confidence given to an always-on light told by steadiness with colour or a lit disc, not
#: by the calibrated score: a stated value, not a fitted one. On the training block every glow
#: that met either rule lay at an LED (19 of 19, 15 distinct LEDs; the 95 % Wilson interval of
#: that share is 0.83-1.0).
STEADY_GLOW_CONFIDENCE = 0.9


@dataclass(frozen=True)
class Piece:
    """A track's detections at its core level: frame -> canvas point, and whether dark."""

    track: Track
    core_dn: float
    points: dict  # frame -> (canvas x, canvas y) of the detections at the core
    dark: frozenset  # frames among them with both rings dark


@dataclass(frozen=True)
class Glow:
    """Joined pieces of one steady light."""

    pieces: tuple
    core_dn: float
    n_frames: int  # frames with a core detection of any piece
    n_dark: int
    n_lit: int
    n_dark_detections: int  # its pieces' detections in dark frames, at the core or not

    @cached_property
    def glow_colours(self) -> np.ndarray:
        """Its light per channel over its surroundings in each of its pieces' dark colour
        frames (rows; read only for the glows whose colour is asked for)."""
        return np.vstack([p.track.glow_colours() for p in self.pieces])

    @cached_property
    def glow_balance(self) -> float:
        """The lesser of blue and red over the strongest channel of its light, around its
        cores or at them (``optics.colour.led_balance``; asked up to three times a glow)."""
        return led_balance(self.glow_colours,
                           np.vstack([p.track.core_colours() for p in self.pieces]))

    @property
    def tracks(self) -> list[Track]:
        return [p.track for p in self.pieces]

    def always_on(self, scale: float) -> bool:
        """Steady in dark and lit frames alike (its core holding in the dark frames), and a
        visible LED's colour or a lit disc (a smaller one with the infrared hue)."""
        if (self.n_frames < MIN_STEADY_FRAMES or not self.n_dark or not self.n_lit
                or self.n_dark < MIN_DARK_SHARE * self.n_dark_detections):
            return False
        if is_visible_led(self.glow_balance):
            return True
        area_px, roundness = clipped_disc(self.representative.evidence.patch, scale)
        area_px /= scale**2
        if roundness < MIN_DISC_ROUNDNESS or area_px > MAX_DISC_AREA_PX:
            return False
        return area_px >= MIN_DISC_AREA_PX or (area_px >= MIN_INFRARED_DISC_AREA_PX
                                               and infrared_hue(self.glow_colours))

    @property
    def representative(self) -> Track:
        """The piece with the most core detections (its evidence stands for the glow)."""
        return max(self.pieces, key=lambda p: len(p.points)).track


def clipped_disc(patch: np.ndarray, scale: float) -> tuple[float, float]:
    """The clipped blob at the centre of an evidence patch (``core_blob``): its area
    (full-resolution px) and roundness (minor over major axis; 1 for a disc or a blob too
    small to say). (0, 0) when nothing clips there."""
    blob = core_blob(patch, scale)
    if blob is None:
        return 0.0, 0.0
    moments = cv2.moments(blob.astype(np.uint8), binaryImage=True)
    area = moments["m00"]
    if area < 3:
        return float(area), 1.0
    # The blob's second moments' eigenvalues in closed form (np.cov and eigvalsh cost ten times).
    a, b, c = moments["mu20"] / area, moments["mu11"] / area, moments["mu02"] / area
    spread = np.hypot((a - c) / 2, b)
    major, minor = (a + c) / 2 + spread, max((a + c) / 2 - spread, 0.0)
    return float(area), float(np.sqrt((minor + 1e-6) / (major + 1e-6)))


def core_blob(patch: np.ndarray, scale: float) -> np.ndarray | None:
    """The clipped blob at the centre of an evidence patch (odd-sized, full resolution, its
    frame ``scale`` px per px at 640 px width): the clipped pixels (any channel: a red LED's
    disc clips in red alone) connected to one within ``DISC_REACH_PX`` of the centre, as a
    mask; None when nothing clips there."""
    clipped = patch.max(axis=2) >= CLIPPED_DN
    _, labels = cv2.connectedComponents(clipped.astype(np.uint8), connectivity=8)
    half = clipped.shape[0] // 2
    reach = round(DISC_REACH_PX * scale)
    near = labels[half - reach:half + reach + 1, half - reach:half + reach + 1]
    own = np.unique(near[near > 0])
    if not len(own):
        return None
    return labels == own[0] if len(own) == 1 else np.isin(labels, own)


def core_offset(patch: np.ndarray, scale: float) -> tuple[float, float] | None:
    """Where the centre of an evidence patch's clipped blob (``core_blob``) lies from the
    patch's centre (full-resolution px), or None when nothing clips there. A clipped LED disc
    is a plateau of equal pixels: the detection sits on one of them, up to its radius from
    its centre (train1267's 850 nm LED at 0.4 m, 11 px across: 4.5 px off), where the light
    is at the disc's centre."""
    blob = core_blob(patch, scale)
    if blob is None:
        return None
    ys, xs = np.nonzero(blob)
    half = blob.shape[0] // 2
    return float(xs.mean() - half), float(ys.mean() - half)


def is_streak(track: Track, scale: float, colours: np.ndarray) -> bool:
    """Whether the track's clipped core, at its strongest, is a streak (``MIN_STREAK_AREA_PX``,
    ``MAX_STREAK_ROUNDNESS``) and not a pair of LEDs (``MIN_LED_PAIR_ROUNDNESS``: its light,
    ``colours``, its glow's rows, of the infrared hue)."""
    area_px, roundness = clipped_disc(track.evidence.patch, scale)
    return (area_px / scale**2 >= MIN_STREAK_AREA_PX and roundness < MAX_STREAK_ROUNDNESS
            and not (roundness >= MIN_LED_PAIR_ROUNDNESS and infrared_hue(colours)))


def is_lamp_point(track: Track, scale: float, colours: np.ndarray) -> bool:
    """Whether the track's clipped core is a point (under ``MIN_INFRARED_DISC_AREA_PX``) that
    is the warm lamp's image in a chrome ball or a screw's dome: a point of 1-4 px that clips
    in dark and lit frames alike and can score as an emitter. Its light (``colours``, its
    glow's rows) has blue the weakest channel (``optics.colour.blue_weakest``), or shows no
    glow around the point in ``MIN_HALO_FRAMES`` dark frames or more (``optics.colour.
    glow_light``): the lamp's image clips by a little, where an LED 3-60 times over full
    scale spreads its veiling glare around its core. On the 214 training captures the first
    took 19 of the 50 glow findings at no LED, the second 9 of the 31 left, and neither an
    LED: every LED reported from a point core read green the weakest, or showed no glow in
    one or two dark frames only (train1125, train1300)."""
    area_px, _ = clipped_disc(track.evidence.patch, scale)
    if area_px / scale**2 >= MIN_INFRARED_DISC_AREA_PX:
        return False
    rows = np.asarray(colours, float).reshape(-1, 3)
    read = int((~np.isnan(rows).any(axis=1)).sum())
    return blue_weakest(rows) or (read >= MIN_HALO_FRAMES and glow_light(rows) is None)


def core_of(track: Track) -> tuple[list, np.ndarray, float] | None:
    """A track's detections, which of them hold its core, and the core's grey level (the
    median of those), or None when its core is not clipped. In colour frames the core is its
    strongest channel clipping (``optics.colour.clipped``: the channel that clips in
    most detections, the brighter-weighted of those tied, as all three tie for an infrared
    LED): a detection holds it when that channel clips there, whatever the weaker ones do (a
    red LED's green leak near the clip comes and goes), and its brightest grey pixel reads at
    least what that channel alone gives (the clipped pixel is the detection's own, not a
    neighbour's). In greyscale frames the core is the detections' median grey level, at least
    ``MIN_CORE_DN``, held within ``STEADY_DN``."""
    detected = [o for o in track.observations if o.detected]
    if not detected:
        return None
    peaks = np.array([o.contrast_dn + o.background_dn for o in detected])
    if all(o.clipped_bgr is None for o in detected):
        core = median(peaks)
        return (detected, np.abs(peaks - core) <= STEADY_DN, core) if core >= MIN_CORE_DN \
            else None
    clipped = np.array([o.clipped_bgr or (False, False, False) for o in detected], bool)
    counts = clipped.sum(axis=0)
    channel = max(range(3), key=lambda c: (counts[c], LUMA_BGR[c]))
    at_core = clipped[:, channel] & (peaks >= LUMA_BGR[channel] * CLIPPED_DN)
    return (detected, at_core, median(peaks[at_core])) if at_core.any() else None


def steady_share(track: Track) -> float:
    """The share of a track's detections that hold its clipped core: in colour, those where its
    strongest channel clips; in grey, those whose brightest pixel
    reads the core's level (the median) within ``STEADY_FRACTION`` of it. 0 for a track whose
    core is not clipped."""
    core = core_of(track)
    if core is None:
        return 0.0
    detected, at_core, core_dn = core
    if detected[0].clipped_bgr is None:
        peaks = np.array([o.contrast_dn + o.background_dn for o in detected])
        return float(np.mean(np.abs(peaks - core_dn) <= STEADY_FRACTION * core_dn))
    return float(np.mean(at_core))


def piece_of(track: Track, min_core: int = 2) -> Piece | None:
    """The track as a piece of a steady light (``core_of``), or None when its core is not
    clipped or held in fewer than ``min_core`` detections."""
    core = core_of(track)
    if core is None or core[1].sum() < min_core:
        return None
    detected, at_core, core_dn = core
    points = {o.frame: xy for o, xy, keep in zip(detected, track.detected_canvas, at_core)
              if keep}
    dark = frozenset(o.frame for o, keep in zip(detected, at_core)
                     if keep and o.dark)
    return Piece(track, core_dn, points, dark)


def two_lights(a: Track, b: Track, scale: float) -> bool:
    """Whether tracks ``a`` and ``b`` were detected at their clipped cores in one frame, apart:
    two lights side by side, however close (an infrared and a visible LED 15 mm apart
    on one housing, training capture train1505), not two fragments of one."""
    pieces = piece_of(a), piece_of(b)
    return None not in pieces and _clash(*pieces, SAME_SPOT_PX * scale)


def _clash(a: Piece, b: Piece, same_spot_px: float) -> bool:
    """Both detected in one frame, apart: two lights."""
    return any(np.hypot(a.points[f][0] - b.points[f][0], a.points[f][1] - b.points[f][1])
               > same_spot_px for f in a.points.keys() & b.points.keys())


def _gaps(pieces: list[Piece]) -> np.ndarray:
    """The least canvas distance between a detection of each two pieces (a matrix): one
    matrix of squared distances over all their detections, reduced piece by piece, and only
    then its square root (a scan's pieces hold a thousand detections or more)."""
    points = np.array([xy for p in pieces for xy in p.points.values()], float).reshape(-1, 2)
    starts = np.cumsum([0] + [len(p.points) for p in pieces[:-1]])
    squared = ((points[:, None, 0] - points[None, :, 0]) ** 2
               + (points[:, None, 1] - points[None, :, 1]) ** 2)
    by_row = np.minimum.reduceat(squared, starts, axis=0)
    return np.sqrt(np.minimum.reduceat(by_row, starts, axis=1))


def join_glows(tracks: list[Track], scale: float, lone: list[Track] = ()) -> list[Glow]:
    """The steady lights among ``tracks``, and among the other tracks of ``lone``: those of a
    single detection (``lone_pieces``) and those of more that could not be scored (a light
    crossing the frame fast or by its edge leaves tracks of 2-3 detections and too few
    measurements for a lock-in): pieces joined nearest first, each glow once."""
    scored = {track.track_id for track in tracks}
    unscored = [track for track in lone if track.track_id not in scored]
    pieces = [p for p in map(piece_of, tracks + [t for t in unscored if t.n_detections > 1])
              if p is not None] + lone_pieces(unscored)
    join_px, same_spot_px = JOIN_PX * scale, SAME_SPOT_PX * scale
    pieces = unambiguous(pieces, join_px, same_spot_px)
    if not pieces:
        return []
    gaps = _gaps(pieces)
    cores = np.array([p.core_dn for p in pieces])
    near = (gaps <= join_px) & (np.abs(cores[:, None] - cores[None, :]) <= STEADY_DN)
    pairs = sorted((gaps[i, j], i, j) for i, j in zip(*np.nonzero(np.triu(near, k=1))))
    owner = list(range(len(pieces)))
    members = {i: [i] for i in range(len(pieces))}
    for _, i, j in pairs:
        gi, gj = owner[i], owner[j]
        if gi == gj or any(_clash(pieces[x], pieces[y], same_spot_px)
                           for x in members[gi] for y in members[gj]):
            continue
        members[gi] += members.pop(gj)
        for k in members[gi]:
            owner[k] = gi
    return [_glow([pieces[k] for k in group]) for group in members.values()]


def unambiguous(pieces: list[Piece], join_px: float, same_spot_px: float) -> list[Piece]:
    """The pieces without the single detections that could continue either of two lights: two
    pieces of one detection each in one frame, of the same core, within twice ``join_px`` of
    each other on the canvas (both could be within ``join_px`` of a third piece) and not at
    the same spot. Both lights slid past a track's join radius in that frame (the canvas
    jumped there), so neither says which light it continues. Two clipped LEDs 15-20 px apart
    on a walk whose canvas jumps by as much (training capture 1112: an infrared LED beside a
    green one, both clipping white) would otherwise be joined across frames into one glow of
    two lights, and an infrared LED reported in the green one's colour."""
    singles: dict = {}
    for k, piece in enumerate(pieces):
        if piece.track.n_detections == 1:
            (frame, xy), = piece.points.items()
            singles.setdefault(frame, []).append((k, xy))
    ambiguous = set()
    for members in singles.values():
        for k, (x, y) in members:
            if any(other != k and abs(pieces[other].core_dn - pieces[k].core_dn) <= STEADY_DN
                   and same_spot_px < np.hypot(xy[0] - x, xy[1] - y) <= 2 * join_px
                   for other, xy in members):
                ambiguous.add(k)
    return [p for k, p in enumerate(pieces) if k not in ambiguous]


def lone_pieces(tracks: list[Track]) -> list[Piece]:
    """Single-detection tracks whose one detection holds a clipped core, as pieces of one
    detection. An LED crossing the image fast, or on a deep housing's front whose parallax
    slides it over the wall, moves over the canvas by more than a track's join radius
    (``optics.tracks.JOIN_RADIUS_PX``, 5 px) from frame to frame and starts a new track in
    each (train1022's blue LED and train1130's green one, on toilet-paper holders 110 mm deep:
    6-14 canvas px a frame, single-detection tracks in 7 frames each); its frames' cores
    still come within ``JOIN_PX`` of each other and join into one glow, which is judged as
    any other (``Glow.always_on``: dark and lit frames, colour or a lit disc)."""
    return [p for p in (piece_of(t, min_core=1) for t in tracks if t.n_detections == 1)
            if p is not None]


def _glow(pieces: list[Piece]) -> Glow:
    frames = set().union(*(p.points.keys() for p in pieces))
    dark = set().union(*(p.dark for p in pieces))
    dark_detections = sum(o.detected and o.dark for p in pieces for o in p.track.observations)
    return Glow(tuple(pieces), median(np.array([p.core_dn for p in pieces])), len(frames),
                len(dark), len(frames - dark), dark_detections)
