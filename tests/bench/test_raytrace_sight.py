"""The ray-traced truth's line-of-sight test (``bench.raytrace.sight``): an LED behind a chrome
pipe is hidden, one in the open or behind clear glass is in view. Renders with POV-Ray (as the
captures' truth is written); skipped where it is not installed. Here, not in tests/optics: it
tests the benchmark's scene code (tests import ``bench`` only under tests/bench)."""

import numpy as np
import pytest

from bench.raytrace.camera import Pose, aimed
from bench.raytrace.objects import Prop
from bench.raytrace.place import add_object, build_place
from bench.raytrace.povray import povray_available
from bench.raytrace.sight import MIN_SIGHT_SHARE, in_sight, sight_shares

pytestmark = pytest.mark.skipif(not povray_available(), reason="needs povray (3.7)")


def _led_place():
    """A painted ceiling-free wall with one red LED beside a bare tile hole, and a pose 0.6 m
    in front of the LED looking at it."""
    place = build_place(np.random.default_rng(3), "tile_hole", with_lens=False,
                        n_distractors=0, leds=("red",))
    led = place.emitters[0]
    pose: Pose = aimed(led.position_mm + [0.0, 0.0, -600.0], led.position_mm, (320.0, 180.0))
    return place, led, pose


def _share(place, led, pose, tmp_path) -> float:
    return sight_shares(place, [pose], tmp_path)[(led.id, 0)]


def test_an_led_in_the_open_is_in_sight(tmp_path):
    place, led, pose = _led_place()
    share = _share(place, led, pose, tmp_path)
    assert share >= 0.9
    assert in_sight({(led.id, 0): share}, led, 0)


def test_an_led_behind_a_chrome_pipe_is_hidden(tmp_path):
    """train1119's case: a pipe 4 cm in front of the wall, across the LED."""
    place, led, pose = _led_place()
    pipe = Prop(place.next_id(), "chrome_pipe", led.position_mm + [0.0, 0.0, -40.0], 10.0,
                300.0, small=False)
    hidden = add_object(place, pipe)
    share = _share(hidden, led, pose, tmp_path)
    assert share < MIN_SIGHT_SHARE
    assert not in_sight({(led.id, 0): share}, led, 0)


def test_an_led_behind_clear_glass_is_in_sight(tmp_path):
    """Glass bends and dims the LED's light by a few per cent: the LED is still seen."""
    place, led, pose = _led_place()
    pane = Prop(place.next_id(), "glass_pane", led.position_mm + [0.0, 0.0, -60.0], 80.0, 80.0,
                small=False)
    assert _share(add_object(place, pane), led, pose, tmp_path) >= MIN_SIGHT_SHARE
