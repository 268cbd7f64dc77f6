"""``python -m bench.optics_tuning``: the simulator's TUNING block (``SIM_TUNING_SEEDS``),
scored as the benchmark scores its simulated scans (``bench.optics.simulated_figures``), with
each false alarm listed (seed, kind, whether step 3b's local cat's-eye test made it, where).

This block is tuning material: read its failures, tune on them. The benchmark's own simulated
block (``SIM_BENCH_SEEDS``) stays untouched; its false alarms are never listed.
"""

import argparse
import json

import cv2

from bench.optics import SIM_TUNING_SEEDS, simulated_figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=0, help="first seed's place in the block")
    parser.add_argument("--count", type=int, default=len(SIM_TUNING_SEEDS),
                        help="how many seeds of the block")
    parser.add_argument("--frames", type=int, default=48, help="frames per scan")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    seeds = SIM_TUNING_SEEDS[args.first:args.first + args.count]
    figures = simulated_figures(seeds, args.frames, list_false=True)
    figures.pop("timing_scans")
    print(json.dumps({key: figures[key] for key in (
        "seeds", "scans", "in_cone_lenses", "false_alarms", "false_alarms_per_scan",
        "lens_false_alarms", "local_lens_false_alarms", "false_alarm_list",
        "simulation_s")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
