"""The one check every piece of free text passes before ansim keeps it.

Names, site rows, notes, reasons and escalation fields end up in signed records, which are
kept forever, exported as CSV, shown on phones and copied to the hub's PostgreSQL. PostgreSQL
refuses a NUL in text, so a single NUL in a display name once blocked a device's sync at that
record for good; other control characters garble terminals and CSV, bidirectional overrides
make a name read differently from what it holds, and a lone surrogate cannot be written as
UTF-8 at all. So text is refused at the door, with the field named, never repaired silently:

- C0 and C1 control characters and DEL (Unicode category Cc), except a newline or tab in text
  that may span lines (notes, reasons);
- lone surrogates (category Cs);
- the bidirectional embedding, override and isolate controls (U+202A..U+202E, U+2066..U+2069).

Example::

    name = checked_text(form["display_name"], "display_name", max_chars=64)
"""

import unicodedata

_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_LINE_BREAKS = frozenset("\n\t")


class UnsafeText(ValueError):
    """Text holds a character ansim refuses, or is too long; names the field and the problem.

    Like the file readers' errors, ``problem_code`` and ``problem_params`` (the field among
    them) let a front end say it in the user's language (``problem.<code>``)."""

    def __init__(self, field: str, problem: str, *, code: str, **params):
        self.field = field
        self.problem = problem
        self.problem_code = code
        self.problem_params = {"field": field, **params}
        super().__init__(f"{field}: {problem}")


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of ``text`` ansim refuses, as ``U+XXXX``; None if there is none."""
    for char in text:
        if multiline and char in _LINE_BREAKS:
            continue
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            return f"U+{ord(char):04X}"
    return None


def checked_text(value, field: str, *, max_chars: int, multiline: bool = False,
                 required: bool = False) -> str:
    """``value`` stripped of surrounding spaces, or ``UnsafeText`` saying what is wrong."""
    if not isinstance(value, str):
        raise UnsafeText(field, f"must be text, not {type(value).__name__}", code="text_type",
                         type=type(value).__name__)
    text = value.strip()
    bad = refused_character(text, multiline=multiline)
    if bad is not None:
        raise UnsafeText(field, f"holds the control character {bad}",
                         code="text_control_character", character=bad)
    if len(text) > max_chars:
        raise UnsafeText(field, f"longer than {max_chars} characters", code="text_too_long",
                         max_chars=max_chars)
    if required and not text:
        raise UnsafeText(field, "must not be empty", code="text_empty")
    return text


def replace_refused(text: str, *, multiline: bool = False) -> str:
    """``text`` with every refused character replaced by U+FFFD (the replacement character):
    for copying text that was signed before these checks existed into places that cannot
    hold it (PostgreSQL text refuses NUL), without changing what was signed."""
    if refused_character(text, multiline=multiline) is None:
        return text
    return "".join("\ufffd" if refused_character(c, multiline=multiline) else c for c in text)
