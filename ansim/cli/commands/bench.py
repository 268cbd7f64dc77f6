"""``ansim bench AREA [--json] [OPTIONS]``: run one area's benchmark and print its figures.

Each area's benchmark is the module ``bench.<area>`` with ``add_arguments(parser)`` for its own
options and ``run(args) -> int``. Benchmarks import the whole stack they measure, so the area's
module is imported only when that benchmark runs: its options are parsed in a second step, by a
parser the module itself fills in, and ``ansim --help`` stays fast.
"""

import argparse

from detector.i18n import t

AREAS = ("rf", "wifi", "wifi_site", "optics", "change", "log", "web", "hub")


def register(subparsers, common):
    parser = subparsers.add_parser("bench", parents=[common], help=t("bench.help"))
    parser.add_argument("area", choices=AREAS, metavar="AREA",
                        help=t("bench.help.area", areas=", ".join(AREAS)))
    parser.add_argument("options", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(func=run, common_parser=common)


def run(args) -> int:
    module = _benchmark(args.area)
    parser = argparse.ArgumentParser(prog=f"ansim bench {args.area}",
                                     description=t(f"bench.area.{args.area}"),
                                     parents=[args.common_parser])
    module.add_arguments(parser)
    options = parser.parse_args(args.options, namespace=args)
    return module.run(options)


def _benchmark(area: str):
    """The area's benchmark module, imported now (each import is written out, so the layer
    check sees every edge)."""
    if area == "rf":
        from bench import rf as module
    elif area == "wifi":
        from bench import wifi as module
    elif area == "wifi_site":
        from bench import wifi_site as module
    elif area == "optics":
        from bench import optics as module
    elif area == "change":
        from bench import change as module
    elif area == "log":
        from bench import log as module
    elif area == "web":
        from bench import web as module
    else:
        from bench import hub as module
    return module
