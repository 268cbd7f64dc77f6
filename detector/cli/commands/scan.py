"""`ansim scan`."""

from detector.cli.commands._not_built import register_not_built


def register(subparsers, common):
    register_not_built(subparsers, common, "scan", "scan")
