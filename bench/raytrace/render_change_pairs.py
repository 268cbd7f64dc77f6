"""Render the change benchmark's places into the repository (needs Debian's ``povray``).

    python -m bench.raytrace.render_change_pairs [--seeds BLOCK]

``BLOCK`` is tuning, tuning2, tuning3, bench, fresh, untouched or all (the default).
``tuning2`` is ``SECOND_TUNING_SEEDS`` alone, ``tuning3`` ``THIRD_TUNING_SEEDS`` (both part of
``tuning``).

Writes ``bench/raytrace/change_pairs/<place>/<visit>.png`` (640x360 grey) and ``truth.json``
beside them; places already rendered (all four visits and their truth) are kept, so an
interrupted run resumes. The renders are committed, so a fresh clone benchmarks without a
renderer. A change to the scenes or the camera makes them stale: delete the folder and render
again.
"""

import argparse
import json
from pathlib import Path

from bench.raytrace.change_scenes import (
    SEED_BLOCKS,
    make_place,
    visits,
)
from bench.raytrace.change_sdl import render, write_png

PAIRS_DIR = Path(__file__).resolve().parent / "change_pairs"


def render_place(seed: int, root: Path = PAIRS_DIR) -> None:
    folder = root / str(seed)
    place_visits = visits(make_place(seed))
    if (folder / "truth.json").exists() and all((folder / f"{v.name}.png").exists()
                                                for v in place_visits):
        return
    for visit, grey in zip(place_visits, render(place_visits), strict=True):
        write_png(grey, folder / f"{visit.name}.png")
    (folder / "truth.json").write_text(json.dumps([v.truth() for v in place_visits], indent=1)
                                       + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", choices=(*SEED_BLOCKS, "all"), default="all")
    args = parser.parse_args()
    # "all" renders each place once: the second and third tuning blocks lie within
    # TUNING_SEEDS
    seeds = (sorted({seed for block in SEED_BLOCKS.values() for seed in block})
             if args.seeds == "all" else list(SEED_BLOCKS[args.seeds]))
    for seed in seeds:
        render_place(seed)
        print(seed, flush=True)


if __name__ == "__main__":
    main()
