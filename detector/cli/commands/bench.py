"""``ansim bench AREA [--json]``: run one area's benchmark and print its measured figures.

Each area's benchmark is the module ``bench.<area>`` with a ``run(args) -> int`` function and an
``add_arguments(parser)`` function for its own options.
"""

import importlib

from detector.cli.commands._not_built import NOT_BUILT_EXIT_CODE, register_not_built

AREAS = {
    "rf": "RF: video recall against SNR, false video calls, throughput",
    "wifi": "Wi-Fi: cameras answering the light, place named, false calls, passive recall",
    "optics": "optics: lens recall, false alarms per scan, time per frame",
    "log": "the inspection log: list, filter and export time for a busy device",
    "web": "the dashboard: alert latency to 20 phones, page weight",
    "hub": "the city hub: upload throughput of signed records into PostgreSQL",
}


def register(subparsers, common):
    parser = subparsers.add_parser("bench", parents=[common], help="run a benchmark")
    areas = parser.add_subparsers(dest="area", required=True, metavar="AREA")
    for area, help_text in AREAS.items():
        module = _bench_module(area)
        if module is None:
            register_not_built(areas, common, area, help_text, command=f"bench {area}")
            continue
        area_parser = areas.add_parser(area, parents=[common], help=help_text)
        module.add_arguments(area_parser)
        area_parser.set_defaults(func=module.run)


def _bench_module(area):
    try:
        return importlib.import_module(f"bench.{area}")
    except ModuleNotFoundError as exc:
        if exc.name != f"bench.{area}":
            raise
        return None


__all__ = ["register", "NOT_BUILT_EXIT_CODE"]
