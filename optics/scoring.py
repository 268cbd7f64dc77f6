"""From a track's features to the probability that it is a lens, or an IR emitter.

Each cue is a term of a logistic model (weights in ``calibration.json``). The weights were set
by hand from the features of simulated scans (seeds below 1000) and of the ray-traced
captures; ``ansim bench optics`` reports, per confidence band, how many findings were real on
scans it has not seen, which is the check that the numbers mean what they say. The terms:

lens
- on-axis lock-in SNR: the glint answers the ring tight around our lens;
- off-axis share: a cat's eye sends nothing to the ring 9 cm away, a shiny curve answers both;
- steady share: a lens shows nothing with both rings dark (an LED or a lamp highlight does);
- on-axis detection fraction: anchored to the wall, it comes back every lit frame;
- spread: its detections stay on one canvas point (a sliding highlight does not);
- size: a pinhole's glint is a point; a tile's mirror image of the ring is a broad ring.

ir_emitter
- steady SNR; how far it outshines the surface around it with the rings dark (room lamps give
  little near-infrared, an 850/940 nm LED outshines any reflection of them); how little the
  rings add; detections in unlit frames; spread; size.
"""

import json
from pathlib import Path

import numpy as np

from optics.features import TrackFeatures

_CALIBRATION = json.loads(Path(__file__).with_name("calibration.json").read_text())


def lens_terms(features: TrackFeatures, scale: float) -> np.ndarray:
    lockin = features.lockin
    gain = max(lockin.on_axis_gain, 1e-3)
    return np.array([
        1.0,
        np.log(np.clip(lockin.on_axis_snr, 0.5, 200.0)),
        np.clip(lockin.off_axis_gain / gain, 0.0, 2.0),
        np.clip(lockin.steady / gain, -1.0, 3.0),
        features.on_detect_fraction,
        min(features.spread_px / scale, 10.0),
        min(features.shape.radius_px / scale, 10.0),
        float(features.shape.hollow),
    ])


def ir_emitter_terms(features: TrackFeatures, scale: float) -> np.ndarray:
    lockin = features.lockin
    steady = max(lockin.steady, 1e-3)
    ring = max(lockin.on_axis_gain, lockin.off_axis_gain, 0.0)
    return np.array([
        1.0,
        np.log(np.clip(lockin.steady_snr, 0.5, 500.0)),
        np.log(np.clip(steady / max(features.unlit_background, 0.05), 0.05, 50.0)),
        np.clip(ring / steady, 0.0, 3.0),
        features.unlit_detect_fraction,
        min(features.spread_px / scale, 10.0),
        min(features.shape.radius_px / scale, 10.0),
    ])


def _probability(terms: np.ndarray, weights) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(terms @ np.asarray(weights), -30, 30))))


def lens_confidence(features: TrackFeatures, scale: float) -> float:
    return _probability(lens_terms(features, scale), _CALIBRATION["lens"])


def ir_emitter_confidence(features: TrackFeatures, scale: float) -> float:
    return _probability(ir_emitter_terms(features, scale), _CALIBRATION["ir_emitter"])
