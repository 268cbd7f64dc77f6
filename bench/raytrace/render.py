"""Render the ray-traced captures: ``python -m bench.raytrace.render [--role train|bench|all]``.

Writes ``data/raytraced/<role>/<name>/`` (an ``ansim-capture/1`` directory holding its own
``truth.json`` entry) and ``data/raytraced/<role>/truth.json`` (every entry of the block, the
file readers use). Captures already present are kept unless ``--force``; a capture is written
to a temporary directory and renamed when whole, so an interrupted run leaves no half capture.
Needs Debian's ``povray`` (3.7); tests and benchmarks read the cached captures and need none.

Which seeds train and which benchmark is fixed in ``bench.raytrace.seeds``; the benchmark block
must never be tuned on.
"""

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import zip_longest
from pathlib import Path

from bench.raytrace.capture import scene_of, truth_entry, write_capture
from bench.raytrace.povray import povray_available, render_frames
from bench.raytrace.seeds import BENCH_SEEDS, TRAIN_SEEDS, spec_for

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data" / "raytraced"


def render_one(seed: int, out_root: Path, force: bool) -> str:
    spec = spec_for(seed)
    final = out_root / spec.role / spec.name
    if final.is_dir() and (final / "truth.json").is_file() and not force:
        return f"{spec.name}: kept"
    start = time.monotonic()
    place, poses, levels = scene_of(spec)
    frames = render_frames([(place, pose, state, level)
                            for pose, state, level in zip(poses, spec.states, levels)])
    partial = out_root / spec.role / f".{spec.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    write_capture(partial, spec, frames, truth_entry(spec, place, poses, levels))
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    return f"{spec.name}: {time.monotonic() - start:.0f} s"


def write_index(role_dir: Path) -> int:
    """``truth.json`` of a block: the entries of every whole capture in it, by name."""
    entries = [json.loads((d / "truth.json").read_text(encoding="utf-8"))
               for d in sorted(role_dir.iterdir())
               if d.is_dir() and not d.name.startswith(".") and (d / "truth.json").is_file()]
    (role_dir / "truth.json").write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")
    return len(entries)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["train", "bench", "all"], default="all")
    parser.add_argument("--seeds", type=int, nargs="*", help="only these seeds")
    parser.add_argument("--jobs", type=int, default=2, help="parallel renderers (one core each)")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--force", action="store_true", help="render captures already present")
    args = parser.parse_args(argv)
    if not povray_available():
        print("povray (3.7) is not installed: apt-get install povray", file=sys.stderr)
        return 2
    train = list(TRAIN_SEEDS) if args.role in ("train", "all") else []
    bench = list(BENCH_SEEDS) if args.role in ("bench", "all") else []
    # interleaved (two benchmark captures to one training capture), so both blocks grow
    seeds = args.seeds or [s for group in zip_longest(bench[0::2], bench[1::2], train)
                           for s in group if s is not None]
    roles = {spec_for(s).role for s in seeds}
    for role in roles:
        (args.out / role).mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for message in pool.map(render_one, seeds, [args.out] * len(seeds),
                                [args.force] * len(seeds)):
            print(message, flush=True)
            for role in roles:
                write_index(args.out / role)
    return 0


if __name__ == "__main__":
    os.nice(10)
    sys.exit(main())
