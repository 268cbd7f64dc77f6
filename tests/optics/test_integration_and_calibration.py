"""Coherent integration (registration without drift, the lock-in map) and the fitted,
calibrated confidence."""

import json

import numpy as np
import pytest

from hardware.sim.optics_truth import project
from optics.candidates import detection_map, find_candidates
from optics.fitting import fit_logistic
from optics.registration import Registrar, apply, registration_image
from optics.scoring import CalibrationError, load_calibration
from tests.optics.conftest import surface, wall_scene
from tests.optics.test_physical_cues import lens_surface, near, scan


def test_registration_keeps_a_wall_point_within_a_pixel_over_a_whole_scan():
    screw = surface("screw", (0.05, 0.03), 0.001, radius_m=2e-3, reflectance=0.6)
    _, frames, camera = scan(wall_scene([screw], distance_m=1.2, slide_m=0.25), n_frames=48)
    registrar = Registrar()
    start = project(screw.position_m, frames[0].pose, camera)
    errors = []
    for frame in frames:
        to_canvas = registrar.register(registration_image(frame.image))
        predicted = apply(np.linalg.inv(to_canvas), *start)
        truth = project(screw.position_m, frame.pose, camera)
        errors.append(np.hypot(predicted[0] - truth[0], predicted[1] - truth[1]))
    # The hand moves ~25 cm: chained frame-to-frame steps drifted by several pixels here.
    assert np.median(errors) < 0.7 and max(errors) < 1.5


def test_a_lens_too_faint_for_single_frames_is_found_by_integration():
    lens = lens_surface(aperture_mm=1.0)
    scene = wall_scene([lens], distance_m=1.45, slide_m=0.1)
    outcome, frames, camera = scan(scene, n_frames=48)
    on_frames = [f for f in frames if f.on_axis > 0.5 and f.off_axis < 0.5]
    seen_alone = 0
    for frame in on_frames:
        candidates = find_candidates(frame.image, detection_map(frame.image))
        xy = project(lens.position_m, frame.pose, camera)
        seen_alone += bool(np.any(np.hypot(candidates.x - xy[0], candidates.y - xy[1]) < 4))
    assert seen_alone < 0.6 * len(on_frames)  # a frame by itself mostly misses it
    lenses = [f for f in outcome.findings if f.kind == "lens"]
    assert len(lenses) == 1 and near(lenses[0], lens.position_m, frames, camera)


def test_logistic_fit_recovers_the_weights_that_generated_the_labels():
    rng = np.random.default_rng(7)
    terms = np.column_stack([np.ones(4000), rng.normal(size=(4000, 2))])
    true_weights = np.array([-1.0, 2.0, -0.5])
    labels = rng.random(4000) < 1 / (1 + np.exp(-terms @ true_weights))
    assert np.allclose(fit_logistic(terms, labels, l2=0.0), true_weights, atol=0.15)


def test_a_calibration_missing_a_term_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"lens": {"weights": {"bias": 1.0}},
                                "ir_emitter": {"weights": {"bias": 1.0}}}))
    with pytest.raises(CalibrationError, match="calibration.json: lens.weights"):
        load_calibration(path)
    path.write_text("{not json")
    with pytest.raises(CalibrationError, match="calibration.json"):
        load_calibration(path)


def test_a_weight_held_to_its_sign_stays_at_zero_and_the_others_refit_without_it():
    rng = np.random.default_rng(11)
    terms = np.column_stack([np.ones(4000), rng.normal(size=(4000, 2))])
    labels = rng.random(4000) < 1 / (1 + np.exp(-terms @ np.array([-1.0, 2.0, 0.8])))
    free = fit_logistic(terms, labels, l2=0.0)
    held = fit_logistic(terms, labels, l2=0.0, signs={2: -1})
    assert free[2] > 0.5  # the sample speaks for the term ...
    assert held[2] == 0.0  # ... and the bound holds it at zero
    assert np.allclose(held[:2], fit_logistic(terms[:, :2], labels, l2=0.0), atol=1e-6)
    # a bound the sample does not press on changes nothing
    against = rng.random(4000) < 1 / (1 + np.exp(-terms @ np.array([-1.0, 2.0, -0.8])))
    assert np.allclose(fit_logistic(terms, against, l2=0.0, signs={2: -1, 1: +1}),
                       fit_logistic(terms, against, l2=0.0), atol=1e-9)
