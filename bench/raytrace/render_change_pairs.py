"""Render the change benchmark's places into the repository (needs Debian's ``povray``).

    python -m bench.raytrace.render_change_pairs [--seeds tuning|bench|all]

Writes ``bench/raytrace/change_pairs/<place>/<visit>.png`` (640x360 grey) and ``truth.json``
beside them; places already rendered are kept, so an interrupted run resumes. The renders are
committed, so a fresh clone benchmarks without a renderer.
"""

import argparse
import json
from pathlib import Path

from bench.raytrace.change_scenes import BENCH_SEEDS, TUNING_SEEDS, make_place, visits
from bench.raytrace.change_sdl import render

PAIRS_DIR = Path(__file__).resolve().parent / "change_pairs"


def render_place(seed: int, root: Path = PAIRS_DIR) -> None:
    folder = root / str(seed)
    truth = []
    for visit in visits(make_place(seed)):
        path = folder / f"{visit.name}.png"
        if not path.exists():
            render(visit, path)
        truth.append(visit.truth())
    (folder / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", choices=("tuning", "bench", "all"), default="all")
    args = parser.parse_args()
    seeds = {"tuning": list(TUNING_SEEDS), "bench": list(BENCH_SEEDS),
             "all": list(TUNING_SEEDS) + list(BENCH_SEEDS)}[args.seeds]
    for seed in seeds:
        render_place(seed)
        print(seed, flush=True)


if __name__ == "__main__":
    main()
