"""Render the ray-traced captures: ``python -m bench.raytrace.render [--role train|bench|all]``.

Writes ``data/raytraced/<role>/<name>/`` (an ``ansim-capture/1`` directory holding its own
``truth.json`` entry) and ``data/raytraced/<role>/truth.json`` (every entry of the block, the
file readers use). Captures already present are kept unless ``--force``; a capture is written
to a hidden directory of its own process and renamed when whole, so an interrupted run leaves
no half capture and two renderers given the same seed cannot mix their files.
Needs Debian's ``povray`` (3.7); tests and benchmarks read the cached captures and need none.
``--truth-only`` rewrites the truth of captures already rendered (their images kept): the
truth's LED frames are those in the camera's line of sight (``bench.raytrace.sight``), which
the first captures' truth did not check. ``--ring-code device --out DIR`` renders the same
scenes under the device's own ring code instead of each capture's free shuffle
(``bench.raytrace.seeds.device_ring_states``), into a folder other than the cached blocks';
with ``--frames 48`` as the device films a zone, along the same walk (docs/raytraced.md).

Which seeds train and which benchmark is fixed in ``bench.raytrace.seeds``; the benchmark block
must never be tuned on.
"""

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import zip_longest
from pathlib import Path

from bench.raytrace.capture import scene_of, truth_entry, write_capture
from bench.raytrace.povray import povray_available, render_frames
from bench.raytrace.seeds import BENCH_SEEDS, N_FRAMES, TRAIN_BLOCKS, device_ring_states, spec_for
from detector.engine.hardware_steps import SCAN_FRAMES
from bench.raytrace.sight import sight_shares

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data" / "raytraced"


def render_one(seed: int, out_root: Path, force: bool, ring_code: str = "captures",
               n_frames: int = N_FRAMES) -> str:
    spec = spec_for(seed)
    if ring_code == "device":
        spec = dataclasses.replace(spec, states=device_ring_states(n_frames))
    final = out_root / spec.role / spec.name
    if final.is_dir() and (final / "truth.json").is_file() and not force:
        return f"{spec.name}: kept"
    start = time.monotonic()
    place, poses, levels = scene_of(spec)
    frames = render_frames([(place, pose, state, level)
                            for pose, state, level in zip(poses, spec.states, levels)])
    partial = out_root / spec.role / f".{spec.name}.{os.getpid()}.partial"  # one per renderer
    shutil.rmtree(partial, ignore_errors=True)
    write_capture(partial, spec, frames, truth_of(spec, place, poses, levels))
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    return f"{spec.name}: {time.monotonic() - start:.0f} s"


def truth_of(spec, place, poses, levels) -> dict:
    """The capture's truth entry, its LEDs' line of sight rendered first."""
    with tempfile.TemporaryDirectory(prefix="ansim-sight-") as tmp:
        sight = sight_shares(place, poses, Path(tmp))
    return truth_entry(spec, place, poses, levels, sight)


def rewrite_truth(seed: int, out_root: Path) -> str:
    """A rendered capture's ``truth.json`` written anew from its seed (its images kept), and
    which of its LEDs' frames changed."""
    spec = spec_for(seed)
    path = out_root / spec.role / spec.name / "truth.json"
    if not path.is_file():
        return f"{spec.name}: not rendered"
    old = json.loads(path.read_text(encoding="utf-8"))
    new = truth_of(spec, *scene_of(spec))
    path.write_text(json.dumps(new) + "\n", encoding="utf-8")
    changed = [f"{led['colour']} hidden in {len(led['hidden_frames'])}"
               for led in new["ir_emitters"] + new["visible_leds"] if led["hidden_frames"]]
    same = {k: v for k, v in old.items() if k not in ("ir_emitters", "visible_leds")} == \
        {k: v for k, v in new.items() if k not in ("ir_emitters", "visible_leds")}
    return f"{spec.name}: " + (", ".join(changed) or "every LED in sight") + \
        ("" if same else " (other fields changed too)")


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
    parser.add_argument("--truth-only", action="store_true",
                        help="rewrite the truth of rendered captures, keeping their images")
    parser.add_argument("--ring-code", choices=["captures", "device"], default="captures",
                        help="each capture's own shuffle of ring states (the cached blocks'), "
                             "or the device's blocks of three (needs --out elsewhere)")
    parser.add_argument("--frames", type=int, choices=[N_FRAMES, SCAN_FRAMES],
                        default=N_FRAMES,
                        help=f"frames per capture ({SCAN_FRAMES}: as the device films a "
                             f"zone; with --ring-code device only)")
    args = parser.parse_args(argv)
    if args.ring_code == "device" and (args.truth_only
                                       or args.out.resolve() == DATA_DIR.resolve()):
        parser.error("--ring-code device renders new captures into another folder (--out); "
                     "the cached blocks keep their own code")
    if args.frames != N_FRAMES and args.ring_code != "device":
        parser.error(f"--frames {args.frames} needs --ring-code device (the captures' own "
                     f"shuffle has {N_FRAMES} states)")
    if not povray_available():
        print("povray (3.7) is not installed: apt-get install povray", file=sys.stderr)
        return 2
    train = ([seed for block in TRAIN_BLOCKS for seed in block]
             if args.role in ("train", "all") else [])
    bench = list(BENCH_SEEDS) if args.role in ("bench", "all") else []
    # interleaved (two benchmark captures to one training capture), so both blocks grow
    seeds = args.seeds or [s for group in zip_longest(bench[0::2], bench[1::2], train)
                           for s in group if s is not None]
    roles = {spec_for(s).role for s in seeds}
    for role in roles:
        (args.out / role).mkdir(parents=True, exist_ok=True)
    work = ((rewrite_truth, [seeds, [args.out] * len(seeds)]) if args.truth_only else
            (render_one, [seeds, [args.out] * len(seeds), [args.force] * len(seeds),
                          [args.ring_code] * len(seeds), [args.frames] * len(seeds)]))
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for message in pool.map(work[0], *work[1]):
            print(message, flush=True)
            for role in roles:
                write_index(args.out / role)
    return 0


if __name__ == "__main__":
    os.nice(10)
    sys.exit(main())
