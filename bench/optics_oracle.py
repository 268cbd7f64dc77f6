"""How much of the ray-traced misses is registration: the pipeline run on the TRAINING block
with its own registration, and again with the truth's.

``python -m bench.optics_oracle [--block data/raytraced/train]``
``python -m bench.optics_oracle --strays [--jobs 2]``

For each capture of the block it prints
- **registration error at the lens**: the lens's position in the first lit frame that shows
  it, carried through the pipeline's canvas into every other frame, against where the truth
  puts it there (px at 640 px width; median and 80th percentile). A track's level is measured
  within a pixel or two of its canvas point, so errors above ~2 px split or lose a glint;
- **recall and false lens alarms twice**: with the pipeline's registration, and with the
  truth's (each frame's homography onto frame 0 of the plane through the lens parallel to the
  wall or ceiling, from the camera poses in ``truth.json``; for a capture without a lens, the
  surface itself). The second run says what a perfect registration of the lens's plane would
  leave to the later steps.

With ``--strays`` it runs the registration alone and prints one JSON object over the block:
every lens and LED of a capture is a point fixed in the scene (on the wall or on a fixture
standing a few cm off it); carried through the pipeline's frame-to-canvas transforms, its
**stray** in a frame is its distance from the median of its canvas positions over the frames
it is in the image (px at the capture's width). A track joins a point's detections within a
few pixels (``optics.tracks.JOIN_RADIUS_PX``), so a stray of more than that splits it. The
object gives the strays' percentiles over all points and frames, how many captures have a
point astray by more than 3, 5 and 10 px, and the worst captures.

This is a tool for reading failures, so it runs on a TRAINING block only and refuses the
benchmark block (``bench.raytrace.seeds``: the benchmark's captures are never read for tuning).
"""

import argparse
import json
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

from bench import optics_raytraced
from bench.optics import DATA_DIR
from bench.raytrace.camera import HEIGHT_PX, WIDTH_PX, Pose, project, ray_through
from optics.candidates import to_gray8
from optics.pipeline import GlintPipeline
from optics.registration import Registrar, apply, registration_image

STRAY_LIMITS_PX = (3.0, 5.0, 10.0)
WORST_LISTED = 10


def _pose(entry_pose: dict) -> Pose:
    return Pose(*(np.asarray(entry_pose[k], float)
                  for k in ("location", "direction", "right", "up")))


def truth_homographies(entry: dict) -> list[np.ndarray]:
    """Per frame, the homography taking its pixels onto frame 0's for points on the plane
    through the (first) lens parallel to the surface (the world's z = const; the surface is
    z = 0 in the scene code's coordinates)."""
    poses = [_pose(p) for p in entry["camera"]["poses"]]
    depth_mm = entry["lenses"][0]["position_mm"][2] if entry["lenses"] else 0.0
    corners = [(0.0, 0.0), (WIDTH_PX - 1.0, 0.0), (WIDTH_PX - 1.0, HEIGHT_PX - 1.0),
               (0.0, HEIGHT_PX - 1.0)]
    homographies = []
    for pose in poses:
        onto_first = []
        for x, y in corners:
            ray = ray_through(pose, x, y)
            point = pose.location + ray * (depth_mm - pose.location[2]) / ray[2]
            onto_first.append(project(point, poses[0]))
        homographies.append(cv2.getPerspectiveTransform(np.float32(corners),
                                                        np.float32(onto_first)))
    return homographies


class TruthRegistrar:
    """Stands in for ``optics.registration.Registrar``: hands out the truth's transforms."""

    def __init__(self, homographies):
        self._homographies = iter(homographies)

    def register(self, image) -> np.ndarray:
        return next(self._homographies)


def own_transforms(frames) -> list[np.ndarray]:
    """Each frame's frame-to-canvas transform by the pipeline's registration."""
    registrar = Registrar()
    return [registrar.register(registration_image(to_gray8(f.image))) for f in frames]


def registration_error_px(frames, entry: dict) -> np.ndarray:
    """The pipeline's canvas error at the first lens, per frame showing it (see module doc)."""
    to_canvas = own_transforms(frames)
    truth = {f["index"]: f for f in entry["lenses"][0]["frames"]}
    lit = [k for k in sorted(truth) if frames[k].on_axis > 0.5 or frames[k].off_axis > 0.5]
    if not lit:
        return np.array([])
    first = lit[0]
    canvas = apply(to_canvas[first], truth[first]["x"], truth[first]["y"])
    errors = []
    for k in sorted(truth):
        if k != first:
            x, y = apply(np.linalg.inv(to_canvas[k]), *canvas)
            errors.append(np.hypot(x - truth[k]["x"], y - truth[k]["y"]))
    return np.array(errors)


def fixed_points(entry: dict) -> list[dict]:
    """The capture's lenses and LEDs: each a point fixed in the scene."""
    return entry.get("lenses", []) + entry.get("ir_emitters", []) + entry.get("visible_leds", [])


def strays(entry: dict, transforms: list[np.ndarray], width_px: int, height_px: int) -> list:
    """Each fixed point's stray (px) in each frame it is in the image, under ``transforms``
    (one frame-to-canvas homography per frame); a point in the image in one frame only has
    none."""
    found = []
    for point in fixed_points(entry):
        seen = [f for f in point["frames"]
                if 0 <= f["x"] < width_px and 0 <= f["y"] < height_px]
        if len(seen) < 2:
            continue
        canvas = np.array([apply(transforms[f["index"]], f["x"], f["y"]) for f in seen])
        found += np.hypot(*(canvas - np.median(canvas, axis=0)).T).tolist()
    return found


def capture_strays(block_dir: Path, entry: dict) -> dict:
    frames = optics_raytraced.capture_frames(block_dir, entry)
    height, width = frames[0].image.shape[:2]
    return {"name": entry["name"],
            "strays_px": strays(entry, own_transforms(frames), width, height)}


def summarise_strays(rows: list[dict]) -> dict:
    every = np.concatenate([r["strays_px"] for r in rows if r["strays_px"]])
    worst = {r["name"]: max(r["strays_px"], default=0.0) for r in rows}
    return {
        "captures": len(rows),
        "point_frames": int(every.size),
        "stray_px_percentiles": {str(q): round(float(np.percentile(every, q)), 2)
                                 for q in (50, 90, 99)},
        "captures_astray": {f">{limit:g}px": sum(w > limit for w in worst.values())
                            for limit in STRAY_LIMITS_PX},
        "worst": [{"capture": name, "stray_px": round(value, 1)}
                  for name, value in sorted(worst.items(), key=lambda kv: -kv[1])[:WORST_LISTED]],
    }


def scored(frames, entry: dict, registrar=None) -> dict:
    pipeline = GlintPipeline()
    if registrar is not None:
        pipeline.registrar = registrar
    for f in frames:
        pipeline.push(f.index, f.image, f.exposure_us, f.on_axis, f.off_axis)
    return optics_raytraced.score_capture(entry, pipeline.findings(), frames[0].image.shape[1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--block", default=str(DATA_DIR / "train"))
    parser.add_argument("--strays", action="store_true",
                        help="the registration alone: its strays over the block, as JSON")
    parser.add_argument("--jobs", type=int, default=1,
                        help="worker processes for --strays (default 1)")
    args = parser.parse_args(argv)
    block_dir = Path(args.block)
    if block_dir.resolve().name != "train":
        parser.error("reads failures, so a training block only (.../train)")
    if args.strays:
        entries = optics_raytraced.read_block(block_dir)
        with Pool(args.jobs) as pool:
            rows = pool.starmap(capture_strays, [(block_dir, entry) for entry in entries])
        print(json.dumps(summarise_strays(rows), indent=1))
        return 0
    totals = {"own": [0, 0, 0], "truth": [0, 0, 0]}  # in-cone lenses, found, false alarms
    for entry in optics_raytraced.read_block(block_dir):
        frames = optics_raytraced.capture_frames(block_dir, entry)
        line = entry["name"][:40].ljust(41)
        if entry["lenses"]:
            errors = registration_error_px(frames, entry)
            if len(errors):
                line += (f"lens registration error median {np.median(errors):5.1f} "
                         f"p80 {np.percentile(errors, 80):5.1f} px  ")
        for label, registrar in (("own", None),
                                 ("truth", TruthRegistrar(truth_homographies(entry)))):
            score = scored(frames, entry, registrar)
            in_cone = [lens for lens in score["lenses"] if lens["in_cone"]]
            found = sum(lens["found"] for lens in in_cone)
            for i, n in enumerate((len(in_cone), found, score["false_lens_alarms"])):
                totals[label][i] += n
            line += f"{label}: {found}/{len(in_cone)} found, {score['false_lens_alarms']} false  "
        print(line.rstrip())
    for label, (n, found, false) in totals.items():
        print(f"{label} registration: {found}/{n} in-cone lenses found, {false} false lens alarms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
