"""``python -m bench.optics_registration``: how well the registration holds scene points still,
measured on the ray-traced TRAINING block against its truth.

Every lens and LED of a capture is a point fixed in the scene (on the wall or on a fixture
standing a few cm off it); ``truth.json`` gives its pixel in each frame. Carried through the
pipeline's frame-to-canvas transforms (``optics.registration.Registrar``, as ``GlintPipeline``
runs it), a fixed point should land on one canvas point in every frame. Its **stray** in a
frame is its distance from the median of its canvas positions over the frames it is in the
image (px at the capture's width). A track joins a point's detections within a few pixels
(``optics.tracks.JOIN_RADIUS_PX``), so a stray of more than that splits it.

Prints one JSON object: the strays' percentiles over all points and frames, how many captures
have a point astray by more than 3, 5 and 10 px, and the worst captures. Training material
only (the script refuses any other block): read its failures, change the registration on them.
"""

import argparse
import json
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from bench.optics import DATA_DIR
from bench.optics_raytraced import capture_frames, read_block
from optics.pipeline import to_gray8
from optics.registration import Registrar, apply, registration_image

STRAY_LIMITS_PX = (3.0, 5.0, 10.0)
WORST_LISTED = 10


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
    frames = capture_frames(block_dir, entry)
    registrar = Registrar()
    transforms = [registrar.register(registration_image(to_gray8(f.image))).copy()
                  for f in frames]
    height, width = frames[0].image.shape[:2]
    return {"name": entry["name"], "strays_px": strays(entry, transforms, width, height)}


def summarise(rows: list[dict]) -> dict:
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--block", default=str(DATA_DIR / "train"),
                        help="the ray-traced training block (default data/raytraced/train)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args(argv)
    block_dir = Path(args.block)
    if block_dir.resolve().name != "train":
        parser.error("the registration is measured on a training block (.../train) only")
    entries = read_block(block_dir)
    with Pool(args.jobs) as pool:
        rows = pool.starmap(capture_strays, [(block_dir, entry) for entry in entries])
    print(json.dumps(summarise(rows), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
