"""Sub-commands whose issue has not landed yet say so clearly and exit with code 2."""

import sys

from detector.i18n import t

NOT_BUILT_EXIT_CODE = 2


def register_not_built(subparsers, common, name: str, help_text: str, command: str = ""):
    parser = subparsers.add_parser(name, parents=[common], help=help_text)
    parser.add_argument("rest", nargs="*", help="(not built yet)")
    parser.set_defaults(func=lambda args: _not_built(command or name))
    return parser


def _not_built(name: str) -> int:
    print(t("cli.not_built", command=f"ansim {name}"), file=sys.stderr)
    return NOT_BUILT_EXIT_CODE
