"""The glint pipeline, composed in one place (``GlintPipeline.push``, ``judge_track`` and
``as_finding``).

Per frame (live, incremental: ``GlintPipeline.push``), each step a function of the frame and
the one piece of state it owns:
  1. registration  frame -> canvas transform (global motion)           optics.registration
                   state: the keyframe and the hand's motion (``Registrar``)
  2. contrast      each pixel over the ring of pixels around it          optics.candidates
  3. candidates    local maxima that stand clear of the frame's noise    optics.candidates
  3b. cat's eye    a saturated lone glint of an on-axis frame, gone at its
                   own scene point in the neighbouring off-axis and dark
                   frames (matched on its surroundings, not the canvas),
                   joined across on-axis frames: a lens of its own       optics.cats_eye
                   state: the last frames and the spots (``CatsEyeTest``)
  4. lock-in map   registered on-axis minus off-axis contrast, averaged
                   over the scan; its peaks join the on-axis frames'
                   candidates (weak glints no single frame shows)        optics.lockin_map
                   state: the map (``LockInMap``)
  5. tracks        candidates, measured and placed, join the anchored
                   track they land on (or revive a retired one there);
                   every track in view is measured at its scene point,
                   detected or not                                       optics.tracks
                   state: the tracks and the last frames (``TrackBook``)
Per track, as it retires and whenever findings are asked for (``judge_track`` 6-7, kept until
the track is measured again; ``as_finding`` 8, for the findings kept):
  6. features      lock-in against the ring code, reappearance, spread,
                   size and shape                                        optics.features, lockin
  7. scoring       calibrated confidence per kind; a glow's colour tells
                   infrared from a visible LED                           optics.scoring, colour
Over the judged tracks, when findings are asked for (``compose_glows``):
  7b. glows        a steady light's fragments joined; a glow seen in too few
                   frames dropped; its colour read over all its fragments;
                   a steady glow of a visible LED's colour reported as one  optics.glows
  8. evidence      annotated crop at the frame where it was strongest    optics.crops

Batch mode over a recorded capture is the same thing run to the end: ``analyze_frames``.
"""

from dataclasses import dataclass, replace

import numpy as np

from optics import crops
from optics.candidates import (
    MAX_CANDIDATES,
    OUTER_BOX_PX,
    Candidates,
    PointMeasures,
    detection_map,
    find_candidates,
    integration_map,
    measure_points,
    to_gray8,
)
from optics.cats_eye import CatsEyeTest, LocalLens, local_lens_confidence
from optics.colour import is_visible_led, lamp_hue
from optics.features import Shape, TrackFeatures, glint_shape, track_features
from optics.findings import Finding
from optics.glows import (MIN_GLOW_DETECTIONS, MIN_STEADY_SHARE, STEADY_GLOW_CONFIDENCE,
                          core_offset, is_lamp_point, is_streak, join_glows,
                          steady_share, two_lights)
from optics.lockin import fit_lockins
from optics.lockin_map import LockInMap
from optics.registration import Registrar, registration_image
from optics.scoring import ir_emitter_confidence, lens_confidence
from optics.tracks import RegisteredFrame, Track, TrackBook, place_detections

#: Findings below this confidence are not reported.
REPORT_CONFIDENCE = 0.5
LIVE_SUSPECT_SNR = 6.0
MERGE_RADIUS_PX = 6.0  # findings of one kind closer than this (canvas, 640 px) are one


@dataclass(frozen=True)
class LiveState:
    """What the dashboard shows while scanning: this frame's candidates and current suspects."""

    frame: int
    n_candidates: int
    n_tracks: int
    suspects: list  # (x, y) in this frame of tracks that look like a lens so far


@dataclass(frozen=True)
class Verdict:
    """Steps 6-7 for one track: its features and each kind's calibrated confidence, before
    its evidence crop is drawn (step 8). The findings keep only the confident tracks, one per
    spot, and drawing a crop costs about as much as a tenth of the scoring, so it is drawn
    only for those kept."""

    track: Track
    kind: str
    confidence: float
    shape: Shape
    features: TrackFeatures | None  # None for a glow no track of which could be scored
    scored: dict  # each kind's confidence

    @property
    def canvas_xy(self) -> tuple[float, float]:
        return self.track.canvas_x, self.track.canvas_y


class GlintPipeline:
    """Feed frames with ``push``; ask for ``findings`` whenever (the live mode's state)."""

    def __init__(self):
        self.registrar = Registrar()
        self.lockin_map: LockInMap | None = None
        self.tracks = TrackBook()
        self.cats_eye = CatsEyeTest()
        self.scale = 1.0  # full-resolution px per px at 640 px width
        self._judged: dict[int, tuple[int, Verdict | None]] = {}  # id: (observations, verdict)

    def push(self, index, image, exposure_us, on_axis, off_axis) -> LiveState:
        gray8 = to_gray8(image)
        to_canvas = self.registrar.register(registration_image(gray8))              # 1
        frame = RegisteredFrame(index, float(on_axis), float(off_axis), exposure_us / 1000.0,
                                to_canvas, np.linalg.inv(to_canvas), gray8, image)
        self.scale = frame.scale
        detection = detection_map(gray8)                                            # 2
        peaks = find_candidates(gray8, detection, cap=None)                         # 3
        candidates = peaks.strongest(MAX_CANDIDATES)
        self.cats_eye.add(frame, peaks, detection.pooled)                           # 3b
        self.lockin_map = accumulate(self.lockin_map, frame)                        # 4
        candidates, measured = with_lockin_peaks(candidates, self.lockin_map, frame)
        detections = place_detections(frame, candidates.x, candidates.y,            # 5
                                      candidates.contrast_dn, measured)
        self.tracks.update(frame, detections)
        for track in self.tracks.finished:  # judged as they retire, not all at the scan's end
            self._verdict(track)
        return LiveState(index, len(candidates.x), len(self.tracks.active),
                         live_suspects(self.tracks.active, frame))

    def verdicts(self) -> list[Verdict]:
        """Every track that can be scored, judged."""
        judged = [self._verdict(track) for track in self.tracks.scorable()]
        return [v for v in judged if v is not None]

    def _verdict(self, track: Track) -> Verdict | None:
        """``judge_track``, kept until the track is measured again: a retired track is judged
        once, when it retires, so the end of the scan judges only the tracks still in view."""
        n_observations, verdict = self._judged.get(track.track_id, (-1, None))
        if n_observations != len(track.observations):
            verdict = judge_track(track, self.scale)
            self._judged[track.track_id] = (len(track.observations), verdict)
        return verdict

    def scored_tracks(self) -> list[Finding]:
        """Every track that can be scored, as a finding of its likelier kind, unfiltered and
        unmerged (what the calibration is fitted on)."""
        return [as_finding(v, self.scale) for v in self.verdicts()]

    def findings(self, min_confidence: float = REPORT_CONFIDENCE) -> list[Finding]:
        """Every track scored, steady lights judged whole (step 7b); the confident ones, one
        per spot, and the local test's lenses where no track's lens is, strongest first."""
        kept = sorted((v for v in compose_glows(self.verdicts(), self.scale,
                                                self.tracks.scorable() + self.tracks.lone)
                       if v.confidence >= min_confidence), key=lambda v: -v.confidence)
        kept = merge_duplicates(kept, self.scale)
        local = [
            lens for lens in self.cats_eye.lenses()
            if all(v.kind != "lens" or np.hypot(lens.canvas_xy[0] - v.canvas_xy[0],
                                                lens.canvas_xy[1] - v.canvas_xy[1])
                   > MERGE_RADIUS_PX * self.scale for v in kept)]
        findings = ([as_finding(v, self.scale) for v in kept]
                    + [f for f in map(local_finding, local) if f.confidence >= min_confidence])
        return sorted(findings, key=lambda f: -f.confidence)


GLOW_KINDS = ("ir_emitter", "visible_led")


def compose_glows(verdicts: list[Verdict], scale: float, tracks: list[Track] = ()
                  ) -> list[Verdict]:
    """Step 7b: the verdicts with each steady light judged whole (``optics.glows``). A glow
    verdict whose track was detected in fewer than ``MIN_GLOW_DETECTIONS`` frames, whose
    detections do not mostly read one clipped level, whose clipped core is a streak (a
    lamp's image along chrome) or a point of the lamp's colour or with no glow around it
    (``is_lamp_point``: its image in a chrome ball), or whose light has the lamp's hue
    (``optics.colour.lamp_hue``: its image in chrome) is dropped; one whose glow's colour
    was read takes the kind that colour says; and a glow steady in dark and lit frames
    alike, of a visible LED's colour or with a lit disc for a core, and not of the lamp's
    hue, is an always-on light of the kind its colour says, when no fragment of it is
    reported as a glow already. ``tracks`` may add the single-detection tracks among them
    (pieces of a fast-moving light, unscored: such a glow is judged by its representative's
    track, scored for the purpose) and those that could not be scored (a glow none of whose
    tracks can be scored is reported with its stated confidence alone,
    ``unscored_verdict``)."""
    glows = join_glows([v.track for v in verdicts], scale, list(tracks))
    glow_of = {track.track_id: glow for glow in glows for track in glow.tracks}
    by_track = {v.track.track_id: v for v in verdicts}
    out = []
    for verdict in verdicts:
        glow = glow_of.get(verdict.track.track_id)
        if verdict.kind not in GLOW_KINDS:
            out.append(verdict)
        elif _steady_light(verdict.track, glow, scale):
            out.append(verdict if glow is None or np.isnan(glow.glow_balance)
                       else replace(verdict, kind=_glow_kind(glow)))
    reported = {v.track.track_id for v in out
                if v.kind in GLOW_KINDS and v.confidence >= REPORT_CONFIDENCE}
    for glow in glows:
        if (not any(t.track_id in reported for t in glow.tracks) and glow.always_on(scale)
                and not lamp_hue(glow.glow_colours)):
            verdict = (by_track.get(glow.representative.track_id)
                       or judge_track(glow.representative, scale, min_detections=1)
                       or unscored_verdict(glow.representative))
            out.append(replace(verdict, kind=_glow_kind(glow),
                               confidence=max(STEADY_GLOW_CONFIDENCE,
                                              verdict.scored.get("ir_emitter", 0.0)),
                               scored={**verdict.scored, "always_on": True}))
    return out


def _steady_light(track: Track, glow, scale: float) -> bool:
    """Whether a glow verdict's track stands as a steady light (``compose_glows``): detected
    often enough, its detections reading one clipped level, its core neither a streak (two
    LEDs side by side are none) nor the lamp's point, its light (its glow's, read only now)
    not of the lamp's hue."""
    if track.n_detections < MIN_GLOW_DETECTIONS or steady_share(track) < MIN_STEADY_SHARE:
        return False
    colours = track.glow_colours() if glow is None else glow.glow_colours
    return not (is_streak(track, scale, colours) or is_lamp_point(track, scale, colours)
                or lamp_hue(colours))


def unscored_verdict(track: Track) -> Verdict:
    """A glow's verdict when its track cannot be scored (fewer than the lock-in's five
    measurements: a light crossing the frame fast or along its edge): its shape, no features
    and no calibrated confidence."""
    patch = track.evidence.patch
    shape = glint_shape(to_gray8(patch) if patch.shape[2] == 3 else patch[..., 0])
    return Verdict(track, "ir_emitter", 0.0, shape, None, {})


def _glow_kind(glow) -> str:
    """The kind a glow's colour says: a visible LED, or infrared (also when no colour was
    read: an alert)."""
    return "visible_led" if is_visible_led(glow.glow_balance) else "ir_emitter"


def accumulate(lockin_map: LockInMap | None, frame: RegisteredFrame) -> LockInMap | None:
    """Step 4's accumulation: a frame lit by one ring only adds its area-averaged contrast to
    the lock-in map (made at the first such frame); other frames leave it as it is."""
    if frame.ring is None:
        return lockin_map
    linear = integration_map(frame.gray8)
    if lockin_map is None:
        lockin_map = LockInMap(linear.contrast.shape, linear.factor, OUTER_BOX_PX // 2)
    lockin_map.add(linear.contrast, linear.noise_dn, frame.exposure_ms, frame.to_canvas,
                   frame.ring)
    return lockin_map


def with_lockin_peaks(candidates: Candidates, lockin_map: LockInMap | None,
                      frame: RegisteredFrame) -> tuple[Candidates, PointMeasures | None]:
    """In an on-axis frame, the frame's candidates and the lock-in map's peaks, and
    ``measure_points`` at them all (taken once, for the peaks' contrast here and for placing
    every candidate in step 5); None for the measures in other frames. The map's own
    (sub-pixel) position: averaged over the scan, it is where the glint is, even when this
    frame's brightest pixel nearby is noise or texture."""
    if frame.ring != "on":
        return candidates, None
    xs, ys, _ = lockin_map.peaks(frame.to_canvas, frame.gray8.shape)
    n = len(candidates.x)
    measured = measure_points(frame.gray8, np.concatenate([candidates.x, xs]),
                              np.concatenate([candidates.y, ys]))
    keep = np.flatnonzero(measured.valid[n:])
    if not len(keep):
        return candidates, measured.take(slice(0, n))
    found = measured.take(n + keep)
    return (Candidates(np.concatenate([candidates.x, xs[keep]]),
                       np.concatenate([candidates.y, ys[keep]]),
                       np.concatenate([candidates.contrast_dn, found.peak_dn]),
                       candidates.noise_dn),
            measured.take(np.concatenate([np.arange(n), n + keep])))


def live_suspects(tracks: list[Track], frame: RegisteredFrame) -> list:
    """Tracks seen in this frame whose lock-in already looks like a cat's eye (a quick look
    for the live view; the full scoring is ``judge_track``). Their lock-ins are fitted
    together: a busy wall has dozens of such tracks in every lit frame."""
    if frame.on_axis < 0.5:
        return []
    seen = [track for track in tracks
            if track.n_detections >= 3 and track.last_detected_frame == frame.index]
    series = []
    for track in seen:
        contrast, _, exposure_ms, on, off, _ = track.columns()
        series.append((contrast, exposure_ms, on, off))
    out = []
    for track, lockin in zip(seen, fit_lockins(series)):
        if (lockin is not None and lockin.retro_snr > LIVE_SUSPECT_SNR
                and lockin.off_axis_gain < 0.3 * lockin.on_axis_gain
                and lockin.steady < 0.3 * lockin.on_axis_gain):
            latest = track.observations[-1]
            out.append((latest.x, latest.y))
    return out


def judge_track(track: Track, scale: float, min_detections: int = 2) -> Verdict | None:
    """Steps 6-7 for one track: its features, each kind's calibrated confidence and the
    likelier kind (None if it cannot be scored, or has fewer than ``min_detections``)."""
    if track.n_detections < min_detections or track.evidence is None:
        return None
    patch = track.evidence.patch
    shape = glint_shape(to_gray8(patch) if patch.shape[2] == 3 else patch[..., 0])
    features = track_features(track, shape)
    if features is None:
        return None
    scored = {"lens": lens_confidence(features, scale),
              "ir_emitter": ir_emitter_confidence(features, scale)}
    kind = max(scored, key=scored.get)
    confidence = scored[kind]
    if kind == "ir_emitter" and is_visible_led(features.glow_balance):
        kind = "visible_led"  # a steady glow in a visible colour: not 850/940 nm
    return Verdict(track, kind, confidence, shape, features, scored)


def as_finding(verdict: Verdict, scale: float) -> Finding:
    """Step 8: the finding of a verdict, with its annotated crop: at its strongest detection,
    or for a glow at the centre of its clipped core (``optics.glows.core_offset``) at its
    strongest detection with both rings dark, where it has one. An always-on light shows
    alone in the dark frames; in a lit one the ring's image in its dome or on its housing
    clips beside it and can make that frame's detection the strongest (training capture
    train1241: a green LED's finding 4 px off, on the off-axis ring's image beside it)."""
    track, shape = verdict.track, verdict.shape
    best, evidence = track.best, track.evidence
    if verdict.kind in GLOW_KINDS and track.dark_evidence is not None:
        best, evidence = track.dark_best, track.dark_evidence
    x, y, offset_xy = best.x, best.y, evidence.offset_xy
    core = core_offset(evidence.patch, scale) if verdict.kind in GLOW_KINDS else None
    if core is not None:
        offset_xy = core
        x, y = round(best.x) + core[0], round(best.y) + core[1]
    return Finding(verdict.kind, best.frame, x, y, shape.radius_px, verdict.confidence,
                   crops.annotate(evidence.patch, verdict.kind, offset_xy,
                                  shape.radius_px),
                   features={"track": track.track_id, "canvas": verdict.canvas_xy,
                             "features": verdict.features, **verdict.scored})


def local_finding(lens: LocalLens) -> Finding:
    """Step 3b's lens as a finding: the local cat's-eye test's own evidence, with the share of
    the training block's local lenses on as many agreeing frames that were real as its
    confidence (``optics.cats_eye.local_lens_confidence``)."""
    return Finding("lens", lens.frame, lens.x, lens.y, lens.radius_px,
                   local_lens_confidence(len(lens.frames)),
                   lens.finding_crop(),
                   features={"local_cats_eye": {"frames": lens.frames,
                                                "retro_share": lens.retro_share},
                             "canvas": lens.canvas_xy})


def merge_duplicates(verdicts: list[Verdict], scale: float) -> list[Verdict]:
    """The verdicts in order, without those of a kind already kept within
    ``MERGE_RADIUS_PX`` (canvas, at 640 px width) of them, unless both are glows that were
    seen at once, apart (``optics.glows.two_lights``: two LEDs side by side, each its own
    finding)."""
    kept: list[Verdict] = []
    for verdict in verdicts:
        x, y = verdict.canvas_xy
        if all(other.kind != verdict.kind
               or np.hypot(x - other.canvas_xy[0], y - other.canvas_xy[1])
               > MERGE_RADIUS_PX * scale
               or (verdict.kind in GLOW_KINDS
                   and two_lights(verdict.track, other.track, scale))
               for other in kept):
            kept.append(verdict)
    return kept


def analyze_frames(frames, min_confidence: float = REPORT_CONFIDENCE) -> list[Finding]:
    """Batch mode: run a whole capture (objects with index, image, exposure_us, on_axis and
    off_axis attributes) through the pipeline and return its findings."""
    pipeline = GlintPipeline()
    for frame in frames:
        pipeline.push(frame.index, frame.image, frame.exposure_us, frame.on_axis, frame.off_axis)
    return pipeline.findings(min_confidence)
