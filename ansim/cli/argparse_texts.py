"""argparse's own words (``usage:``, ``options``, its error sentences) in ansim's language.

argparse passes every sentence it prints through its module-level ``_`` and ``ngettext``
(gettext, bound when argparse is imported); ``install`` points both at ansim's catalogue
(``cli.argparse.*``) so ``ansim`` speaks one language from the usage line to the last error,
instead of Korean help under English headings. Sentences only a programmer can meet (a parser
built wrongly) are left as argparse writes them.
"""

import argparse

from detector.i18n import t

#: argparse 3.11's message ids -> ansim's catalogue keys.
MESSAGES = {
    "usage: ": "cli.argparse.usage",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "can't open '%(filename)s': %(error)s": "cli.argparse.cannot_open",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "ignored explicit argument %r": "cli.argparse.ignored_value",
    "the following arguments are required: %s": "cli.argparse.required",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected %s argument": "cli.argparse.expected_n",
    "expected %s arguments": "cli.argparse.expected_n",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "unexpected option string: %s": "cli.argparse.unexpected_option",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
}


def translate(message: str) -> str:
    key = MESSAGES.get(message)
    return t(key) if key else message


def install() -> None:
    """Make argparse speak the current language (call after choosing it)."""
    argparse._ = translate
    argparse.ngettext = lambda singular, plural, n: translate(singular if n == 1 else plural)
