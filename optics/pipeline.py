"""The glint pipeline, composed in one place.

Per frame (live, incremental: ``GlintPipeline.push``):
  1. registration  frame -> canvas transform (global motion)          optics.registration
  2. contrast      each pixel over the ring of pixels around it         optics.candidates
  3. candidates    local maxima that stand clear of the frame's noise   optics.candidates
  4. tracks        candidates join the anchored track they land on;
                   every track in view is measured, detected or not     optics.tracks
At any time (``GlintPipeline.findings``):
  5. features      lock-in against the ring code, reappearance, spread,
                   size and shape                                       optics.features, lockin
  6. scoring       calibrated confidence per kind                       optics.scoring
  7. evidence      annotated crop at the frame where it was strongest   optics.crops

Batch mode over a recorded capture is the same thing run to the end: ``analyze_frames``.
"""

from collections import deque
from dataclasses import dataclass

import numpy as np

from optics import crops
from optics.candidates import find_candidates, point_contrast, to_gray8
from optics.features import glint_shape, track_features
from optics.lockin import fit_lockin
from optics.findings import Finding
from optics.registration import Registrar, apply, registration_image
from optics.scoring import ir_emitter_confidence, lens_confidence
from optics.tracks import JOIN_RADIUS_PX, RETIRE_AFTER_FRAMES, Observation, Track, nearest_track

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

    def push(self, index, image, exposure_us, on_axis, off_axis) -> LiveState:
        gray8 = to_gray8(image)
        self.scale = gray8.shape[1] / 640.0
        to_canvas = self.registrar.register(registration_image(gray8))
        candidates = find_candidates(gray8)
        record = FrameRecord(index, float(on_axis), float(off_axis), exposure_us / 1000.0,
                             np.linalg.inv(to_canvas), gray8)
        seen = self._join_candidates(record, candidates, to_canvas, image)
        self._measure_undetected(record, seen)
        self.buffer.append(record)
        self._retire(index)
        return LiveState(index, len(candidates.x), len(self.active), self._suspects(record))

    def _join_candidates(self, record, candidates, to_canvas, image) -> set[int]:
        seen: set[int] = set()
        order = np.argsort(-candidates.contrast_dn)
        for x, y in zip(candidates.x[order], candidates.y[order]):
            measured = point_contrast(record.gray8, x, y, search_px=0)
            if measured is None:
                continue
            value, cx, cy, background = measured
            canvas = apply(to_canvas, cx, cy)
            track = nearest_track(self.active, *canvas, JOIN_RADIUS_PX * self.scale)
            if track is not None and track.track_id in seen:
                continue  # a second peak of the same spot (a ring's reflection has several)
            if track is None:
                track = self._new_track(canvas)
            observation = Observation(record.index, record.on_axis, record.off_axis,
                                      record.exposure_ms, value, background, cx, cy, True)
            if track.observe(observation, canvas):
                self._keep_evidence(track, image, cx, cy)
            seen.add(track.track_id)
        return seen

    def _new_track(self, canvas) -> Track:
        track = Track(self._next_id, *canvas)
        self._next_id += 1
        for past in self.buffer:  # how it looked before anything was detected there
            self._measure(track, past)
        self.active.append(track)
        return track

    def _measure(self, track: Track, record: FrameRecord) -> None:
        fx, fy = apply(record.to_frame, track.canvas_x, track.canvas_y)
        measured = point_contrast(record.gray8, fx, fy, round(MEASURE_RADIUS_PX * self.scale))
        if measured is not None:
            track.observe(Observation(record.index, record.on_axis, record.off_axis,
                                      record.exposure_ms, measured[0], measured[3], fx, fy,
                                      False))

    def _measure_undetected(self, record, seen) -> None:
        for track in self.active:
            if track.track_id not in seen:
                self._measure(track, record)

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
            if (lockin is not None and lockin.on_axis_snr > LIVE_SUSPECT_SNR
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

    def findings(self, min_confidence: float = REPORT_CONFIDENCE) -> list[Finding]:
        """Every track scored; the confident ones, one per spot, strongest first."""
        scored = [self._score(track) for track in self.finished + self.active]
        kept = sorted((f for f in scored if f is not None and f.confidence >= min_confidence),
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
