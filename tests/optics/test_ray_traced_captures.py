"""The independent, ray-traced optics-dev captures: lenses found where truth.json puts them,
nothing called a lens where there is none."""

import numpy as np
import pytest

from hardware.camera.capture_dir import load_frames
from optics.pipeline import analyze_frames

LENS_CAPTURES = ["lens_tile_050", "lens_hook_090", "lens_tile_130"]
EMPTY_CAPTURES = ["nolens_tap_070", "nolens_tiles_led_100"]


@pytest.mark.parametrize("name", LENS_CAPTURES)
def test_the_lens_is_found_within_a_few_pixels_of_truth(dev_dir, dev_truth, name):
    findings = analyze_frames(load_frames(dev_dir / name))
    lenses = [f for f in findings if f.kind == "lens"]
    assert len(lenses) == 1, [f.to_dict() for f in findings]
    truth = {f["index"]: f for f in dev_truth[name]["lenses"][0]["frames"]}[lenses[0].frame]
    assert np.hypot(lenses[0].x - truth["x"], lenses[0].y - truth["y"]) < 2.0


@pytest.mark.parametrize("name", EMPTY_CAPTURES)
def test_no_lens_is_reported_where_there_is_none(dev_dir, name):
    findings = analyze_frames(load_frames(dev_dir / name))
    assert not [f for f in findings if f.kind == "lens"], [f.to_dict() for f in findings]


def test_the_always_on_indicator_led_is_reported_as_an_emitter(dev_dir, dev_truth):
    name = "nolens_tiles_led_100"
    emitters = [f for f in analyze_frames(load_frames(dev_dir / name))
                if f.kind == "ir_emitter"]
    truth = {f["index"]: f for f in dev_truth[name]["ir_emitters"][0]["frames"]}
    assert any(np.hypot(f.x - truth[f.frame]["x"], f.y - truth[f.frame]["y"]) < 4
               for f in emitters)
