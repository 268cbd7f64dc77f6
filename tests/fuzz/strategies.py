"""Hypothesis strategies shared by the fuzz tests: hostile JSON, numbers and text."""

import math

from hypothesis import strategies as st

# Numbers a hostile file may hold: JSON-legal huge integers, floats at the edges, NaN and
# infinities (Python's json writes and reads those), and the ordinary values in between.
HOSTILE_NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 2**63, -(2**63), 1e300, -1e300, 5e-324, math.inf, -math.inf,
                     math.nan, 2.4e6, 1.2e9]),
)

HOSTILE_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.sampled_from(["", "\x00", "²", "\u202e", "\ud800", "../../etc/passwd", "1e999", "nan",
                     "-inf", "9" * 400, "cu8", "ci16_le", "gray8", "bgr8"]),
)

JSON_SCALARS = st.one_of(st.none(), st.booleans(), HOSTILE_NUMBERS, HOSTILE_TEXT)

JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(HOSTILE_TEXT, inner, max_size=4)),
    max_leaves=20,
)


def deeply_nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@st.composite
def mutated_object(draw, base: dict, keys: list[str] | None = None):
    """``base`` (a JSON object) with a few of its keys (or new ones) set to hostile values,
    some removed; nested dicts are mutated the same way one level down."""
    result = dict(base)
    names = keys or list(base)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        action = draw(st.sampled_from(["set", "delete", "nest"]))
        key = draw(st.sampled_from(names) | HOSTILE_TEXT if names else HOSTILE_TEXT)
        if action == "delete":
            result.pop(key, None)
        elif action == "nest" and isinstance(result.get(key), dict):
            result[key] = draw(mutated_object(result[key]))
        else:
            result[key] = draw(JSON_VALUES)
    return result
