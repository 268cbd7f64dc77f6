"""Hypothesis profiles for the dashboard's fuzz tests.

- ``suite`` (the default): 200 examples per target, what every test run does.
- ``fuzz``: 10,000 examples per target, on demand::

      .venv/bin/python -m pytest tests/web/fuzz --hypothesis-profile=fuzz -q

No deadline (a request's time is not what is tested; figures belong to ``ansim bench web``),
and the database the examples write into is shared by a module's examples on purpose: the
fuzzer walks a dashboard whose state its own earlier requests changed.
"""

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "print_blob": True,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much]}
settings.register_profile("suite", max_examples=200, **_COMMON)
settings.register_profile("fuzz", max_examples=10_000, **_COMMON)


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile("suite")
