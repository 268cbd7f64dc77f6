"""The ``ansim`` command line.

Each sub-command lives in its own module under ``ansim.cli.commands`` with two functions:
``register(subparsers, common)`` adds its parser (``common`` is the parent parser holding the
options every command takes) and sets ``func`` to the function that runs it and returns the exit
code. Output is human-readable by default and JSON with ``--json``; every sentence goes through
``detector.i18n``.
"""

import argparse
import sys

from ansim.cli import argparse_texts, commands
from ansim.cli.context import default_data_dir_text
from ansim.cli.output import fail
from ansim.memory import keep_freed_memory
from detector import i18n
from detector.appliance.profile import ProfileError


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
    keep_freed_memory()  # every command may run the optics pipeline: see ansim.memory
    argv = list(sys.argv[1:] if argv is None else argv)
    asked = _language_from_argv(argv)
    try:
        i18n.set_language(asked)
    except ValueError:
        # Refused in the language ansim would otherwise speak (ANSIM_LANG, else Korean).
        try:
            i18n.set_language(None)
        except ValueError:
            i18n.set_language(i18n.DEFAULT_LANGUAGE)
        print(i18n.t("cli.error.bad_lang", language=asked if asked is not None else "",
                     choices=", ".join(i18n.LANGUAGES)), file=sys.stderr)
        return 2
    argparse_texts.install()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ProfileError as exc:  # every command loads the profile; some say nothing else wrong
        return fail(exc)
