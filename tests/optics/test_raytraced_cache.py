"""The ray-traced captures kept in the repository (data/raytraced/): every capture loads as
``ansim-capture/1`` and agrees with its truth.json entry, the training and benchmark blocks are
disjoint, and the rendered physics is there (an in-cone lens glows under the on-axis ring only;
an LED reads in its own colour through the NoIR camera)."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from hardware.camera.capture_dir import load_frames, read_capture_info

DATA = Path(__file__).resolve().parents[2] / "data" / "raytraced"
BLOCKS = {"bench": 40, "train": 8}


def _truth(block):
    return json.loads((DATA / block / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def truths():
    return {block: _truth(block) for block in BLOCKS}


def test_each_block_holds_its_captures_and_the_blocks_are_disjoint(truths):
    for block, minimum in BLOCKS.items():
        entries = truths[block]
        assert len(entries) >= minimum, block
        assert {e["role"] for e in entries} == {block}
        folders = {d.name for d in (DATA / block).iterdir() if d.is_dir()}
        assert folders == {e["name"] for e in entries}
    assert not {e["seed"] for e in truths["bench"]} & {e["seed"] for e in truths["train"]}
    bench = truths["bench"]
    assert {e["housing"] for e in bench} == {"clothes_hook", "smoke_detector", "screw_head",
                                             "tile_hole", "air_freshener", "usb_charger",
                                             "toilet_paper_holder", "ceiling_vent"}
    assert any(not e["has_lens"] for e in bench)


@pytest.mark.parametrize("block", list(BLOCKS))
def test_every_capture_agrees_with_its_truth(truths, block):
    for entry in truths[block]:
        info = read_capture_info(DATA / block / entry["name"])
        assert (info.width, info.height, info.pixel_format) == (640, 360, "bgr8")
        assert len(info.rows) == entry["n_frames"] == len(entry["states"]) == 16
        assert len(entry["camera"]["poses"]) == len(entry["flicker_level"]) == 16
        for row, state in zip(info.rows, entry["states"]):
            assert (row.on_axis, row.off_axis) == ({"on": (1, 0), "off_axis": (0, 1),
                                                    "dark": (0, 0)}[state])
            assert (info.path / row.file).is_file()
        assert len(entry["lenses"]) == int(entry["has_lens"])
        for lens in entry["lenses"]:
            for f in lens["frames"]:
                assert -0.5 <= f["x"] <= 639.5 and -0.5 <= f["y"] <= 359.5
                assert f["in_cone"] == (f["off_axis_angle_deg"]
                                        <= lens["acceptance_half_angle_deg"])


def _peak(image, x, y, r=2):
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    x, y = int(round(x)), int(round(y))
    return int(grey[max(y - r, 0):y + r + 1, max(x - r, 0):x + r + 1].max())


def test_an_in_cone_lens_glows_under_the_on_axis_ring_only(truths):
    """Training block only: the physics check must not read the benchmark's pixels."""
    on_minus_dark, off_minus_dark = [], []
    for entry in truths["train"]:
        if not entry["has_lens"]:
            continue
        frames = load_frames(DATA / "train" / entry["name"])
        lens = entry["lenses"][0]
        inside = [f for f in lens["frames"] if f["in_cone"] and f["off_axis_angle_deg"]
                  < lens["acceptance_half_angle_deg"] - 3 and 8 < f["x"] < 632 and 8 < f["y"] < 352]
        dark = [_peak(frames[f["index"]].image, f["x"], f["y"]) for f in inside
                if entry["states"][f["index"]] == "dark"]
        if not dark:
            continue
        for f in inside:
            state = entry["states"][f["index"]]
            level = _peak(frames[f["index"]].image, f["x"], f["y"]) - np.median(dark)
            (on_minus_dark if state == "on" else off_minus_dark if state == "off_axis"
             else []).append(level)
    assert len(on_minus_dark) >= 10
    assert np.mean(np.asarray(on_minus_dark) > 40) >= 0.8
    assert np.median(off_minus_dark) < 0.25 * np.median(on_minus_dark)


def test_leds_read_in_their_own_colour(truths):
    """An 850/940 nm LED reads near-white through the NoIR camera; a visible LED does not."""
    seen = {"infrared": [], "visible": []}
    for block in BLOCKS:
        for entry in truths[block]:
            leds = entry["ir_emitters"] + entry["visible_leds"]
            if not leds:
                continue
            frame = load_frames(DATA / block / entry["name"])[0].image
            for led in leds:
                at = [f for f in led["frames"] if f["index"] == 0 and 3 < f["x"] < 636
                      and 3 < f["y"] < 356]
                if not at:
                    continue
                x, y = int(round(at[0]["x"])), int(round(at[0]["y"]))
                b, g, r = frame[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3).max(axis=0).astype(float)
                if max(b, g, r) < 60:
                    continue  # far or faint: no colour to read
                balance = min(b, g, r) / max(b, g, r)
                seen["infrared" if led["infrared"] else "visible"].append(balance)
    assert seen["infrared"] and seen["visible"]
    assert np.median(seen["infrared"]) > 0.6
    assert np.median(seen["visible"]) < 0.5
