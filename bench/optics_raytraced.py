"""Scoring the pipeline on ray-traced captures against their ``truth.json``.

The captures (``data/raytraced/<block>/``) are rendered by POV-Ray from scene code in
``bench/raytrace``: real cat's-eye optics behind holes and in fixtures, chrome, tiles, water,
LEDs. Which block a capture belongs to is fixed by its seed (``bench.raytrace.seeds``): the
``train`` block is for fitting and looking at failures, the ``bench`` block only for the
headline figures, ``optics-dev`` for development.

What counts:
- an **in-cone lens** is one that is in the image and inside its acceptance cone in at least
  ``MIN_LIT_FRAMES`` of the frames lit by the on-axis ring only (the only frames in which it
  can glint; a lens that crosses its cone's edge during the scan counts if it glints that
  often). It is **found** when a ``lens`` finding lies within ``MATCH_RADIUS_PX`` of it in the
  finding's frame. Lenses glinting in fewer lit frames are reported apart (out of cone), and a
  finding on one is neither a hit nor a false alarm;
- its **cone band** is its median angle off its axis over the frames it is in view;
- a **false lens alarm** is a ``lens`` finding at no lens;
- an always-on **LED** (infrared or visible) in the image in at least ``MIN_LED_FRAMES``
  frames is found when a glow finding (``ir_emitter`` or
  ``visible_led``) lies at it; its kind is right when an infrared LED is an ``ir_emitter``
  and a visible one a ``visible_led``; a glow finding at no LED is a false glow;
- a **visible-LED alert** is an ``ir_emitter`` finding (an alert) at a visible LED, whatever
  else is reported there; an **infrared LED taken for visible** a ``visible_led`` finding
  (information) at an infrared LED with no ``ir_emitter`` there: the first costs the
  inspector a needless look, the second a night-vision camera's alert.
"""

import json
from pathlib import Path

import numpy as np

from hardware.camera.capture_dir import load_frames
from optics.pipeline import analyze_frames

MATCH_RADIUS_PX = 4.0  # at 640 px width
MIN_LIT_FRAMES = 2
MIN_LED_FRAMES = 4  # an LED counts when it is in the image in at least this many frames
GLOW_KINDS = ("ir_emitter", "visible_led")
BANDS_DEG = ((0, 10), (10, 15), (15, 20), (20, 25), (25, 30), (30, 180))


def band_of(angle_deg: float) -> str:
    for low, high in BANDS_DEG:
        if low <= angle_deg < high:
            return f"{low}-{high}" if high < 180 else f"{low}+"
    return "unknown"


def read_block(block_dir: Path) -> list[dict]:
    """The truth entries of a block (its ``truth.json``), or [] when it is not there."""
    truth_path = block_dir / "truth.json"
    if not truth_path.is_file():
        return []
    return json.loads(truth_path.read_text(encoding="utf-8"))


def capture_frames(block_dir: Path, entry: dict):
    return load_frames(block_dir / entry["name"])


def _lit_frames(entry: dict) -> set[int]:
    """Frames lit by the on-axis ring only, from the capture's truth (its ring states)."""
    return {k for k, state in enumerate(entry.get("states", [])) if state == "on"}


def lens_status(entry: dict, lens: dict) -> dict:
    """Whether a lens of the truth counts as in-cone, and its cone band."""
    lit = _lit_frames(entry)
    glinting = [f for f in lens["frames"] if f["in_cone"] and f["index"] in lit]
    angles = [f["off_axis_angle_deg"] for f in lens["frames"]]
    median_deg = float(np.median(angles)) if angles else float("nan")
    in_cone = len(glinting) >= MIN_LIT_FRAMES
    return {"in_cone": in_cone,
            "partial": in_cone and len(glinting) < len(lit),  # out of cone or view at times
            "band": band_of(median_deg) if angles else "out_of_view"}


def at(point: dict, finding, scale: float) -> bool:
    """Whether ``finding`` lies at a truth point (a lens or an LED) in the finding's frame."""
    truth = {f["index"]: f for f in point["frames"]}.get(finding.frame)
    return truth is not None and np.hypot(truth["x"] - finding.x,
                                          truth["y"] - finding.y) <= MATCH_RADIUS_PX * scale


def scored_capture(block_dir: Path, entry: dict) -> dict:
    """One capture of a block through the batch pipeline, scored (``score_capture``)."""
    frames = capture_frames(block_dir, entry)
    return score_capture(entry, analyze_frames(frames), frames[0].image.shape[1])


def score_capture(entry: dict, findings, width_px: int) -> dict:
    """One capture's findings against its truth entry."""
    scale = width_px / 640.0
    lenses = [{**lens_status(entry, lens), "housing": lens.get("housing", "unknown"),
               "found": any(f.kind == "lens" and at(lens, f, scale) for f in findings)}
              for lens in entry["lenses"]]
    leds = [{"infrared": True, **led} for led in entry.get("ir_emitters", [])]
    leds += [{"infrared": False, **led} for led in entry.get("visible_leds", [])]
    led_rows = []
    for led in [led for led in leds if len(led["frames"]) >= MIN_LED_FRAMES]:
        glows = [f for f in findings if f.kind in GLOW_KINDS and at(led, f, scale)]
        right_kind = "ir_emitter" if led["infrared"] else "visible_led"
        kinds = {f.kind for f in glows}
        led_rows.append({"infrared": led["infrared"], "colour": led.get("colour"),
                         "found": bool(glows), "kind_right": right_kind in kinds,
                         "alert": "ir_emitter" in kinds,
                         "wrong_kind_only": bool(kinds) and right_kind not in kinds})
    false_lens = [f for f in findings
                  if f.kind == "lens" and not any(at(lens, f, scale) for lens in entry["lenses"])]
    false_glow = [f for f in findings
                  if f.kind in GLOW_KINDS and not any(at(led, f, scale) for led in leds)]
    housing = entry.get("housing") or (entry["lenses"][0].get("housing") if entry["lenses"]
                                       else "no_lens")
    return {"name": entry["name"], "seed": entry.get("seed"), "housing": housing,
            "lenses": lenses, "leds": led_rows, "false_lens_alarms": len(false_lens),
            "false_glows": len(false_glow),
            "findings": [f.to_dict() for f in findings]}
