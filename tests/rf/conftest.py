"""Fixtures for the RF tests: seeded signals through the RTL-SDR front end, hacktv clips, and a
simulated radio in the default stall."""

import numpy as np
import pytest

from hardware.clock import SimulatedClock
from hardware.radio.simulated import SimulatedSource
from hardware.sim import signals as sig
from hardware.sim.handheld import SimulatedHandheld
from hardware.sim.restroom import build_restroom


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.fixture
def simulated_radio():
    """A simulated dongle in the default stall (seed 1), the handheld in the doorway."""
    scene = build_restroom(seed=1)
    return SimulatedSource(SimulatedHandheld(scene, SimulatedClock()), seed=1)


@pytest.fixture(scope="session")
def hacktv_slices():
    """Short hacktv clips (PAL/NTSC, narrow and wide FM, AM) at 2.4 MS/s, by name."""
    if not sig.hacktv_available():
        pytest.skip("hacktv is not installed (scripts/system-packages installs it)")
    out = {}
    for mode in sig.HACKTV_MODES:
        offsets_hz = [0.0] if mode.family != "wide_fm" else [-4e6, 3e6]
        out[mode.name] = (mode, sig.hacktv_slices(sig.hacktv_clip(mode, 0.2), offsets_hz))
    return out
