"""The local cat's-eye test (optics/cats_eye.py): a glint lit by the on-axis ring only is found
where the canvas is off by the hand's jitter; a spot the off-axis ring or the dark frames show
too is not; and on the ray-traced TRAINING block it finds lenses the tracks missed."""

import cv2
import numpy as np
import pytest

from optics.candidates import detection_map, find_candidates
from optics.cats_eye import CatsEyeTest
from optics.tracks import RegisteredFrame
from tests.optics.test_ray_traced_cues import at, block, run

#: on-axis, off-axis or dark per frame: every state within three frames, as the ring code does
STATES = ["on", "off", "dark", "dark", "on", "off", "off", "dark", "on", "on", "dark", "off"]
JITTER_PX = [(0, 0), (9, -6), (-11, 4), (5, 10), (-8, -9), (12, 3), (-4, 11), (7, -12),
             (-12, -2), (10, 8), (-6, 6), (3, -10)]
HOLE = (320, 180)


def _scene(seed: int = 3) -> np.ndarray:
    """A textured wall (paint mottle and a few dark marks), larger than the frame."""
    rng = np.random.default_rng(seed)
    wall = cv2.GaussianBlur(rng.normal(0, 1, (420, 700)).astype(np.float32), (0, 0), 3)
    wall = 60 + 12 * wall / wall.std()
    for _ in range(25):
        cv2.circle(wall, (int(rng.integers(700)), int(rng.integers(420))),
                   int(rng.integers(2, 6)), 20.0, -1)
    return wall


def _frames(glint_in: set[str]):
    """Frames of the wall with a dark hole, moved by the hand's jitter while the canvas says
    it stayed put (identity transforms), the hole glinting in the states ``glint_in``."""
    wall = _scene()
    rng = np.random.default_rng(5)
    for index, (state, (dx, dy)) in enumerate(zip(STATES, JITTER_PX)):
        lit = 1.0 if state != "dark" else 0.35  # the rings light the wall
        image = wall[30 + dy:390 + dy, 30 + dx:670 + dx] * lit
        x, y = HOLE[0] - dx, HOLE[1] - dy
        cv2.circle(image, (x, y), 4, 8.0, -1)
        if state in glint_in:
            image[y - 1:y + 2, x - 1:x + 2] = 255.0
        gray8 = np.clip(image + rng.normal(0, 1.4, image.shape), 0, 255).astype(np.uint8)
        on, off = float(state == "on"), float(state == "off")
        yield RegisteredFrame(index, on, off, 8.0, np.eye(3), np.eye(3), gray8, gray8), (x, y)


def _lenses(glint_in: set[str]):
    test = CatsEyeTest()
    truth = {}
    for frame, xy in _frames(glint_in):
        truth[frame.index] = xy
        detection = detection_map(frame.gray8)
        test.add(frame, find_candidates(frame.gray8, detection), detection.pooled)
    return test.lenses(), truth


def test_a_glint_of_the_on_axis_ring_only_is_found_through_the_hands_jitter():
    lenses, truth = _lenses({"on"})
    assert len(lenses) == 1
    lens = lenses[0]
    assert len(lens.frames) >= 3
    x, y = truth[lens.frame]
    assert np.hypot(lens.x - x, lens.y - y) <= 2.0
    assert lens.retro_share < 0.1


@pytest.mark.parametrize("glint_in", [{"on", "off"}, {"on", "off", "dark"}, {"on", "dark"}],
                         ids=["both rings (chrome)", "always (LED)", "steady but off-axis"])
def test_a_spot_that_other_frames_show_too_is_no_cats_eye(glint_in):
    lenses, _ = _lenses(glint_in)
    assert lenses == []


@pytest.mark.parametrize("name", ["train1000_clothes_hook_lens_081",
                                  "train1006_toilet_paper_holder_lens_057"])
def test_training_lenses_the_tracks_missed_are_found_locally(name):
    """A clothes hook's lens whose glints the canvas split over several tracks, and a paper
    dispenser's lens 11 cm proud of the wall (parallax): both in-cone (TRAINING block)."""
    lens = block("train")[name]["lenses"][0]
    assert sum(f["in_cone"] for f in lens["frames"]) >= 2
    assert any(at(f, lens) for f in run("train", name).findings()
               if f.kind == "lens" and "local_cats_eye" in f.features)


def test_no_local_lens_on_a_ceiling_vent_without_one():
    assert run("train", "train1007_ceiling_vent_nolens_034").cats_eye.lenses() == []


def _grout_frames():
    """An always-on LED 4 px below a grout line across bare paint, and 10 px along the line a
    chrome fitting's highlight of whichever ring is lit (of the off-axis ring 12 px further
    along, of neither in the dark): the frames as ``_frames`` moves them."""
    rng = np.random.default_rng(7)
    wall = 60 + 1.5 * cv2.GaussianBlur(rng.normal(0, 1, (420, 700)).astype(np.float32),
                                       (0, 0), 3)
    wall[HOLE[1] + 30 - 4:HOLE[1] + 30 - 2] = 25.0  # the grout line (scene coordinates)
    for index, (state, (dx, dy)) in enumerate(zip(STATES, JITTER_PX)):
        image = wall[30 + dy:390 + dy, 30 + dx:670 + dx] * (1.0 if state != "dark" else 0.35)
        x, y = HOLE[0] - dx, HOLE[1] - dy
        image[y - 1:y + 2, x - 1:x + 2] = 255.0  # the LED
        if state != "dark":
            hx = x + 10 + (12 if state == "off" else 0)
            image[y - 5:y - 2, hx - 1:hx + 2] = 255.0
        gray8 = np.clip(image + rng.normal(0, 1.4, image.shape), 0, 255).astype(np.uint8)
        on, off = float(state == "on"), float(state == "off")
        yield RegisteredFrame(index, on, off, 8.0, np.eye(3), np.eye(3), gray8, gray8)


def test_an_led_beside_a_grout_line_is_no_cats_eye():
    """Surroundings that are a line match anywhere along it, and a highlight of the lit ring
    among them pulls the match off the LED: the reference frames' light is then taken all
    along the line, where the LED is (the simulator's tuning seed 1085)."""
    test = CatsEyeTest()
    for frame in _grout_frames():
        detection = detection_map(frame.gray8)
        test.add(frame, find_candidates(frame.gray8, detection), detection.pooled)
    assert test.lenses() == []
