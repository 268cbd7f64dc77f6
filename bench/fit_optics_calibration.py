"""Fit the optics confidence model and write ``optics/calibration.json``.

    python -m bench.fit_optics_calibration [--scans 300] [--first-seed 0] [--jobs 2]

Films randomised simulated scans (``hardware.sim.optics_scenes``, the benchmark's scene model) with
seeds ``first-seed .. first-seed + scans - 1``, which must stay below the benchmark's first
seed (``bench.optics.FIRST_SEED``) so the benchmark only ever scores scans the model has not
seen. Each scan is 16-48 frames long (drawn from its seed): how many times a glint came back
depends on how long the scan was, and the confidence must mean the same for a short
recorded capture as for a full scan. Every track the pipeline can score is labelled by the scene's truth (at a lens, at an
LED, or neither) and each kind's logistic model (``optics.scoring`` terms) is fitted by
L2-regularised maximum likelihood (Newton's method). The confidence is then a probability
per track: ``ansim bench optics`` prints how often findings in each band were real.

Re-run it whenever the pipeline's measurements or the scoring terms change.
"""

import argparse
import json
from multiprocessing import Pool

import cv2
import numpy as np

from bench.optics import FIRST_SEED, simulate_scan
from hardware.sim import optics_truth
from optics.fitting import fit_logistic, log_loss
from optics.pipeline import GlintPipeline
from optics.scoring import CALIBRATION_PATH, TERMS, ir_emitter_terms, lens_terms

MIN_FRAMES, MAX_FRAMES = 16, 48


def scan_length(seed: int) -> int:
    return int(np.random.default_rng([seed, 48]).integers(MIN_FRAMES, MAX_FRAMES + 1))


def labelled_tracks(seed: int, n_frames: int):
    """One scan's scored tracks: (lens terms, IR-emitter terms, label) with label 'lens',
    'emitter' or 'other' by what the scene holds where the track is."""
    cv2.setNumThreads(1)
    pipeline = GlintPipeline()
    scene, _, camera, frames, _ = simulate_scan(seed, n_frames, pipeline)
    poses = [f.pose for f in frames]
    rows = []
    for finding in pipeline.scored_tracks():
        kinds = optics_truth.surfaces_at(finding, scene, poses, camera)
        label = ("lens" if "lens" in kinds
                 else "emitter" if kinds & set(optics_truth.EMITTERS) else "other")
        features = finding.features["features"]
        rows.append((lens_terms(features, pipeline.scale),
                     ir_emitter_terms(features, pipeline.scale), label))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--out", default=str(CALIBRATION_PATH))
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.scans)
    if seeds.stop > FIRST_SEED:
        parser.error(f"seeds must stay below the benchmark's first seed, {FIRST_SEED}")
    with Pool(args.jobs) as pool:
        per_scan = pool.starmap(labelled_tracks, [(seed, scan_length(seed)) for seed in seeds])
    rows = [row for scan in per_scan for row in scan]
    labels = np.array([label for _, _, label in rows])
    out = {"fitted_by": "bench/fit_optics_calibration.py",
           "seeds": [seeds.start, seeds.stop - 1],
           "frames_per_scan": [MIN_FRAMES, MAX_FRAMES],
           "tracks": len(rows)}
    for kind, column, positive in (("lens", 0, labels == "lens"),
                                   ("ir_emitter", 1, labels == "emitter")):
        terms = np.array([row[column] for row in rows])
        weights = fit_logistic(terms, positive)
        out[kind] = {"positives": int(positive.sum()),
                     "log_loss": round(log_loss(terms, positive, weights), 4),
                     "weights": {name: round(float(w), 4)
                                 for name, w in zip(TERMS[kind], weights)}}
        print(f"{kind}: {int(positive.sum())} of {len(rows)} tracks, log loss "
              f"{out[kind]['log_loss']}")
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
