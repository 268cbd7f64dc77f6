"""From a track's features to the probability that it is a lens, or an IR emitter.

Each cue is a term of a logistic model per kind. The weights in ``calibration.json`` are fitted
(L2-regularised logistic regression) by ``bench/fit_optics_calibration.py`` on labelled tracks
of simulated scans whose seeds the benchmark never uses and, for the lens model, of the
ray-traced TRAINING block (never the benchmark's); ``ansim bench optics`` prints, per
confidence band, how often findings were real on its own scans, the check that the numbers
mean what they say. The terms:

lens
- on-axis lock-in SNR, and the SNR of on-axis minus off-axis (the retro-reflection): the
  glint answers the ring tight around our lens;
- off-axis share and SNR: a cat's eye sends nothing to the ring 9 cm away, a shiny curve
  answers both. The SNR counts by its size, either sign: no passive point darkens when a
  light is added, so an off-axis gain far below zero says that what the lock-in read at the
  track's point moved between frames (a chrome highlight of the on-axis ring sliding off it),
  not a cat's eye (the ray-traced training block's tracks reported at no lens read -4 to -5,
  those at a lens -0.1 to -1.7 but one);
- steady share and SNR: a lens shows nothing with both rings dark (an LED or a lamp
  highlight does);
- on-axis detections, as a fraction and a count: anchored to the wall, it comes back every
  lit frame;
- spread and slide: its detections stay on one canvas point (a highlight slides steadily
  over a curved surface as the hand moves);
- size and hollowness: a pinhole's glint is a point; a tile's mirror image of the ring is a
  broad ring. No term says whether the glint was bright enough at its strongest to have an
  outline at all: how often a lens is that faint is how far away the material's lenses are
  (3 % of the ray-traced training block's lens tracks, 9 % of the simulator's), not how a
  cat's eye differs from a highlight, and a model fitted on both kinds of material learnt
  from it that a faint glint is no lens (weight -3.9) and lost the simulator's far lenses.
  A faint track's size and hollowness are not measured (``optics.features.Shape``) and
  speak as a point's would;
- before the model, a gate: a track detected in most of its dark frames is no lens
  (``MAX_LENS_DARK_DETECTIONS``).

ir_emitter
- steady SNR; how far it outshines the surface around it with the rings dark (room lamps give
  little near-infrared, an 850/940 nm LED outshines any reflection of them); how little the
  rings add; detections in unlit frames; whether it follows the room light's flicker (a lamp's
  highlight does, a self-powered LED does not); spread and slide; size and outline.
"""

import json
from pathlib import Path

import numpy as np

from optics.features import TrackFeatures

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
#: The terms the pipeline measured on committed captures when the calibration was fitted.
REFERENCE_PATH = Path(__file__).with_name("calibration_reference.json")

LENS_TERMS = ("bias", "log_on_snr", "log_retro_snr", "off_share", "off_snr", "steady_share", "steady_snr",
              "on_detect_fraction", "log_on_detections", "spread_px", "slide_px", "radius_px",
              "hollow")
IR_EMITTER_TERMS = ("bias", "log_steady_snr", "log_outshines", "ring_share",
                    "unlit_detect_fraction", "follows_lamp", "spread_px", "slide_px",
                    "radius_px", "faint")
TERMS = {"lens": LENS_TERMS, "ir_emitter": IR_EMITTER_TERMS}
#: The way each term may speak, where the physics above says it (+1 for the kind, -1 against;
#: terms not named are free): the fit holds each weight to its sign or zero
#: (``optics.fitting.fit_logistic``), so a sample in which, say, lenses happened to spread
#: more than highlights cannot teach the model that a spread track is a lens.
TERM_SIGNS = {
    "lens": {"log_on_snr": +1, "log_retro_snr": +1, "off_share": -1, "off_snr": -1,
             "steady_share": -1, "steady_snr": -1, "on_detect_fraction": +1,
             "log_on_detections": +1, "spread_px": -1, "slide_px": -1, "radius_px": -1,
             "hollow": -1},
    "ir_emitter": {"log_steady_snr": +1, "log_outshines": +1, "ring_share": -1,
                   "unlit_detect_fraction": +1, "follows_lamp": -1, "spread_px": -1,
                   "slide_px": -1, "faint": -1},
}


class CalibrationError(ValueError):
    """calibration.json is missing a kind or a term, or holds a term the model does not know."""


def lens_terms(features: TrackFeatures, scale: float) -> np.ndarray:
    """The lens model's terms, in ``LENS_TERMS`` order (sizes in px at 640 px width)."""
    lockin = features.lockin
    gain = max(lockin.on_axis_gain, 1e-3)
    return np.array([
        1.0,
        np.log(np.clip(lockin.on_axis_snr, 0.5, 200.0)),
        np.log(np.clip(lockin.retro_snr, 0.5, 200.0)),
        np.clip(lockin.off_axis_gain / gain, 0.0, 2.0),
        min(abs(lockin.off_axis_gain / lockin.off_axis_se), 20.0),
        np.clip(lockin.steady / gain, -1.0, 3.0),
        np.clip(lockin.steady_snr, -5.0, 20.0),
        features.on_detect_fraction,
        np.log1p(features.n_on_detections),
        min(features.spread_px / scale, 10.0),
        min(features.slide_px / scale, 20.0),
        min(features.shape.radius_px / scale, 10.0),
        float(features.shape.hollow),
    ])


def ir_emitter_terms(features: TrackFeatures, scale: float) -> np.ndarray:
    """The IR-emitter model's terms, in ``IR_EMITTER_TERMS`` order."""
    lockin = features.lockin
    steady = max(lockin.steady, 1e-3)
    ring = max(lockin.on_axis_gain, lockin.off_axis_gain, 0.0)
    return np.array([
        1.0,
        np.log(np.clip(lockin.steady_snr, 0.5, 500.0)),
        np.log(np.clip(steady / max(features.unlit_background, 0.05), 0.05, 50.0)),
        np.clip(ring / steady, 0.0, 3.0),
        features.unlit_detect_fraction,
        features.follows_lamp,
        min(features.spread_px / scale, 10.0),
        min(features.slide_px / scale, 20.0),
        min(features.shape.radius_px / scale, 10.0),
        float(features.shape.faint),
    ])


def load_calibration(path: Path = CALIBRATION_PATH) -> dict[str, np.ndarray]:
    """Each kind's weights, in its terms' order; a clear error for a malformed file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CalibrationError(f"{path}: cannot read the calibration: {exc}") from exc
    weights = {}
    for kind, names in TERMS.items():
        given = data.get(kind, {}).get("weights")
        if not isinstance(given, dict) or set(given) != set(names):
            raise CalibrationError(f"{path}: {kind}.weights must give exactly the terms "
                                   f"{', '.join(names)}")
        weights[kind] = np.array([float(given[name]) for name in names])
    return weights


_WEIGHTS = load_calibration()


def probability(terms: np.ndarray, weights: np.ndarray) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(terms @ weights, -30, 30))))


#: A cat's eye glints only under the on-axis ring: with both rings dark the room's lamp, behind
#: or above the handheld, is returned towards the lamp, not into the camera. A track detected
#: in more than this share of its dark frames is a steady light's, whatever its lock-in says
#: (a lamp's highlight sliding over a chrome ball outruns the track's canvas point, where the
#: lock-in reads it, while each frame's detection follows it). On the ray-traced TRAINING
#: block the reported track lenses at a lens were detected in at most 1 of 5 dark frames,
#: three false ones at clothes hooks' balls in 5 of 5 and 3 of 5 (train1288, train1424).
MAX_LENS_DARK_DETECTIONS = 0.5


def lens_confidence(features: TrackFeatures, scale: float) -> float:
    """The lens model's probability; none for a track seen in most of its dark frames
    (``MAX_LENS_DARK_DETECTIONS``)."""
    if features.dark_detect_fraction > MAX_LENS_DARK_DETECTIONS:
        return 0.0
    return probability(lens_terms(features, scale), _WEIGHTS["lens"])


def ir_emitter_confidence(features: TrackFeatures, scale: float) -> float:
    return probability(ir_emitter_terms(features, scale), _WEIGHTS["ir_emitter"])
