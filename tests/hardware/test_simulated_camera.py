"""The simulated camera's physics, checked pixel by pixel against the scene's geometry."""

import numpy as np

from hardware.sim.optics_truth import project
from tests.optics.conftest import film, surface, wall_scene


def frame_with(scene, on_axis, off_axis, camera=None, illuminator=None):
    if camera is None:
        camera, illuminator = film(scene)
    illuminator.set_rings(on_axis, off_axis)
    return camera.read_frame(), camera


def peak_near(frame, camera, world_m, reach=3):
    x, y = project(world_m, frame.pose, camera)
    xi, yi = round(x), round(y)
    return int(frame.image[yi - reach:yi + reach + 1, xi - reach:xi + reach + 1].max())


def test_frames_carry_the_lit_fractions_and_advance_the_clock():
    scene = wall_scene([])
    camera, illuminator = film(scene)
    first, _ = frame_with(scene, True, False, camera, illuminator)
    second, _ = frame_with(scene, False, True, camera, illuminator)
    assert (first.on_axis, first.off_axis) == (1.0, 0.0)
    assert (second.on_axis, second.off_axis) == (0.0, 1.0)
    assert second.timestamp_s - first.timestamp_s == 1 / 30
    assert first.image.shape == (720, 1280) and first.image.dtype == np.uint8


def test_a_lens_glints_toward_the_on_axis_ring_only():
    lens = surface("lens", radius_m=1e-3, is_hidden_camera=True)
    scene = wall_scene([lens])
    lit, camera = frame_with(scene, True, False)
    other, _ = frame_with(scene, False, True)
    assert peak_near(lit, camera, lens.position_m) > 150
    # Off-axis: the hole stays dark, darker than the wall lit by the ring.
    assert peak_near(other, camera, lens.position_m, reach=1) < np.median(other.image)


def test_a_lens_outside_its_cone_stays_dark():
    tilt = np.radians(30)
    lens = surface("lens", normal=(0, np.sin(tilt), np.cos(tilt)), radius_m=1e-3)
    lit, camera = frame_with(wall_scene([lens]), True, False)
    assert peak_near(lit, camera, lens.position_m, reach=1) < np.median(lit.image)


def test_chrome_answers_both_rings():
    chrome = surface("chrome", radius_m=0.01, standoff_m=0.01, reflectance=0.9)
    scene = wall_scene([chrome])
    on, camera = frame_with(scene, True, False)
    off, _ = frame_with(scene, False, True)
    dark, _ = frame_with(scene, False, False)
    assert peak_near(on, camera, chrome.position_m, 12) > peak_near(dark, camera,
                                                                    chrome.position_m, 12) + 40
    assert peak_near(off, camera, chrome.position_m, 12) > peak_near(dark, camera,
                                                                     chrome.position_m, 12) + 40


def test_an_ir_led_glows_with_the_rings_dark():
    led = surface("ir_led", radius_m=2.5e-3, emission=0.9)
    dark, camera = frame_with(wall_scene([led]), False, False)
    assert peak_near(dark, camera, led.position_m) == 255


def test_a_longer_exposure_is_brighter():
    scene = wall_scene([])
    camera, illuminator = film(scene)
    short, _ = frame_with(scene, False, False, camera, illuminator)
    camera.set_exposure_us(16000)
    long, _ = frame_with(scene, False, False, camera, illuminator)
    assert 1.7 < np.median(long.image) / np.median(short.image) < 2.3


def test_rendering_is_reproducible_from_its_seed():
    scene = wall_scene([surface("screw", radius_m=3e-3, standoff_m=0.001)])
    a, _ = frame_with(scene, True, False)
    b, _ = frame_with(scene, True, False)
    assert np.array_equal(a.image, b.image)
