"""How much of the ray-traced misses is registration: the pipeline run on the TRAINING block
with its own registration, and again with the truth's.

``python -m bench.optics_oracle [--block data/raytraced/train]``

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

This is a tool for reading failures, so it runs on a TRAINING block only and refuses the
benchmark block (``bench.raytrace.seeds``: the benchmark's captures are never read for tuning).
"""

import argparse
from pathlib import Path

import cv2
import numpy as np

from bench import optics_raytraced
from bench.optics import DATA_DIR
from bench.raytrace.camera import HEIGHT_PX, WIDTH_PX, Pose, project, ray_through
from optics.candidates import to_gray8
from optics.pipeline import GlintPipeline
from optics.registration import Registrar, apply, registration_image

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


def registration_error_px(frames, entry: dict) -> np.ndarray:
    """The pipeline's canvas error at the first lens, per frame showing it (see module doc)."""
    registrar = Registrar()
    to_canvas = [registrar.register(registration_image(to_gray8(f.image))) for f in frames]
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
    args = parser.parse_args(argv)
    block_dir = Path(args.block)
    if block_dir.resolve().name != "train":
        parser.error("reads failures, so a training block only (.../train)")
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
