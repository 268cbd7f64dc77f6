"""The features the calibration was fitted on stay what they were.

``optics/calibration.json`` holds weights fitted on the terms the pipeline measured when
``bench/fit_optics_calibration.py`` ran; the same run wrote the terms of every scored track of
a few committed captures to ``optics/calibration_reference.json``. A change to the pipeline's
measurements that moves those terms makes the weights stale without anyone noticing: this
test fails instead, until the calibration is refitted on purpose (re-run the script; it
rewrites both files).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from hardware.camera.capture_dir import load_frames
from optics.pipeline import GlintPipeline
from optics.scoring import REFERENCE_PATH, ir_emitter_terms, lens_terms

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
TERMS = {"lens": lens_terms, "ir_emitter": ir_emitter_terms}
SAME_TRACK_PX = 0.05  # canvas px: the same measurements put a track at the same point
# OpenCV and NumPy releases round their filters and resampling differently: moving from OpenCV 4
# to 5.1 moved a term by 2.4e-4 of its value. The weights do not notice changes that small; a
# change to the pipeline that makes them stale moves terms by whole per cent.
TERM_TOLERANCE = 2e-3  # relative and absolute


@pytest.mark.parametrize("capture", sorted(REFERENCE["captures"]))
def test_the_pipeline_measures_the_terms_the_calibration_was_fitted_on(capture):
    pipeline = GlintPipeline()
    for f in load_frames(REPO_ROOT / capture):
        pipeline.push(f.index, f.image, f.exposure_us, f.on_axis, f.off_axis)
    measured = pipeline.scored_tracks()
    stored = REFERENCE["captures"][capture]
    assert len(measured) == len(stored), (
        f"{capture}: {len(measured)} scored tracks, the calibration saw {len(stored)}: refit "
        "it (python -m bench.fit_optics_calibration) if the change is meant")
    for track in stored:
        at = [f for f in measured if np.hypot(*np.subtract(f.features["canvas"],
                                                             track["canvas"])) < SAME_TRACK_PX]
        assert len(at) == 1, f"{capture}: no scored track at {track['canvas']} any more"
        for kind, terms in TERMS.items():
            now = terms(at[0].features["features"], pipeline.scale)
            assert np.allclose(now, track[kind], rtol=TERM_TOLERANCE, atol=TERM_TOLERANCE), (
                f"{capture}: the {kind} terms of the track at {track['canvas']} moved from "
                f"{track[kind]} to {np.round(now, 6).tolist()}: refit the calibration")
