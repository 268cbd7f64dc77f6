"""``ansim bench change``: change since last time on ray-traced places, and presence.

Change detection is judged on the places of ``bench.raytrace.change_scenes`` (POV-Ray renders
cached in ``bench/raytrace/change_pairs``; exposure and sensor noise are applied at load,
seeded). Each place's reference visit is compared with its three later visits:
- ``same``: nothing changed (pose, lamp, droplets, exposure, noise differ): every change
  reported is a false change;
- ``hole``: a new hole of 3-8 mm; found if a change lies within its radius + ``MATCH_PX``;
  the headline recall counts holes of 4 mm and more at 1.2 m or nearer;
- ``object``: a new or removed object; found likewise (within its radius + ``MATCH_PX``).
Changes that match no truth in the ``hole`` and ``object`` visits count as false changes too.
Different places: each place's reference against the ``same`` visits of the next
``--other-places`` places of the block (5 by default), which must come out ``aligned: false``.
The places are drawn from a few shared fixture models (one vent, one sticker, one hook), so
two places often share a fixture, and some share a tile grid.

``BENCH_SEEDS`` are reported by default; ``--seeds fresh`` reports ``FRESH_SEEDS``, a second
benchmark block drawn after the detector's last change and never looked at while tuning;
``--seeds untouched`` reports ``UNTOUCHED_SEEDS``, a third block rendered after the
faint-small pass was settled. The thresholds in ``optics.change`` were chosen on
``TUNING_SEEDS`` (``--seeds tuning`` shows those; ``--seeds tuning2`` the second tuning
block, ``SECOND_TUNING_SEEDS``, alone; ``--seeds tuning3`` the third, ``THIRD_TUNING_SEEDS``).

Presence is measured by ``bench.presence`` (inspections at their own site, and the same
inspections replayed against another site's history).
"""

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from bench.presence import presence_figures
from bench.raytrace.change_scenes import (
    SEED_BLOCKS,
    VISITS,
    as_captured,
    make_place,
    visits,
)
from bench.stats import rate
from detector.i18n import t
from optics.change import compare_keyframes

PAIRS_DIR = Path(__file__).resolve().parent / "raytrace" / "change_pairs"
MATCH_PX = 6.0
HOLE_MIN_MM = 4.0
HOLE_MAX_DISTANCE_M = 1.2
OTHER_PLACES = 5  # each place's reference against this many other places' pictures


def _other_places(text: str) -> int:
    """``--other-places``: a whole number, 1 or more (0 would tell nothing apart)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(t("bench.error.other_places", value=text))
    return value


def add_arguments(parser):
    parser.add_argument("--seeds", choices=tuple(SEED_BLOCKS), default="bench",
                        help=t("bench.arg.change.seeds"))
    parser.add_argument("--pairs", default=str(PAIRS_DIR), help=t("bench.arg.change.pairs"))
    parser.add_argument("--other-places", type=_other_places, default=OTHER_PLACES,
                        help=t("bench.arg.change.other_places"))
    parser.add_argument("--no-presence", action="store_true",
                        help=t("bench.arg.change.no_presence"))


def run(args) -> int:
    cv2.setNumThreads(1)
    seeds = SEED_BLOCKS[args.seeds]
    pairs_dir = Path(args.pairs)
    report = change_figures(pairs_dir, list(seeds), args.other_places)
    if not args.no_presence:
        report.update(presence_figures(pairs_dir, list(seeds),
                                       lambda seed, visit: load(pairs_dir, seed, visit)))
    if args.json:
        print(json.dumps(report))
    else:
        _print_human(report)
    return 0


def load(pairs_dir: Path, seed: int, visit: str) -> np.ndarray:
    """A cached render as captured on its day (seeded exposure and noise)."""
    path = pairs_dir / str(seed) / f"{visit}.png"
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        raise FileNotFoundError(f"{path}: missing; render with "
                                "python -m bench.raytrace.render_change_pairs")
    return as_captured(grey, [seed, VISITS.index(visit)])


def _truth(pairs_dir: Path, seed: int) -> dict:
    """The place's stored truth by visit, refused if the scene code no longer makes it (the
    renders beside it are then stale too)."""
    stored = json.loads((pairs_dir / str(seed) / "truth.json").read_text())
    made = json.loads(json.dumps([v.truth() for v in visits(make_place(seed))]))
    if stored != made:
        raise RuntimeError(f"{pairs_dir / str(seed)}: rendered from other scene code; render "
                           "again with python -m bench.raytrace.render_change_pairs")
    return {t["visit"]: t for t in stored}


def _matched(change, truth) -> bool:
    return np.hypot(change.x - truth["x"], change.y - truth["y"]) <= truth["radius_px"] + \
        MATCH_PX


def change_figures(pairs_dir: Path, seeds: list[int], other_places: int = OTHER_PLACES) -> dict:
    holes = holes_found = all_holes = all_holes_found = 0
    objects = objects_found = kinds_right = false_changes = comparisons = 0
    same_aligned = apart = others = with_false = 0
    seconds = []
    missed = []
    for place_index, seed in enumerate(seeds):
        truth = _truth(pairs_dir, seed)
        reference = load(pairs_dir, seed, "reference")
        for visit in ("same", "hole", "object"):
            started = time.perf_counter()
            result = compare_keyframes(reference, load(pairs_dir, seed, visit))
            seconds.append(time.perf_counter() - started)
            comparisons += 1
            same_aligned += result.aligned
            expected = truth[visit]["changes"]
            found_any, false_here = set(), 0
            for change in result.changes:
                hits = [k for k, wanted in enumerate(expected) if _matched(change, wanted)]
                found_any.update(hits)
                false_here += not hits
            false_changes += false_here
            with_false += false_here > 0
            for k, wanted in enumerate(expected):
                found = k in found_any
                if wanted["object"] == "hole":
                    all_holes += 1
                    all_holes_found += found
                    if (wanted["size_mm"] >= HOLE_MIN_MM
                            and wanted["distance_m"] <= HOLE_MAX_DISTANCE_M):
                        holes += 1
                        holes_found += found
                else:
                    objects += 1
                    objects_found += found
                    kinds_right += found and any(c.kind == wanted["kind"] for c in result.changes
                                                 if _matched(c, wanted))
                if not found:
                    missed.append({"place": seed, "visit": visit, **wanted,
                                   "aligned": result.aligned})
        for step in range(1, min(other_places, len(seeds) - 1) + 1):
            other_seed = seeds[(place_index + step) % len(seeds)]
            other = compare_keyframes(reference, load(pairs_dir, other_seed, "same"))
            apart += not other.aligned
            others += 1
    n_places = len(seeds)
    return {
        "hole_recall": rate(holes_found, holes),
        "hole_recall_all_sizes": rate(all_holes_found, all_holes),
        "object_recall": rate(objects_found, objects),
        "object_kind_right": rate(kinds_right, objects),
        "false_changes_per_place": round(false_changes / comparisons, 4),
        "false_changes": false_changes,
        "places_with_false_change": rate(with_false, comparisons),
        "comparisons": comparisons,
        "same_place_aligned": rate(same_aligned, comparisons),
        "different_places_told_apart": rate(apart, others),
        "places": n_places,
        "compare_s_median": round(float(np.median(seconds)), 4),
        "missed": missed,
    }


def _print_human(report: dict) -> None:
    def show(name, r):
        print(f"  {name:32s} {r['rate']:.3f}  (95% {r['lower95']:.3f}-{r['upper95']:.3f}, "
              f"n={r['trials']})")
    print(f"change since last time: {report['places']} ray-traced places, "
          f"{report['comparisons']} comparisons")
    show("hole recall (>=4 mm, <=1.2 m)", report["hole_recall"])
    show("hole recall (3-8 mm)", report["hole_recall_all_sizes"])
    show("object recall", report["object_recall"])
    show("object kind right", report["object_kind_right"])
    print(f"  {'false changes per place':32s} {report['false_changes_per_place']:.3f}"
          f"  ({report['false_changes']} in {report['comparisons']})")
    show("comparisons with a false change", report["places_with_false_change"])
    show("same place aligned", report["same_place_aligned"])
    show("different places told apart", report["different_places_told_apart"])
    print(f"  {'compare time (median)':32s} {report['compare_s_median'] * 1000:.0f} ms")
    if "presence_strong_own" in report:
        print(f"presence: {report['presence_sites']} sites of ray-traced places")
        show("strong at its own site", report["presence_strong_own"])
        show("weak/none replayed elsewhere", report["presence_flagged_other"])
        print(f"  levels at own site {report['presence_levels_own']}, "
              f"elsewhere {report['presence_levels_other']}")
    for m in report["missed"]:
        print(f"  missed: place {m['place']} {m['visit']}: {m['kind']} {m['object']} at "
              f"({m['x']:.0f}, {m['y']:.0f}) r={m['radius_px']:.1f}px "
              f"{m['distance_m']:.2f} m aligned={m['aligned']}")
