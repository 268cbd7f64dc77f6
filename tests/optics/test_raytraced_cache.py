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
from optics.colour import balance, glow_excess_bgr

DATA = Path(__file__).resolve().parents[2] / "data" / "raytraced"
BLOCKS = {"bench": 164, "train": 86}


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
                if abs(f["off_axis_angle_deg"] - lens["acceptance_half_angle_deg"]) > 0.01:
                    # (at the cone's edge the stored angle, rounded to 0.01 deg, cannot say)
                    assert f["in_cone"] == (f["off_axis_angle_deg"]
                                            <= lens["acceptance_half_angle_deg"])


def _peak(image, x, y, r=2):
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    x, y = int(round(x)), int(round(y))
    return int(grey[max(y - r, 0):y + r + 1, max(x - r, 0):x + r + 1].max())


def test_an_in_cone_lens_glows_under_the_on_axis_ring(truths):
    """Training block only: the physics check must not read the benchmark's pixels. The cat's
    eye returns the on-axis ring's light; beyond half a metre the off-axis ring (5-10 deg away
    as the lens sees it) is far dimmer there (in nine captures of ten: the faintest lenses,
    small and far, hardly glint under either ring). (Nearer, the ball's uncoated front surface mirrors
    the off-axis ring too, see docs/raytraced.md.)"""
    on_minus_dark, contrast = [], []
    for entry in truths["train"]:
        if not entry["has_lens"]:
            continue
        frames = load_frames(DATA / "train" / entry["name"])
        lens = entry["lenses"][0]
        inside = [f for f in lens["frames"] if f["in_cone"] and 8 < f["x"] < 632
                  and 8 < f["y"] < 352]
        peaks = {state: [_peak(frames[f["index"]].image, f["x"], f["y"]) for f in inside
                         if entry["states"][f["index"]] == state]
                 for state in ("on", "off_axis", "dark")}
        if not all(peaks.values()):
            continue
        dark = np.median(peaks["dark"])
        if dark >= 250:  # already clipped with the rings dark (the lamp's image in a chrome
            continue     # screw head's dome around the lens): no ring can add to it there
        on_minus_dark += [p - dark for p in peaks["on"]]
        if min(f["distance_mm"] for f in inside) > 500:
            contrast.append(np.median(peaks["on"]) - np.median(peaks["off_axis"]))
    assert len(on_minus_dark) >= 10 and len(contrast) >= 2
    assert np.mean(np.asarray(on_minus_dark) > 40) >= 0.8
    # All but the faintest: train1034's screw-head lens at 1.9 m hardly glints at all.
    assert np.mean(np.asarray(contrast) > 100) >= 0.9


def test_an_always_on_led_in_view_outshines_its_surroundings_in_the_dark_frames(truths):
    """Training block: an LED the truth lists in view is there to be seen: with both rings dark
    its pixels clip (an indicator LED is far brighter than the camera's full scale) in most of
    the dark frames it is well inside, every one of them. The truth lists an LED in view only
    in the frames it is in the camera's line of sight (``bench.raytrace.sight``): train1119's
    two LEDs and train1019's infrared one, behind chrome pipes, project inside every frame and
    read as the pipe; listed in view by their projection alone, they failed this."""
    shown, frames_seen = [], 0
    for entry in truths["train"]:
        for led in entry["ir_emitters"] + entry["visible_leds"]:
            dark = [f for f in led["frames"] if entry["states"][f["index"]] == "dark"
                    and 6 < f["x"] < 633 and 6 < f["y"] < 353]
            if len(dark) < 2:
                continue
            peaks = []
            for f in dark:
                image = cv2.imread(str(DATA / "train" / entry["name"] / f"{f['index']:06d}.png"))
                x, y = int(round(f["x"])), int(round(f["y"]))
                peaks.append(int(image[y - 2:y + 3, x - 2:x + 3].max()))
            frames_seen += len(peaks)
            shown.append(np.mean(np.asarray(peaks) >= 250))
    assert len(shown) >= 8 and frames_seen >= 30
    assert np.median(shown) == 1.0 and min(shown) >= 0.5


#: How far (px at 640 px width) the renderer spreads a point's veiling glare (its
#: halo is cut there, ``bench.raytrace.sensor.GLARE_REACH_PX``; docs/raytraced.md).
GLARE_REACH_PX = 24


def beside_another(frame: dict, led: dict, leds: list) -> bool:
    """Whether another LED lies within the glare's reach of ``led`` in this truth frame: a bright
    neighbour's veiling glare (24 px) tints the halo an LED's colour is read in (train1123's
    and train1131's red LEDs, 18 px from a 940 nm one, read 0.28 and 0.5)."""
    return any(np.hypot(frame["x"] - g["x"], frame["y"] - g["y"]) <= GLARE_REACH_PX
               for other in leds if other is not led for g in other["frames"]
               if g["index"] == frame["index"])


def test_leds_read_in_their_own_colour(truths):
    """Training block: through the NoIR camera an 850/940 nm LED reads near-white and a visible
    LED in its own colour, in the rim and glare halo around its clipped core (its core reads
    white whatever its colour), with both rings dark."""
    seen = {"infrared": [], "visible": []}
    for entry in truths["train"]:
        leds = entry["ir_emitters"] + entry["visible_leds"]
        for led in leds:
            rows = []
            for f in led["frames"]:
                if entry["states"][f["index"]] != "dark" or beside_another(f, led, leds):
                    continue
                # the noise-free PNG: colour is the rendered light's, not the noise's
                image = cv2.imread(str(DATA / "train" / entry["name"] / f"{f['index']:06d}.png"))
                rows.append(glow_excess_bgr(image, [f["x"]], [f["y"]])[0])
            glow = balance(np.array(rows)) if rows else float("nan")
            if not np.isnan(glow):
                seen["infrared" if led["infrared"] else "visible"].append(glow)
    assert len(seen["infrared"]) >= 5 and len(seen["visible"]) >= 5
    # Every infrared LED well above the cue's 0.25: 0.80 and over, the lesser of blue and red
    # over the strongest (green, the weakest at 850 nm, had read 0.44-0.59 over it at six).
    assert min(seen["infrared"]) > 0.6
    # All but five: train1119's red LED, behind a chrome pipe, is no longer listed in view; two
    # red LEDs on a ceiling vent's slats (train1135, 0.24; train1139, 0.33), whose glare halo
    # the slats beside them cut to a pixel's rim, read too little red over their surroundings
    # to tell (the colour cue takes train1139's for infrared: a needless look, not a miss);
    # two blue LEDs of the second general block (train1239 on a vent, 0.45; train1285 on a USB
    # charger, 0.59), not yet studied, read near-white: infrared alerts, needless looks; and
    # train1307's dim red LED on a vent (only its red channel clips), 30 px from an 850 nm LED
    # under a bright lamp, 0.36 over two dark frames (third LED block; docs/optics-log.md, "What
    # the third LED training block shows").
    visible = np.asarray(seen["visible"])
    assert np.mean(visible < 0.2) >= 0.9 and np.sum(visible >= 0.2) <= 5
