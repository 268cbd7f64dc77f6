"""The ``ansim`` command line.

Each sub-command lives in its own module under ``ansim.cli.commands`` with two functions:
``register(subparsers, common)`` adds its parser (``common`` is the parent parser holding the
options every command takes) and sets ``func`` to the function that runs it and returns the exit
code. Output is human-readable by default and JSON with ``--json``; every sentence goes through
``detector.i18n``.
"""

import argparse
import sys

from ansim.cli import commands
from ansim.cli.context import default_data_dir_text
from detector import i18n


def _common_options(suppress_defaults: bool) -> argparse.ArgumentParser:
    """The options every command takes. The copy given to sub-commands leaves unset options
    out of the namespace, so ``ansim --lang en doctor`` keeps the ``--lang`` given before the
    sub-command instead of argparse resetting it to the sub-command's default."""
    common = argparse.ArgumentParser(add_help=False)
    if suppress_defaults:
        common.argument_default = argparse.SUPPRESS
    common.add_argument("--simulate", action="store_true", help=i18n.t("cli.help.simulate"))
    common.add_argument("--data", metavar="DIR",
                        help=i18n.t("cli.help.data", default=default_data_dir_text()))
    common.add_argument("--profile", metavar="FILE", help=i18n.t("cli.help.profile"))
    common.add_argument("--json", action="store_true", help=i18n.t("cli.help.json"))
    common.add_argument("--lang", choices=i18n.LANGUAGES, help=i18n.t("cli.help.lang"))
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ansim", description=i18n.t("cli.help.description"),
                                     parents=[_common_options(suppress_defaults=False)])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common_options(suppress_defaults=True)
    for module in commands.ALL:
        module.register(subparsers, common)
    return parser


def _language_from_argv(argv) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        i18n.set_language(_language_from_argv(argv))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    return args.func(args)
