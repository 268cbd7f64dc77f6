"""Cells of the CSV files ansim exports, made safe to open in a spreadsheet.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or carriage return before one of those) as a formula: a site name like ``=HYPERLINK(...)``
typed by whoever edits the registry would run on the supervisor's computer when the export is
opened (CSV/formula injection). OWASP's rule is applied: such a text cell is written with a
leading apostrophe, which spreadsheets show as text and do not print. Numbers (``-33.87``) are
left as they are, and ``unescape`` strips the apostrophe again when ansim reads its own export
back (``ansim sites import`` of an exported registry), so nothing is lost on a round trip.
"""

import re

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will show it and never run it."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return ESCAPE + text
    return text


def unescape(text: str) -> str:
    """The text ``neutralise`` was given, from a cell it wrote."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text
