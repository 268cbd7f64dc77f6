"""Hypothesis profiles for the parser fuzz tests.

Every parser that reads a file or a request someone else made is fuzzed: the only acceptable
outcomes are a result or ansim's own error (never ``TypeError``, ``OverflowError``, a
``RecursionError`` or an allocation of gigabytes).

- ``suite`` (the default): 200 examples per parser, so the whole fuzz directory runs in the
  suite in about a minute.
- ``fuzz``: 10,000 examples per parser, on demand::

      ANSIM_FUZZ=1 nice .venv/bin/python -m pytest tests/fuzz -q
      # or: .venv/bin/python -m pytest tests/fuzz --hypothesis-profile=fuzz

Neither profile has a deadline (the machine running the suite may be busy) nor a database of
past failures (runs stay reproducible from the seed Hypothesis prints on a failure).
"""

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, database=None, derandomize=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
settings.register_profile("suite", max_examples=200, **_COMMON)
settings.register_profile("fuzz", max_examples=10_000, **_COMMON)
settings.load_profile("fuzz" if os.environ.get("ANSIM_FUZZ") else "suite")


def pytest_collection_modifyitems(items):
    """10,000 examples take longer than the suite's per-test timeout: lift it for them."""
    if settings().max_examples > 1000:
        for item in items:
            if "tests/fuzz/" in str(item.path):
                item.add_marker(pytest.mark.timeout(0))
