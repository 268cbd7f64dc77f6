"""The simulated RTL-SDR: it advances the shared clock, hears emitters at the power physics
gives at the handheld's distance, and behaves like a dongle (8-bit samples, settling)."""

import numpy as np
import pytest

from hardware.clock import SimulatedClock
from hardware.radio.simulated import (
    DISCARD_SAMPLES,
    SETTLE_S,
    SimulatedSource,
    free_space_loss_db,
)
from hardware.sim.handheld import SimulatedHandheld
from hardware.sim.restroom import build_restroom


def _radio(scene=None, **kw):
    scene = scene or build_restroom(seed=1)
    return SimulatedSource(SimulatedHandheld(scene, SimulatedClock()), seed=3, **kw)


def test_reads_advance_the_clock_and_retuning_costs_settling():
    radio = _radio()
    radio.tune(500e6)
    start_s = radio.clock.now_s()
    radio.read(240_000)
    assert radio.clock.now_s() - start_s == pytest.approx(0.1)
    radio.tune(600e6)
    assert radio.clock.now_s() - start_s == pytest.approx(0.1 + SETTLE_S + DISCARD_SAMPLES / 2.4e6)


def test_samples_are_8_bit_and_seeded():
    a, b = _radio(), _radio()
    for radio in (a, b):
        radio.tune(1.2e9)
    x, y = a.read(4096), b.read(4096)
    assert x.dtype == np.complex64 and np.array_equal(x, y)
    levels = np.unique(np.round(x.real * 127.5 + 127.5, 3))
    assert np.allclose(levels, np.round(levels))


def test_received_power_follows_distance_like_free_space():
    scene = build_restroom(seed=1)
    camera = scene.hidden_camera_emitters()[0]
    radio = _radio(scene, gain_db=0.0)
    handheld = radio.handheld
    powers, losses = [], []
    for zone in ("door_hook", "toilet_flush"):
        handheld.move_to(zone)
        radio.tune(camera.freq_hz)
        distance_m = handheld.pose().distance_m(camera.position_m)
        powers.append(10 * np.log10(np.mean(np.abs(radio.read(240_000)) ** 2)))
        losses.append(free_space_loss_db(distance_m, camera.freq_hz))
    assert powers[0] - powers[1] == pytest.approx(losses[1] - losses[0], abs=2.0)


def test_tuning_outside_the_dongles_range_is_refused():
    with pytest.raises(ValueError, match="outside"):
        _radio().tune(2.4e9)


def test_an_empty_stall_has_only_noise_at_the_camera_band():
    radio = _radio(build_restroom(seed=1, hidden_camera=False))
    radio.tune(1.2e9)
    x = radio.read(100_000)
    assert 10 * np.log10(np.mean(np.abs(x - x.mean()) ** 2)) < -40
