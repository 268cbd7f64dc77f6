"""Each physical cue the pipeline relies on, pinned on simulated scans whose truth is known."""

import numpy as np

from detector.engine.scanning import run_scan
from hardware.sim.optics_truth import project
from optics import crops
from tests.optics.conftest import WALL_NORMAL, film, surface, wall_scene

MATCH_PX = 8.0  # at 1280 px width


def scan(scene, n_frames=36):
    camera, illuminator = film(scene)
    frames = []
    outcome = run_scan(camera, illuminator, n_frames=n_frames,
                       on_frame=lambda frame, live: frames.append(frame))
    return outcome, frames, camera


def near(finding, world_m, frames, camera) -> bool:
    xy = project(world_m, frames[finding.frame].pose, camera)
    return xy is not None and np.hypot(xy[0] - finding.x, xy[1] - finding.y) <= MATCH_PX


def lens_surface(off_axis_deg=5.0, aperture_mm=2.0):
    tilt = np.radians(off_axis_deg)
    axis = np.array([0.0, np.sin(tilt), np.cos(tilt)])  # the wall faces +z; tilt up
    return surface("lens", normal=axis, radius_m=aperture_mm / 2000, is_hidden_camera=True)


def test_a_lens_that_stays_is_kept():
    lens = lens_surface()
    outcome, frames, camera = scan(wall_scene([lens]))
    lenses = [f for f in outcome.findings if f.kind == "lens"]
    assert len(lenses) == 1
    assert near(lenses[0], lens.position_m, frames, camera)
    assert lenses[0].confidence > 0.8
    # Evidence is a small patch around the glint (enlarged), never the frame.
    patch_px = lenses[0].crop.shape[0] // crops.CROP_ZOOM
    assert patch_px == 2 * crops.CROP_HALF_PX + 1 and patch_px < camera.height // 8


def test_a_highlight_answering_both_rings_is_rejected():
    chrome = surface("chrome", radius_m=0.012, standoff_m=0.012, reflectance=0.9)
    outcome, frames, camera = scan(wall_scene([chrome]))
    assert not [f for f in outcome.findings if f.kind == "lens"]
    # ... though the pipeline did see it glint under both rings:
    from optics.pipeline import GlintPipeline
    pipeline = GlintPipeline()
    for f in frames:
        pipeline.push(f.index, f.image, f.exposure_us, f.on_axis, f.off_axis)
    seen = [f for f in pipeline.findings(min_confidence=0.0)
            if f.features["features"].lockin.on_axis_snr > 10]
    assert seen and all(f.features["features"].lockin.off_axis_gain
                        > 0.5 * f.features["features"].lockin.on_axis_gain for f in seen)


def test_a_glint_that_slides_is_rejected():
    # A glossy tiled wall faced square on shows the on-axis ring's mirror image, on-axis only
    # (the off-axis ring's image is elsewhere): only its sliding with the hand gives it away.
    tile = surface("tile", radius_m=1.0, reflectance=0.3)
    outcome, frames, camera = scan(wall_scene([tile], slide_m=0.25))
    assert not [f for f in outcome.findings if f.kind == "lens"]


def test_a_lens_outside_its_cone_does_not_glint():
    lens = lens_surface(off_axis_deg=35.0)
    outcome, frames, camera = scan(wall_scene([lens]))
    assert not outcome.findings


def test_an_ir_emitter_is_found_and_is_not_called_a_lens():
    led = surface("ir_led", offset_m=(0.05, 0.02), radius_m=2.5e-3, emission=0.9)
    outcome, frames, camera = scan(wall_scene([led]))
    assert [f.kind for f in outcome.findings] == ["ir_emitter"]
    assert near(outcome.findings[0], led.position_m, frames, camera)


def test_the_lens_is_found_among_distractors_and_nothing_else_is():
    lens = lens_surface(aperture_mm=1.5)
    distractors = [surface("chrome", (0.08, -0.03), 0.01, radius_m=0.01, reflectance=0.9),
                   surface("screw", (-0.06, 0.04), 0.001, radius_m=2.5e-3, reflectance=0.6),
                   surface("droplet", (0.03, 0.05), 0.001, radius_m=1.5e-3, reflectance=0.05),
                   surface("indicator_led", (-0.1, -0.05), radius_m=1.5e-3, emission=0.3)]
    outcome, frames, camera = scan(wall_scene([lens] + distractors))
    lenses = [f for f in outcome.findings if f.kind == "lens"]
    assert len(lenses) == 1 and near(lenses[0], lens.position_m, frames, camera)
    assert WALL_NORMAL @ lens.normal > 0.9
