"""``ansim bench optics``: lens recall, false alarms per scan and time per frame.

Part 1 films randomised simulated scans (``hardware.sim.optics_scenes``: lenses of 1-3 mm at
0.3-1.5 m, inside and outside their cone, behind holes and in fixtures, among chrome, tiles,
droplets, screws, mirrors, indicator and IR LEDs and flickering lamps; exposure changes half
way through some scans; sensor noise, motion blur and the rolling shutter always) through
``detector.engine.scanning.run_scan`` and scores the findings against the scene's truth.
Part 2 runs the ray-traced optics-dev captures (made independently, with truth.json) through the
batch pipeline. Time per frame is the pipeline alone on 1280x720 frames, one OpenCV thread: the
median CPU time of the thread (immune to other jobs on the machine), and wall time.
"""

import itertools
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from detector.engine.scanning import run_scan
from hardware.camera.capture_dir import load_frames
from hardware.camera.simulated import SimulatedCamera
from hardware.clock import SimulatedClock
from hardware.gpio.illuminator import Illuminator
from hardware.gpio.pins import make_pin_factory
from hardware.sim import optics_truth
from hardware.sim.handheld import SimulatedHandheld
from hardware.sim.optics_scenes import ZONE, bench_scene
from optics.pipeline import GlintPipeline, analyze_frames

TIMED_SCANS = 6
FIRST_SEED = 1000  # bench scans do not overlap the seeds used to fit the calibration


def add_arguments(parser):
    parser.add_argument("--scans", type=int, default=100, help="simulated scans (default 100)")
    parser.add_argument("--frames", type=int, default=48, help="frames per scan (default 48)")
    parser.add_argument("--dev-data", default=None,
                        help="the optics-dev captures (default: data/raytraced/optics-dev)")


def run(args) -> int:
    cv2.setNumThreads(1)
    simulated = simulated_figures(args.scans, args.frames)
    dev = dev_figures(Path(args.dev_data) if args.dev_data else optics_truth.dev_data_dir())
    report = {**simulated, "optics_dev": dev}
    if args.json:
        print(json.dumps(report))
    else:
        _print_human(report)
    return 0


def simulate_scan(seed: int, n_frames: int, pipeline=None):
    """One randomised scan: (scene, info, camera, frames, outcome)."""
    scene, info = bench_scene(seed)
    clock = SimulatedClock()
    handheld = SimulatedHandheld(scene, clock, zone=ZONE)
    illuminator = Illuminator(17, 27, pin_factory=make_pin_factory(True), clock=clock)
    camera = SimulatedCamera(handheld, illuminator, seed=seed)
    change_at = n_frames // 2 if seed % 3 == 0 else None  # auto-exposure steps in some scans
    new_exposure_us = 4000.0 if seed % 2 else 12000.0
    frames = []

    def on_frame(frame, live):
        frames.append(frame)
        if change_at is not None and frame.index + 1 == change_at:
            camera.set_exposure_us(new_exposure_us)

    outcome = run_scan(camera, illuminator, n_frames=n_frames, on_frame=on_frame,
                       pipeline=pipeline)
    illuminator.close()
    return scene, info, camera, frames, outcome


def simulated_figures(n_scans: int, n_frames: int) -> dict:
    in_cone = found = out_cone = out_cone_found = 0
    false_alarms = lens_false = emitters = emitters_found = 0
    timing_frames, confidences = [], []
    tracks = {"lens": [], "ir_emitter": []}  # (predicted probability, really that kind)
    started = time.perf_counter()
    for k in range(n_scans):
        pipeline = GlintPipeline()
        scene, info, camera, frames, outcome = simulate_scan(FIRST_SEED + k, n_frames, pipeline)
        poses = [f.pose for f in frames]
        for track in pipeline.scored_tracks():
            kinds = optics_truth.surfaces_at(track, scene, poses, camera)
            tracks["lens"].append((track.features["lens"], "lens" in kinds))
            tracks["ir_emitter"].append((track.features["ir_emitter"],
                                         bool(kinds & set(optics_truth.EMITTERS))))
        truth = optics_truth.lens_truth(scene, poses, camera)
        verdicts = [optics_truth.classify_finding(f, scene, poses, camera)
                    for f in outcome.findings]
        confidences += [(f.confidence, v != "false") for f, v in zip(outcome.findings, verdicts)]
        found_any = any(v == "lens" for v in verdicts)
        for lens in truth:
            if lens["in_cone"]:
                in_cone += 1
                found += found_any
            elif lens["in_view"]:
                out_cone += 1
                out_cone_found += found_any
        false_alarms += verdicts.count("false")
        lens_false += sum(v == "false" and f.kind == "lens"
                          for f, v in zip(outcome.findings, verdicts))
        emitters += sum(s.kind == "ir_led" for s in scene.surfaces)
        emitters_found += verdicts.count("emitter")
        if k < TIMED_SCANS:
            timing_frames.append(frames)
    return {
        "scans": n_scans,
        "frames_per_scan": n_frames,
        "in_cone_lenses": in_cone,
        "recall": found / in_cone if in_cone else None,
        "out_of_cone_lenses": out_cone,
        "out_of_cone_found": out_cone_found,
        "false_alarms": false_alarms,
        "false_alarms_per_scan": false_alarms / n_scans,
        "lens_false_alarms": lens_false,
        "ir_leds": emitters,
        "emitter_findings_confirmed": emitters_found,
        "confidence_reliability": _reliability(confidences),
        "track_calibration": {kind: _calibration_table(pairs) for kind, pairs in tracks.items()},
        **_median_ms_per_frame(timing_frames),
        "simulation_s": round(time.perf_counter() - started, 1),
    }


def _median_ms_per_frame(scans) -> dict:
    """Median time per 1280x720 frame: CPU time of this thread (OpenCV runs single-threaded
    here, so this is one core's work whatever else the machine is doing) and wall time."""
    cpu, wall = [], []
    for frames in scans:
        pipeline = GlintPipeline()
        for k, f in enumerate(frames):
            start_cpu, start_wall = time.thread_time(), time.perf_counter()
            pipeline.push(f.index, f.image, f.exposure_us, f.on_axis, f.off_axis)
            if k == len(frames) - 1:  # the end-of-scan scoring counts too
                pipeline.findings()
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
    return {"ms_per_frame_720p": round(1000 * float(np.median(cpu)), 2),
            "ms_per_frame_720p_wall": round(1000 * float(np.median(wall)), 2)}


def _reliability(pairs) -> list[dict]:
    """Reported findings by confidence band, with the share that were real."""
    bands = [(0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    out = []
    for low, high in bands:
        inside = [real for c, real in pairs if low <= c < high]
        out.append({"confidence": f"{low:.1f}-{min(high, 1.0):.1f}", "findings": len(inside),
                    "real": round(float(np.mean(inside)), 3) if inside else None})
    return out


def _calibration_table(pairs) -> list[dict]:
    """Every scored track by predicted probability band: the mean prediction against the
    share that really were that kind (a calibrated model's two columns agree)."""
    edges = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001]
    predicted = np.array([p for p, _ in pairs])
    real = np.array([r for _, r in pairs], dtype=float)
    out = []
    for low, high in itertools.pairwise(edges):
        inside = (predicted >= low) & (predicted < high)
        out.append({"band": f"{low:.1f}-{min(high, 1.0):.1f}", "tracks": int(inside.sum()),
                    "predicted": round(float(predicted[inside].mean()), 3) if inside.any()
                    else None,
                    "observed": round(float(real[inside].mean()), 3) if inside.any()
                    else None})
    return out


def dev_figures(dev_dir: Path) -> dict:
    truth_path = dev_dir / "truth.json"
    if not truth_path.is_file():
        return {"skipped": f"{truth_path} not found"}
    entries = json.loads(truth_path.read_text())
    per_capture, times = [], []
    for entry in entries:
        frames = load_frames(dev_dir / entry["name"])
        start = time.perf_counter()
        findings = analyze_frames(frames)
        times.append((time.perf_counter() - start) / len(frames))
        per_capture.append(optics_truth.score_dev_capture(entry, findings))
    lenses = sum(c["lenses"] for c in per_capture)
    errors = [e for c in per_capture for e in c["centroid_error_px"]]
    return {
        "captures": len(per_capture),
        "recall": sum(c["lenses_found"] for c in per_capture) / lenses if lenses else None,
        "false_alarms": sum(c["false_alarms"] for c in per_capture),
        "false_alarms_per_capture": sum(c["false_alarms"] for c in per_capture) / len(per_capture),
        "ir_emitters_found": sum(c["ir_emitters_found"] for c in per_capture),
        "ir_emitters": sum(c["ir_emitters"] for c in per_capture),
        "centroid_error_px_median": round(float(np.median(errors)), 2) if errors else None,
        "centroid_error_px_max": round(float(np.max(errors)), 2) if errors else None,
        "ms_per_frame_640x360": round(1000 * float(np.median(times)), 2),
        "per_capture": [{k: v for k, v in c.items() if k != "centroid_error_px"}
                        for c in per_capture],
    }


def _print_human(report) -> None:
    r = report
    print(f"simulated scans: {r['scans']} x {r['frames_per_scan']} frames "
          f"({r['simulation_s']} s)")
    print(f"  in-cone lens recall: {r['recall']:.3f} ({r['in_cone_lenses']} lenses)")
    print(f"  out-of-cone lenses in view: {r['out_of_cone_lenses']}, "
          f"flagged anyway: {r['out_of_cone_found']}")
    print(f"  false alarms per scan: {r['false_alarms_per_scan']:.3f} "
          f"({r['false_alarms']} in all, {r['lens_false_alarms']} of them 'lens')")
    print(f"  IR LEDs: {r['ir_leds']}, steady-emitter findings confirmed: "
          f"{r['emitter_findings_confirmed']}")
    print(f"  pipeline time per 1280x720 frame (median, one core): "
          f"{r['ms_per_frame_720p']} ms CPU ({r['ms_per_frame_720p_wall']} ms wall)")
    for band in r["confidence_reliability"]:
        print(f"  reported findings, confidence {band['confidence']}: {band['findings']}, "
              f"real {band['real']}")
    for kind, table in r["track_calibration"].items():
        print(f"  calibration of the {kind} confidence over every scored track "
              f"(band: tracks, mean predicted, observed rate):")
        print("    " + "; ".join(f"{b['band']}: {b['tracks']}, {b['predicted']}, {b['observed']}"
                                 for b in table))
    dev = r["optics_dev"]
    if "skipped" in dev:
        print(f"optics-dev: skipped ({dev['skipped']})")
        return
    print(f"optics-dev ray-traced captures: {dev['captures']}")
    print(f"  lens recall {dev['recall']:.3f}, false alarms {dev['false_alarms']}, IR emitters "
          f"{dev['ir_emitters_found']}/{dev['ir_emitters']}, centroid error median "
          f"{dev['centroid_error_px_median']} px (max {dev['centroid_error_px_max']})")
    for c in dev["per_capture"]:
        print(f"  {c['name']}: lenses {c['lenses_found']}/{c['lenses']}, false alarms "
              f"{c['false_alarms']}, IR emitters {c['ir_emitters_found']}/{c['ir_emitters']}")
    sys.stdout.flush()
