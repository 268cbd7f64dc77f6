"""Tracks: one spot on the scene (canvas coordinates), followed through the frames.

A detection joins the track whose canvas position it falls near, or revives a retired track
there, or starts a new one. A track is then measured in every frame it is in view, detected
there or not, so its lock-in sees the dark and off-axis frames too; a new track is measured
back over the last few frames, so its lock-in starts with the frames before it was first
detected. A lens glint keeps landing on its track (it is anchored to the wall); a highlight
sliding over chrome or a tile's mirror image of the ring lands somewhere new each frame and
leaves a trail of short tracks that are never confirmed.

``TrackBook.update`` is the pipeline's tracking step: one frame's detections in, the tracks
brought up to date.
"""

from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from optics import crops
from optics.candidates import (INNER_BOX_PX, OUTER_BOX_PX, PointMeasures, measure_points,
                               measure_points_across)
from optics.colour import (CLIPPED_DN, CORE_REACH_PX, MIN_CORE_DN, clipped, core_pixel,
                           glow_excess_bgr, glow_shows)
from optics.registration import apply

#: How close (px at 640 px width, scaled with the frame) a detection must be to join a track.
JOIN_RADIUS_PX = 5.0
#: Canvas position follows detections this fast: registration drifts slowly over a scan.
FOLLOW_RATE = 0.4
#: Stop measuring a track after this many frames without a detection (the code lights the
#: on-axis ring at least every fifth frame).
RETIRE_AFTER_FRAMES = 6
#: Frames kept to measure a new track in the frames before it was first detected.
BACKFILL_FRAMES = 12
#: How far (px at 640 px width) an undetected track's peak is searched for around its point:
#: registration is good to a pixel or two.
MEASURE_RADIUS_PX = 2.0


#: A ring lit to less than this share of its light over a frame's exposure counts as dark.
DARK_RING_SHARE = 0.1


def rings_dark(on_axis, off_axis):
    """Both rings dark (two floats, or two numpy arrays alike): only the room's light and the
    scene's own emitters. Plain comparisons, so two floats cost no numpy call: step 7b asks it
    of every observation of every glow piece."""
    return (on_axis < DARK_RING_SHARE) & (off_axis < DARK_RING_SHARE)


@dataclass(frozen=True)
class RegisteredFrame:
    """One frame as the tracking step needs it: its lighting, where it lies on the canvas,
    and its pixels (greyscale for measuring, as recorded for evidence)."""

    index: int
    on_axis: float
    off_axis: float
    exposure_ms: float
    to_canvas: np.ndarray
    to_frame: np.ndarray
    gray8: np.ndarray
    image: np.ndarray

    @property
    def scale(self) -> float:
        """Full-resolution pixels per pixel at 640 px width."""
        return self.gray8.shape[1] / 640.0

    @property
    def ring(self) -> str | None:
        """'on' or 'off' when lit by that ring alone, else None."""
        if self.on_axis > 0.5 and self.off_axis < 0.5:
            return "on"
        if self.off_axis > 0.5 and self.on_axis < 0.5:
            return "off"
        return None

    @property
    def dark(self) -> bool:
        """Both rings dark: only the room's light and the scene's own emitters."""
        return bool(rings_dark(self.on_axis, self.off_axis))

    def glow_colours(self, points: np.ndarray) -> list:
        """Each point's light per channel (B, G, R) over its surroundings, in a dark colour
        frame (None otherwise, and for points without an annulus): with the rings dark, the
        rings' own infrared light on a fixture cannot tint what it emits."""
        if not self.dark or self.image.ndim != 3:
            return [None] * len(points)
        excess = glow_excess_bgr(self.image, points[:, 0], points[:, 1])
        return [None if np.isnan(row).any() else tuple(map(float, row)) for row in excess]


@dataclass(frozen=True)
class Detection:
    """A glint found in one frame, where it was measured (frame px) and its canvas point."""

    x: float
    y: float
    canvas_x: float
    canvas_y: float
    peak_dn: float  # over the surface around it
    ring_dn: float  # the surface around it


@dataclass(frozen=True)
class Evidence:
    """The raw patch around one of a track's detections, its strongest or its strongest with
    both rings dark (its shape is measured, and its crop annotated, only when the track is
    scored)."""

    patch: np.ndarray
    offset_xy: tuple[float, float]  # the detection's sub-pixel offset from the patch centre


@dataclass
class Observation:
    """One frame's measurement of a track (frame pixel coordinates)."""

    frame: int
    on_axis: float
    off_axis: float
    exposure_ms: float
    contrast_dn: float  # the peak near it over its ring (picks the strongest detection)
    level_dn: float  # the weighted level at the track's point over its ring (the lock-in's input)
    background_dn: float  # the level of the surface around it
    x: float
    y: float
    detected: bool
    excess_bgr: tuple[float, float, float] | None = None  # in dark colour frames only
    core_bgr: tuple[int, int, int] | None = None  # the detection's core, in colour frames

    @property
    def clipped_bgr(self) -> tuple[bool, bool, bool] | None:
        """Which channels clip at the detection's core (``optics.colour.clipped``)."""
        return clipped(self.core_bgr)

    @property
    def dark(self) -> bool:
        """Both rings dark in this frame."""
        return bool(rings_dark(self.on_axis, self.off_axis))


class _Columns:
    """A track's observations as growing arrays, one per quantity ``Track.columns`` gives
    (filled as each observation is recorded, so asking for them costs six slices, not six
    arrays built from every observation: the live view asks in every lit frame)."""

    def __init__(self):
        self.n = 0
        self.values = [np.empty(16) for _ in range(5)] + [np.empty(16, bool)]

    def append(self, observation: "Observation") -> None:
        if self.n == len(self.values[0]):
            self.values = [np.concatenate([v, np.empty_like(v)]) for v in self.values]
        row = (observation.level_dn, observation.background_dn, observation.exposure_ms,
               observation.on_axis, observation.off_axis, observation.detected)
        for column, value in zip(self.values, row):
            column[self.n] = value
        self.n += 1

    def arrays(self) -> tuple:
        out = tuple(v[:self.n] for v in self.values)
        for view in out:
            view.flags.writeable = False  # shared with the next caller
        return out


@dataclass
class Track:
    track_id: int
    canvas_x: float
    canvas_y: float
    observations: list[Observation] = field(default_factory=list)
    detected_canvas: list[tuple[float, float]] = field(default_factory=list)
    last_detected_frame: int = -1
    best: Observation | None = None
    evidence: Evidence | None = None
    dark_best: Observation | None = None  # its strongest detection with both rings dark
    dark_evidence: Evidence | None = None  # its pixels there: where a glow is shown
    _columns: _Columns = field(default_factory=_Columns, repr=False, compare=False)

    def observe(self, observation: Observation, canvas_xy=None, cut=None) -> None:
        """Record a measurement (``observe`` is the only way one is added). When it is the
        strongest detection so far, or the strongest with both rings dark, ``cut`` (a
        callable giving its ``Evidence``, called at most once) gives that one's pixels."""
        self.observations.append(observation)
        self._columns.append(observation)
        if observation.detected:
            self.last_detected_frame = observation.frame
            self.detected_canvas.append(canvas_xy)
            self.canvas_x += FOLLOW_RATE * (canvas_xy[0] - self.canvas_x)
            self.canvas_y += FOLLOW_RATE * (canvas_xy[1] - self.canvas_y)
        if not observation.detected:
            return
        strongest = self.best is None or observation.contrast_dn > self.best.contrast_dn
        strongest_dark = observation.dark and (
            self.dark_best is None or observation.contrast_dn > self.dark_best.contrast_dn)
        evidence = cut() if cut is not None and (strongest or strongest_dark) else None
        if strongest:
            self.best = observation
            self.evidence = self.evidence if evidence is None else evidence
        if strongest_dark:
            self.dark_best = observation
            self.dark_evidence = self.dark_evidence if evidence is None else evidence

    @property
    def n_detections(self) -> int:
        return len(self.detected_canvas)

    def glow_colours(self) -> np.ndarray:
        """The per-channel light of the track's dark colour frames, one row per frame: those
        where it was detected, when any of them shows its glow (``glow_shows``); else every
        dark colour frame's, read at its scene point. A frame where it was not detected is
        read where the track's canvas point falls, which a slip of the walk's registration
        can put on another light: train1408's red LED, a track ending as the canvas slipped,
        read the grey light of a fixture beside it in two later dark frames and its red
        (detected in three dark frames, red alone) came out near-white, an infrared alert."""
        read = [o for o in self.observations if o.excess_bgr is not None]
        detected = [o.excess_bgr for o in read if o.detected]
        rows = detected if glow_shows(detected) else [o.excess_bgr for o in read]
        return np.array(rows, float).reshape(-1, 3)

    def core_colours(self) -> np.ndarray:
        """The colour (B, G, R) at the core of each of its detections in colour frames, one
        row per detection (``optics.colour.core_pixel``)."""
        rows = [o.core_bgr for o in self.observations if o.detected and o.core_bgr is not None]
        return np.array(rows, float).reshape(-1, 3)

    def columns(self):
        """The observations as (read-only) arrays: level, background, exposure, on, off,
        detected."""
        return self._columns.arrays()


def nearest_track(tracks: list[Track], canvas_x: float, canvas_y: float, radius_px: float):
    """The track whose canvas position is nearest, if within ``radius_px``."""
    if not tracks:
        return None
    positions = np.array([(t.canvas_x, t.canvas_y) for t in tracks])
    distances = np.hypot(positions[:, 0] - canvas_x, positions[:, 1] - canvas_y)
    i = int(np.argmin(distances))
    return tracks[i] if distances[i] <= radius_px else None


def place_detections(frame: RegisteredFrame, xs, ys, contrast_dn,
                     measured: PointMeasures | None = None) -> list[Detection]:
    """Candidates (frame px), strongest first, measured and placed: a bright peak at its
    centroid; a glint no brighter than the wall (in its dark hole, found by the lock-in map)
    where the map put it. Candidates too near the frame's edge for an annulus are dropped.
    ``measured``: ``measure_points`` at the candidates as given, when a step before took it."""
    order = np.argsort(-np.asarray(contrast_dn))
    xs, ys = np.asarray(xs)[order], np.asarray(ys)[order]
    measured = (measure_points(frame.gray8, xs, ys) if measured is None
                else measured.take(order))
    bright = measured.peak_dn > 0
    placed_x = np.where(bright, measured.x, xs)
    placed_y = np.where(bright, measured.y, ys)
    out = []
    for k in np.flatnonzero(measured.valid):
        canvas = apply(frame.to_canvas, placed_x[k], placed_y[k])
        out.append(Detection(placed_x[k], placed_y[k], *canvas, measured.peak_dn[k],
                             measured.ring_dn[k]))
    return out


class TrackBook:
    """The tracks of one scan: those being measured (``active``), those retired after two or
    more detections (``finished``, revived when a detection lands on them again), single
    detections holding a clipped core (``lone``: retired ones, and the frame border's clipped
    spots, ``border_tracks``), and the last frames, for measuring new tracks back."""

    def __init__(self):
        self.active: list[Track] = []
        self.finished: list[Track] = []
        self.lone: list[Track] = []
        self.recent: deque[RegisteredFrame] = deque(maxlen=BACKFILL_FRAMES)
        self._next_id = 0

    def update(self, frame: RegisteredFrame, detections: list[Detection]) -> None:
        """Join this frame's detections to tracks, measure new and revived tracks back over
        the recent frames, then measure every active track in this frame."""
        joined, backfill = self._join(frame, detections)
        earlier = [(past, track) for past in self.recent  # how new tracks looked
                   for track, since in backfill if past.index > since]
        detected = list(joined.values())
        undetected = [(frame, t) for t in self.active if t.track_id not in joined]
        # Measured in one gather before any is observed: no observation here moves a point
        # measured after it (only a detection moves its track, and it is measured first), a
        # point's measures do not depend on the others asked with it, nor its level on the
        # search reach; one call where there were three costs a third of the fixed part.
        points, measured = _measure_at(earlier + [(frame, track) for track, _ in detected]
                                       + undetected)
        split = np.cumsum([len(earlier), len(detected)])
        _observe_undetected(earlier, points[:split[0]], measured.take(slice(0, split[0])))
        _observe_detected(frame, detected, points[split[0]:split[1]],
                          measured.level_dn[split[0]:split[1]])
        _observe_undetected(undetected, points[split[1]:], measured.take(slice(split[1], None)))
        border = border_tracks(frame, self._next_id)
        self._next_id += len(border)
        self.lone += border
        self.recent.append(frame)
        self._retire(frame.index)

    def scorable(self) -> list[Track]:
        return self.finished + self.active

    def _join(self, frame, detections):
        """Each detection's track (by id), and the tracks that need measuring back, each with
        the frame after which it does."""
        radius_px = JOIN_RADIUS_PX * frame.scale
        joined: dict[int, tuple[Track, Detection]] = {}
        backfill: list[tuple[Track, int]] = []
        for detection in detections:
            canvas = (detection.canvas_x, detection.canvas_y)
            track = nearest_track(self.active, *canvas, radius_px)
            if track is not None and track.track_id in joined:
                continue  # a second peak of the same spot (a ring's reflection has several)
            if track is None:
                track, since = self._revive(canvas, radius_px) or self._new_track(canvas)
                backfill.append((track, since))
            joined[track.track_id] = (track, detection)
        return joined, backfill

    def _new_track(self, canvas) -> tuple[Track, int]:
        """A new track, and the frame after which it needs measuring (all recent frames)."""
        track = Track(self._next_id, *canvas)
        self._next_id += 1
        self.active.append(track)
        return track, -1

    def _revive(self, canvas, radius_px) -> tuple[Track, int] | None:
        """A retired track at this scene point, back in service: a weak glint missed for a few
        frames is still the same spot, and its evidence adds up (measured again over the
        frames it was away, as far back as the recent frames reach)."""
        track = nearest_track(self.finished, *canvas, radius_px)
        if track is None:
            return None
        self.finished.remove(track)
        self.active.append(track)
        return track, track.observations[-1].frame

    def _retire(self, index) -> None:
        still = []
        for track in self.active:
            if index - track.last_detected_frame <= RETIRE_AFTER_FRAMES:
                still.append(track)
            elif track.n_detections >= 2:
                self.finished.append(track)
            elif holds_clip(track):
                self.lone.append(track)
        self.active = still


def _measure_at(pairs: list[tuple[RegisteredFrame, Track]]):
    """Each track's point in its frame (frame px, one row per pair) and the measures there,
    with the undetected tracks' search reach, for all the pairs in one gather."""
    if not pairs:
        return np.empty((0, 2)), PointMeasures(np.empty(0, bool),
                                               *(np.empty(0) for _ in range(5)))
    frames = list({id(frame): frame for frame, _ in pairs}.values())
    slot = {id(frame): k for k, frame in enumerate(frames)}
    which = np.array([slot[id(frame)] for frame, _ in pairs])
    points = np.array([apply(frame.to_frame, t.canvas_x, t.canvas_y) for frame, t in pairs])
    return points, measure_points_across([f.gray8 for f in frames], which, points[:, 0],
                                         points[:, 1], round(MEASURE_RADIUS_PX * frames[0].scale))


def _observe_detected(frame: RegisteredFrame, pairs: list, points: np.ndarray,
                      levels: np.ndarray) -> None:
    """Each detected track's observation (``pairs`` of track and detection): the detection's
    peak, and the level at the track's own point (where it stood before this detection moves
    it: ``points``, measured there)."""
    colours = frame.glow_colours(points)
    reach = round(CORE_REACH_PX * frame.scale)
    for (track, detection), level, colour in zip(pairs, levels, colours):
        if np.isnan(level):
            continue
        observation = Observation(frame.index, frame.on_axis, frame.off_axis,
                                  frame.exposure_ms, float(detection.peak_dn), float(level),
                                  float(detection.ring_dn), float(detection.x),
                                  float(detection.y), True, colour,
                                  core_pixel(frame.image, detection.x, detection.y, reach))
        track.observe(observation, (detection.canvas_x, detection.canvas_y),
                      cut=lambda: Evidence(crops.cut_patch(frame.image, detection.x, detection.y),
                                           (detection.x - round(detection.x),
                                            detection.y - round(detection.y))))


def _observe_undetected(pairs: list[tuple[RegisteredFrame, Track]], points: np.ndarray,
                        measured: PointMeasures) -> None:
    """Each track measured in its frame at its scene point (``points``, ``measured``), as
    undetected, in the pairs' order."""
    if not pairs:
        return
    colours = [None] * len(pairs)
    for frame in {id(frame): frame for frame, _ in pairs}.values():
        mine = np.flatnonzero([other is frame for other, _ in pairs])
        for i, colour in zip(mine, frame.glow_colours(points[mine])):
            colours[i] = colour
    for k in np.flatnonzero(measured.valid):
        frame, track = pairs[k]
        track.observe(Observation(
            frame.index, frame.on_axis, frame.off_axis, frame.exposure_ms,
            float(measured.peak_dn[k]), float(measured.level_dn[k]),
            float(measured.ring_dn[k]), float(points[k, 0]), float(points[k, 1]), False,
            colours[k]))


def holds_clip(track: Track) -> bool:
    """Whether a track's detections all hold a clipped core (``optics.glows.core_of``'s test
    before it looks for a level): a channel clips at each in colour frames, its brightest grey
    pixel reads at least ``MIN_CORE_DN`` in greyscale ones. A retired track of one such
    detection is kept (``TrackBook.lone``): a piece of a light sliding faster than
    ``JOIN_RADIUS_PX`` over the canvas, which starts a new track in every frame."""
    detected = [o for o in track.observations if o.detected]
    return bool(detected) and all(
        any(o.clipped_bgr) if o.clipped_bgr is not None
        else o.contrast_dn + o.background_dn >= MIN_CORE_DN for o in detected)


#: A border spot's centroid lies within this many px (at 640 px width) of the frame's edge:
#: where no candidate can be found, the contrast map's ring needing real pixels all round
#: (``optics.candidates.OUTER_BOX_PX // 2``, 7 px).
BORDER_PX = OUTER_BOX_PX // 2
#: More clipped blobs than this in a frame's border is a lit surface, not lights: none kept.
MAX_BORDER_SPOTS = 6


def border_spots(image: np.ndarray, gray8: np.ndarray, factor: int) -> list[tuple[int, int]]:
    """The clipped spots (a channel at ``CLIPPED_DN`` or more) whose centroid lies within
    ``BORDER_PX`` (times ``factor``) of the frame's edge, as (x, y): each blob's brightest grey
    pixel (the middle one of a plateau). First a look at the four border strips, almost
    always with nothing clipped: a maximum over 4-6 % of the frame. Only in a strip where
    something clips are the blobs found, over a strip twice as wide (so a blob is whole)."""
    margin = BORDER_PX * factor
    height, width = gray8.shape
    wide = 2 * margin
    # (narrow strip, wide strip, the wide strip's top-left corner); the wide side strips run
    # between the top and bottom ones, so no blob is found twice.
    sides = ((image[:margin], image[:wide], 0, 0),
             (image[height - margin:], image[height - wide:], height - wide, 0),
             (image[:, :margin], image[wide:height - wide, :wide], wide, 0),
             (image[:, width - margin:], image[wide:height - wide, width - wide:], wide,
              width - wide))
    strips = [(y0, x0, strip) for narrow, strip, y0, x0 in sides
              if cv2.minMaxLoc(narrow.reshape(len(narrow), -1))[1] >= CLIPPED_DN]
    blobs = []
    for y0, x0, strip in strips:
        levels = strip.max(axis=2) if strip.ndim == 3 else strip
        n, labels, stats, centroids = cv2.connectedComponentsWithStats(
            (levels >= CLIPPED_DN).astype(np.uint8), connectivity=8)
        cx, cy = centroids[1:, 0] + x0, centroids[1:, 1] + y0
        near = np.minimum(np.minimum(cx, width - 1 - cx), np.minimum(cy, height - 1 - cy))
        blobs += [(y0, x0, labels, stats[k], k) for k in 1 + np.flatnonzero(near < margin)]
        if len(blobs) > MAX_BORDER_SPOTS:
            return []
    spots = []
    for y0, x0, labels, (left, top, w, h, _), k in blobs:
        grey = gray8[y0 + top:y0 + top + h, x0 + left:x0 + left + w].astype(np.int16)
        box = np.where(labels[top:top + h, left:left + w] == k, grey, -1)
        ys, xs = np.nonzero(box == box.max())  # a clipped core is a plateau: its middle
        middle = np.argmin(np.hypot(xs - xs.mean(), ys - ys.mean()))
        spots.append((int(x0 + left + xs[middle]), int(y0 + top + ys[middle])))
    return spots


def border_tracks(frame: RegisteredFrame, first_id: int) -> list[Track]:
    """The frame's border spots (``border_spots``), each a track of one detection measured
    over the part of its ring inside the frame: the brightest pixel near it over the mean of
    the ring's pixels (4-7 px out, at 640 px width) that exist, its clipped channels, and in a
    dark colour frame its colour over the part of its disc and ring inside the frame. An
    always-on LED 1-6 px from the edge clips there as anywhere (training captures 1001, 1104,
    1117); these single detections join its glow (``optics.glows.lone_pieces``)."""
    factor = round(frame.scale)
    spots = border_spots(frame.image, frame.gray8, factor)
    if not spots:
        return []
    outer, inner = OUTER_BOX_PX // 2 * factor, INNER_BOX_PX // 2 * factor
    reach = round(CORE_REACH_PX * frame.scale)
    height, width = frame.gray8.shape
    xs, ys = np.array(spots, float).T
    colours = (glow_excess_bgr(frame.image, xs, ys) if frame.dark
               else [None] * len(spots))
    out = []
    for k, (x, y) in enumerate(spots):
        box = frame.gray8[max(y - outer, 0):y + outer + 1, max(x - outer, 0):x + outer + 1]
        rows = np.arange(max(y - outer, 0), min(y + outer + 1, height))[:, None] - y
        cols = np.arange(max(x - outer, 0), min(x + outer + 1, width))[None, :] - x
        ring = box[(np.abs(rows) > inner) | (np.abs(cols) > inner)]
        ring_dn = float(ring.mean()) if ring.size else 0.0
        near = frame.gray8[max(y - reach, 0):y + reach + 1, max(x - reach, 0):x + reach + 1]
        peak_dn = float(near.max()) - ring_dn
        colour = colours[k] if frame.dark else None
        observation = Observation(
            frame.index, frame.on_axis, frame.off_axis, frame.exposure_ms, peak_dn, peak_dn,
            ring_dn, float(x), float(y), True,
            None if colour is None or np.isnan(colour).any() else tuple(map(float, colour)),
            core_pixel(frame.image, x, y, reach))
        canvas = apply(frame.to_canvas, x, y)
        track = Track(first_id + k, *canvas)
        track.observe(observation, canvas,
                      cut=lambda: Evidence(crops.cut_patch(frame.image, x, y), (0.0, 0.0)))
        out.append(track)
    return out
