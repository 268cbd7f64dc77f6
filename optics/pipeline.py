"""The glint pipeline, composed in one place.

Per frame (live, incremental: ``GlintPipeline.push``):
  1. registration  frame -> canvas transform (global motion)          optics.registration
  2. contrast      each pixel over the ring of pixels around it         optics.candidates
  3. candidates    local maxima that stand clear of the frame's noise   optics.candidates
  4. lock-in map   registered on-axis minus off-axis contrast, averaged
                   over the scan; its peaks join the on-axis frames'
                   candidates (weak glints no single frame shows)       optics.lockin_map
  5. tracks        candidates join the anchored track they land on (or
                   revive a retired one there); every track in view is
                   measured at its scene point, detected or not         optics.tracks
At any time (``GlintPipeline.findings``):
  6. features      lock-in against the ring code, reappearance, spread,
                   size and shape                                       optics.features, lockin
  7. scoring       calibrated confidence per kind                       optics.scoring
  8. evidence      annotated crop at the frame where it was strongest   optics.crops

Batch mode over a recorded capture is the same thing run to the end: ``analyze_frames``.
"""

from collections import deque
from dataclasses import dataclass

import numpy as np

from optics import crops
from optics.candidates import (
    OUTER_BOX_PX,
    Candidates,
    detection_map,
    find_candidates,
    integration_map,
    measure_points,
    to_gray8,
)
from optics.features import glint_shape, track_features
from optics.findings import Finding
from optics.lockin import fit_lockin
from optics.lockin_map import LockInMap
from optics.registration import Registrar, apply, registration_image
from optics.scoring import ir_emitter_confidence, lens_confidence
from optics.tracks import (
    JOIN_RADIUS_PX,
    RETIRE_AFTER_FRAMES,
    Observation,
    Track,
    nearest_track,
)

#: Findings below this confidence are not reported.
REPORT_CONFIDENCE = 0.5
#: Frames kept to measure a new track in the frames before it was first detected.
BACKFILL_FRAMES = 12
MEASURE_RADIUS_PX = 2.0  # at 640 px width: registration is good to a pixel or two
LIVE_SUSPECT_SNR = 6.0
MERGE_RADIUS_PX = 6.0  # findings of one kind closer than this (canvas, 640 px) are one


@dataclass(frozen=True)
class FrameRecord:
    index: int
    on_axis: float
    off_axis: float
    exposure_ms: float
    to_frame: np.ndarray
    gray8: np.ndarray


@dataclass(frozen=True)
class LiveState:
    """What the dashboard shows while scanning: this frame's candidates and current suspects."""

    frame: int
    n_candidates: int
    n_tracks: int
    suspects: list  # (x, y) in this frame of tracks that look like a lens so far


class GlintPipeline:
    """Feed frames with ``push``; ask for ``findings`` whenever (the live mode's state)."""

    def __init__(self):
        self.registrar = Registrar()
        self.active: list[Track] = []
        self.finished: list[Track] = []
        self.buffer: deque[FrameRecord] = deque(maxlen=BACKFILL_FRAMES)
        self.scale = 1.0
        self._next_id = 0
        self._evidence: dict[int, tuple] = {}  # track id -> (shape, patch, dx, dy)
        self.lockin_map: LockInMap | None = None

    def push(self, index, image, exposure_us, on_axis, off_axis) -> LiveState:
        gray8 = to_gray8(image)
        self.scale = gray8.shape[1] / 640.0
        to_canvas = self.registrar.register(registration_image(gray8))
        candidates = find_candidates(gray8, detection_map(gray8))
        record = FrameRecord(index, float(on_axis), float(off_axis), exposure_us / 1000.0,
                             np.linalg.inv(to_canvas), gray8)
        candidates = self._accumulate(record, to_canvas, candidates)
        seen = self._join_candidates(record, candidates, to_canvas, image)
        self._measure_undetected(record, seen)
        self.buffer.append(record)
        self._retire(index)
        return LiveState(index, len(candidates.x), len(self.active), self._suspects(record))

    def _accumulate(self, record, to_canvas, candidates) -> Candidates:
        """Add a frame lit by one ring only to the lock-in map (its area-averaged contrast);
        in an on-axis frame, add the map's peaks, at the brightest pixel near each, to the
        frame's candidates."""
        ring = ("on" if record.on_axis > 0.5 and record.off_axis < 0.5
                else "off" if record.off_axis > 0.5 and record.on_axis < 0.5 else None)
        if ring is None:
            return candidates
        linear = integration_map(record.gray8)
        if self.lockin_map is None:
            self.lockin_map = LockInMap(linear.contrast.shape, linear.factor, OUTER_BOX_PX // 2)
        self.lockin_map.add(linear.contrast, linear.noise_dn, record.exposure_ms, to_canvas,
                            ring)
        if ring == "off":
            return candidates
        # The map's own (sub-pixel) position: averaged over the scan, it is where the glint
        # is, even when this frame's brightest pixel nearby is noise or texture.
        xs, ys, _ = self.lockin_map.peaks(to_canvas, record.gray8.shape)
        found = measure_points(record.gray8, xs, ys)
        keep = found.valid
        if not keep.any():
            return candidates
        return Candidates(np.concatenate([candidates.x, xs[keep]]),
                          np.concatenate([candidates.y, ys[keep]]),
                          np.concatenate([candidates.contrast_dn, found.peak_dn[keep]]),
                          candidates.noise_dn)

    def _join_candidates(self, record, candidates, to_canvas, image) -> set[int]:
        """Each candidate joins the track at its scene point (revived or new if none); new
        tracks are measured over the buffered frames first, then every track detected here
        is measured, at its own point, in this frame."""
        order = np.argsort(-candidates.contrast_dn)
        xs, ys = candidates.x[order], candidates.y[order]
        measured = measure_points(record.gray8, xs, ys)
        # A bright peak is placed at its centroid; a glint no brighter than the wall (in its
        # dark hole, found by the lock-in map) where the map put it.
        bright = measured.peak_dn > 0
        measured_x = np.where(bright, measured.x, xs)
        measured_y = np.where(bright, measured.y, ys)
        joined, backfill = {}, []
        for k in np.flatnonzero(measured.valid):
            cx, cy = measured_x[k], measured_y[k]
            canvas = apply(to_canvas, cx, cy)
            track = nearest_track(self.active, *canvas, JOIN_RADIUS_PX * self.scale)
            if track is not None and track.track_id in joined:
                continue  # a second peak of the same spot (a ring's reflection has several)
            if track is None:
                track, since = self._revive(canvas) or self._new_track(canvas)
                backfill.append((track, since))
            joined[track.track_id] = (track, measured.peak_dn[k], measured.ring_dn[k], cx, cy,
                                      canvas)
        for past in self.buffer:  # how new tracks looked before they were detected
            waiting = [track for track, since in backfill if past.index > since]
            self._measure(waiting, past)
        tracks = [entry[0] for entry in joined.values()]
        points = [apply(record.to_frame, t.canvas_x, t.canvas_y) for t in tracks]
        levels = measure_points(record.gray8, *np.array(points).reshape(-1, 2).T).level_dn
        for (track, peak, ring, cx, cy, canvas), level in zip(joined.values(), levels):
            if np.isnan(level):
                continue
            observation = Observation(record.index, record.on_axis, record.off_axis,
                                      record.exposure_ms, float(peak), float(level),
                                      float(ring), float(cx), float(cy), True)
            if track.observe(observation, canvas):
                self._keep_evidence(track, image, cx, cy)
        return set(joined)

    def _new_track(self, canvas) -> tuple[Track, int]:
        """A new track, and the frame after which it needs measuring (all buffered frames)."""
        track = Track(self._next_id, *canvas)
        self._next_id += 1
        self.active.append(track)
        return track, -1

    def _revive(self, canvas) -> tuple[Track, int] | None:
        """A retired track at this scene point, back in service: a weak glint missed for a few
        frames is still the same spot, and its evidence adds up (measured again over the
        frames it was away, as far back as the buffer reaches)."""
        track = nearest_track(self.finished, *canvas, JOIN_RADIUS_PX * self.scale)
        if track is None:
            return None
        self.finished.remove(track)
        self.active.append(track)
        return track, track.observations[-1].frame

    def _measure(self, tracks: list[Track], record: FrameRecord) -> None:
        """Measure ``tracks`` in ``record``'s frame at their scene points, as undetected."""
        if not tracks:
            return
        points = np.array([apply(record.to_frame, t.canvas_x, t.canvas_y) for t in tracks])
        measured = measure_points(record.gray8, points[:, 0], points[:, 1],
                                  round(MEASURE_RADIUS_PX * self.scale))
        for k in np.flatnonzero(measured.valid):
            tracks[k].observe(Observation(
                record.index, record.on_axis, record.off_axis, record.exposure_ms,
                float(measured.peak_dn[k]), float(measured.level_dn[k]),
                float(measured.ring_dn[k]), float(points[k, 0]), float(points[k, 1]), False))

    def _measure_undetected(self, record, seen) -> None:
        self._measure([t for t in self.active if t.track_id not in seen], record)

    def _keep_evidence(self, track, image, cx, cy) -> None:
        """Keep the patch around the track's strongest detection (its shape is measured, and
        its crop annotated, only when the track is scored)."""
        self._evidence[track.track_id] = (crops.cut_patch(image, cx, cy),
                                          cx - round(cx), cy - round(cy))

    def _retire(self, index) -> None:
        still = []
        for track in self.active:
            if index - track.last_detected_frame <= RETIRE_AFTER_FRAMES:
                still.append(track)
            elif track.n_detections >= 2:
                self.finished.append(track)
            else:
                self._evidence.pop(track.track_id, None)
        self.active = still

    def _suspects(self, record) -> list:
        """Tracks seen in this frame whose lock-in already looks like a cat's eye (a quick
        look for the live view; the full scoring is ``findings``)."""
        out = []
        for track in self.active:
            if (track.n_detections < 3 or track.last_detected_frame != record.index
                    or record.on_axis < 0.5):
                continue
            contrast, _, exposure_ms, on, off, _ = track.columns()
            lockin = fit_lockin(contrast, exposure_ms, on, off)
            if (lockin is not None and lockin.retro_snr > LIVE_SUSPECT_SNR
                    and lockin.off_axis_gain < 0.3 * lockin.on_axis_gain
                    and lockin.steady < 0.3 * lockin.on_axis_gain):
                latest = track.observations[-1]
                out.append((latest.x, latest.y))
        return out

    def _score(self, track: Track) -> Finding | None:
        if track.n_detections < 2 or track.track_id not in self._evidence:
            return None
        patch, dx, dy = self._evidence[track.track_id]
        shape = glint_shape(to_gray8(patch) if patch.shape[2] == 3 else patch[..., 0])
        features = track_features(track, shape)
        if features is None:
            return None
        scored = {"lens": lens_confidence(features, self.scale),
                  "ir_emitter": ir_emitter_confidence(features, self.scale)}
        kind = max(scored, key=scored.get)
        best = track.best
        return Finding(kind, best.frame, best.x, best.y, shape.radius_px, scored[kind],
                       crops.annotate(patch, kind, (dx, dy), shape.radius_px),
                       features={"track": track.track_id, "canvas": (track.canvas_x,
                                                                     track.canvas_y),
                                 "features": features, **scored})

    def scored_tracks(self) -> list[Finding]:
        """Every track that can be scored, as a finding of its likelier kind, unfiltered and
        unmerged (what the calibration is fitted on)."""
        scored = [self._score(track) for track in self.finished + self.active]
        return [f for f in scored if f is not None]

    def findings(self, min_confidence: float = REPORT_CONFIDENCE) -> list[Finding]:
        """Every track scored; the confident ones, one per spot, strongest first."""
        kept = sorted((f for f in self.scored_tracks() if f.confidence >= min_confidence),
                      key=lambda f: -f.confidence)
        return _merge_duplicates(kept, MERGE_RADIUS_PX * self.scale)


def _merge_duplicates(findings: list[Finding], radius_px: float) -> list[Finding]:
    kept: list[Finding] = []
    for finding in findings:
        x, y = finding.features["canvas"]
        if all(other.kind != finding.kind
               or np.hypot(x - other.features["canvas"][0], y - other.features["canvas"][1])
               > radius_px for other in kept):
            kept.append(finding)
    return kept


def analyze_frames(frames, min_confidence: float = REPORT_CONFIDENCE) -> list[Finding]:
    """Batch mode: run a whole capture (objects with index, image, exposure_us, on_axis and
    off_axis attributes) through the pipeline and return its findings."""
    pipeline = GlintPipeline()
    for frame in frames:
        pipeline.push(frame.index, frame.image, frame.exposure_us, frame.on_axis, frame.off_axis)
    return pipeline.findings(min_confidence)
