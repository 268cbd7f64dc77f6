"""Clocks shared by the backends of one session.

Real backends use the monotonic clock. Simulated ones share a ``SimulatedClock`` that only
moves when a backend says time has passed (a radio read of n samples advances it by
n / sample_rate), so a simulated inspection runs as fast as the CPU allows and is exactly
reproducible: nothing in ansim synchronises by sleeping.
"""

import time
from dataclasses import dataclass


class MonotonicClock:
    """Wall time for real hardware."""

    def now_s(self) -> float:
        return time.monotonic()

    def advance(self, duration_s: float) -> None:
        """Real time passes by itself; waiting for hardware is the backend's job."""


@dataclass
class SimulatedClock:
    """Virtual time for the simulated restroom, advanced explicitly by the simulated backends."""

    t_s: float = 0.0

    def now_s(self) -> float:
        return self.t_s

    def advance(self, duration_s: float) -> None:
        if duration_s < 0:
            raise ValueError(f"time cannot run backwards (duration_s={duration_s})")
        self.t_s += duration_s
