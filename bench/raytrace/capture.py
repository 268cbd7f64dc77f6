"""One ray-traced capture from its spec: the place and the handheld's walk, the frames through the
NoIR camera model, the ``ansim-capture/1`` directory and its truth entry.

Frames are written as ``bgr8`` PNGs (linear, gamma 1): the NoIR camera's colour is what tells an
850/940 nm glow (near-white/magenta) from a visible indicator LED (its own colour). Readers that
want grey convert with the camera's luma, as ``optics.candidates`` does.

The PNGs hold the noise-free exposure and ``capture.json`` names the sensor's noise model and
seed (``sensor_noise``, docs/capture-format.md): the reader adds the same shot, read and
pixel-gain noise on every load. Noisy PNGs hardly compress (5 MB a capture in colour, against
about 0.4 MB clean), and the repository keeps about fifty captures.
"""

import csv
import json
from pathlib import Path

import cv2
import numpy as np

from bench.raytrace import sensor
from bench.raytrace.camera import (EXPOSURE_US, FRAME_RATE_HZ, HEIGHT_PX, HFOV_DEG, MODEL,
                                   WIDTH_PX, in_frame, project, walk)
from bench.raytrace.objects import Emitter, Prop, SpyLens
from bench.raytrace.place import Place, build_place, remove_object
from bench.raytrace.seeds import CaptureSpec, handheld_line
from bench.raytrace.sight import in_sight

FORMAT = "ansim-capture/1"
HEADER = ["index", "file", "timestamp_s", "exposure_us", "on_axis", "off_axis"]
BANDS_DEG = ((0, 10), (10, 15), (15, 20), (20, 25), (25, 30), (30, 90))


def band_of(angle_deg: float) -> str:
    for lo, hi in BANDS_DEG:
        if lo <= angle_deg < hi:
            return f"{lo}-{hi}" if hi < 90 else f"{lo}+"
    return "30+"


def scene_of(spec: CaptureSpec) -> tuple[Place, list, list[float]]:
    """(place, one pose per frame, the lamp's level per frame) for ``spec``: a frame per ring
    state of its code."""
    n_frames = len(spec.states)
    rng = np.random.default_rng([spec.seed, 1])
    place = build_place(rng, spec.housing, with_lens=True, lens_tilt_deg=spec.tilt_deg,
                        lamp_level=spec.lamp_level, flicker_hz=spec.flicker_hz,
                        n_distractors=spec.n_distractors, leds=spec.leds)
    lens = place.lens
    toward, slide = handheld_line(spec, lens.axis, rng)
    target = lens.ball_front_mm
    poses = walk(rng, target, target + toward * spec.distance_mm, slide, spec.start_px,
                 spec.end_px, n_frames)
    if not spec.has_lens:
        place = remove_object(place, lens.id)
    exposure_s = EXPOSURE_US * 1e-6
    levels = [place.lamp.level_at(k / FRAME_RATE_HZ, exposure_s) for k in range(n_frames)]
    return place, poses, levels


def truth_entry(spec: CaptureSpec, place: Place, poses: list, levels: list[float],
                sight: dict) -> dict:
    """The capture's ground truth (the fields of optics-dev's truth.json, and more). An LED's
    ``frames`` are those it is in view in: inside the frame and in the camera's line of sight
    (``sight``: ``bench.raytrace.sight.sight_shares`` of the capture); ``hidden_frames`` those
    it projects inside the frame but something stands between it and the camera."""
    def r(v, n=2):
        return [round(float(x), n) for x in v]

    lenses = []
    for lens in [o for o in place.objects if isinstance(o, SpyLens)]:
        frames = []
        for k, pose in enumerate(poses):
            xy = project(lens.ball_front_mm, pose)
            if not in_frame(xy):
                continue
            to_camera = pose.location - lens.ball_front_mm
            distance = float(np.linalg.norm(to_camera))
            angle = float(np.degrees(np.arccos(np.clip(np.dot(lens.axis, to_camera / distance),
                                                       -1, 1))))
            frames.append({"index": k, "x": round(xy[0], 2), "y": round(xy[1], 2),
                           "distance_mm": round(distance, 1),
                           "off_axis_angle_deg": round(angle, 2),
                           "in_cone": angle <= lens.acceptance_deg, "band": band_of(angle)})
        lenses.append({"id": lens.id, "housing": lens.housing,
                       "aperture_mm": round(lens.aperture_mm, 3),
                       "ball_lens_diameter_mm": round(lens.ball_mm, 3),
                       "hole_diameter_mm": round(lens.hole_mm, 3),
                       "position_mm": r(lens.ball_front_mm), "axis": r(lens.axis, 4),
                       "acceptance_half_angle_deg": round(lens.acceptance_deg, 2),
                       "cap_reflectance": round(lens.cap_reflectance, 3), "frames": frames})
    leds = [_led_entry(e, poses, sight) for e in place.emitters]
    points = [_points_entry(o, poses) for o in place.objects
              if isinstance(o, (Prop, Emitter)) and o.points()]
    kinds = {o.kind for o in place.objects if isinstance(o, Prop)}
    kinds |= {place.surface} | ({"indicator_led"} if leds else set())
    return {
        "name": spec.name, "role": spec.role, "seed": spec.seed, "has_lens": spec.has_lens,
        "n_frames": len(poses), "housing": spec.housing, "surface": place.surface,
        "on_ceiling": place.on_ceiling, "states": [str(v) for v in spec.states],
        "lamp_level": round(spec.lamp_level, 4), "flicker_hz": spec.flicker_hz,
        "flicker_level": [round(v / spec.lamp_level, 4) for v in levels],
        "lenses": lenses, "distractors": sorted(kinds),
        "ir_emitters": [e for e in leds if e["infrared"]],
        "visible_leds": [e for e in leds if not e["infrared"]],
        "distractor_points": points,
        "camera": {"hfov_deg": HFOV_DEG, "width": WIDTH_PX, "height": HEIGHT_PX, "model": MODEL,
                   "poses": [p.to_dict() for p in poses]},
    }


def _points_entry(obj, poses) -> dict:
    point = obj.points()[0]
    frames = []
    for k, pose in enumerate(poses):
        xy = project(point["position_mm"], pose)
        if in_frame(xy):
            frames.append({"index": k, "x": round(xy[0], 2), "y": round(xy[1], 2)})
    return {"kind": point["kind"], "position_mm": [round(float(v), 2) for v in
                                                   point["position_mm"]],
            "radius_mm": round(float(point["radius_mm"]), 2), "frames": frames}


def _led_entry(led: Emitter, poses, sight: dict) -> dict:
    """An LED's truth: its points entry with only the frames it is in sight in, and the frames
    it is hidden in."""
    entry = _points_entry(led, poses)
    seen = [f for f in entry["frames"] if in_sight(sight, led, f["index"])]
    hidden = [f["index"] for f in entry["frames"] if not in_sight(sight, led, f["index"])]
    return entry | {"frames": seen, "hidden_frames": hidden, "colour": led.colour,
                    "infrared": led.is_ir, "always_on": True, "radiance": round(led.radiance, 2)}


def write_capture(path: Path, spec: CaptureSpec, linear_frames: list[np.ndarray],
                  truth: dict) -> None:
    """The ``ansim-capture/1`` directory (bgr8 PNGs) and its ``truth.json`` entry."""
    path.mkdir(parents=True)
    meta = {"format": FORMAT, "width": WIDTH_PX, "height": HEIGHT_PX, "pixel_format": "bgr8",
            "simulated": "ray-traced (POV-Ray 3.7)", "seed": spec.seed, "role": spec.role,
            "sensor_noise": sensor.noise_spec(spec.seed)}
    (path / "capture.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")
    with open(path / "frames.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for k, (state, linear) in enumerate(zip(spec.states, linear_frames)):
            name = f"{k:06d}.png"
            image = sensor.clean_exposure(sensor.glare(linear))
            if not cv2.imwrite(str(path / name), image, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
                raise OSError(f"{path / name}: could not be written")
            writer.writerow([k, name, f"{k / FRAME_RATE_HZ:.6f}", EXPOSURE_US,
                             int(state == "on"), int(state == "off_axis")])
    (path / "truth.json").write_text(json.dumps(truth) + "\n", encoding="utf-8")
