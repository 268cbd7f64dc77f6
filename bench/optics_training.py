"""``python -m bench.optics_training``: the ray-traced TRAINING block (``data/raytraced/train``)
scored capture by capture, as the benchmark scores its own block (``bench.optics_raytraced``):
its totals, and, given an earlier run's rows (``--against``, written with ``--out``), each
capture whose figures changed.

This block is tuning material: read its failures, tune on them, and compare a change's run
with the run before it. The benchmark's block (``data/raytraced/bench``) is not offered here:
its captures are never read one by one.
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2

from bench import optics_raytraced
from bench.optics import DATA_DIR

TRAINING_DIR = DATA_DIR / "train"
#: The figures each capture's row holds, and the totals add up.
FIGURES = ("in_cone_lenses", "lenses_found", "false_lens_alarms", "leds", "leds_found",
           "false_glows")


def capture_row(block_dir: Path, entry: dict) -> dict:
    """One capture through the batch pipeline, scored: its name and ``FIGURES``."""
    scored = optics_raytraced.scored_capture(block_dir, entry)
    in_cone = [lens for lens in scored["lenses"] if lens["in_cone"]]
    return {"name": entry["name"], "in_cone_lenses": len(in_cone),
            "lenses_found": sum(lens["found"] for lens in in_cone),
            "false_lens_alarms": scored["false_lens_alarms"], "leds": len(scored["leds"]),
            "leds_found": sum(led["found"] for led in scored["leds"]),
            "false_glows": scored["false_glows"]}


def totals(rows: list[dict]) -> dict:
    """The block's figures summed, and how many scans had a false lens alarm."""
    return {"captures": len(rows), **{key: sum(r[key] for r in rows) for key in FIGURES},
            "scans_with_false_lens_alarm": sum(r["false_lens_alarms"] > 0 for r in rows)}


def changes(before: list[dict], after: list[dict]) -> list[dict]:
    """Each capture of both runs whose figures differ: its name and, per figure that moved,
    [before, after]."""
    earlier = {row["name"]: row for row in before}
    moved = []
    for row in after:
        old = earlier.get(row["name"])
        if old is None:
            continue
        diff = {key: [old[key], row[key]] for key in FIGURES if old[key] != row[key]}
        if diff:
            moved.append({"name": row["name"], **diff})
    return moved


def _earlier_rows(parser, path: str) -> list[dict]:
    """An earlier run's rows, or the parser's error naming what is wrong with the file."""
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        parser.error(f"--against {path}: {error}")
    if not isinstance(rows, list) or not all(
            isinstance(r, dict) and isinstance(r.get("name"), str)
            and all(isinstance(r.get(key), int) for key in FIGURES) for r in rows):
        parser.error(f"--against {path}: not the rows --out writes (a list of captures, "
                     f"each with a name and {', '.join(FIGURES)})")
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--out", help="write the per-capture rows here (JSON)")
    parser.add_argument("--against", help="an earlier run's rows (--out) to compare with")
    args = parser.parse_args(argv)
    before = _earlier_rows(parser, args.against) if args.against else None
    entries = optics_raytraced.read_block(TRAINING_DIR)
    if not entries:
        parser.error(f"no training captures in {TRAINING_DIR}")
    with ProcessPoolExecutor(max(1, args.jobs), initializer=cv2.setNumThreads,
                             initargs=(1,)) as pool:
        rows = list(pool.map(capture_row, [TRAINING_DIR] * len(entries), entries))
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    report = totals(rows)
    if before is not None:
        report = {**report, "before": totals(before), "changed": changes(before, rows)}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
