"""Proximity: the level rises as the simulated inspector closes in on the hidden camera."""

import numpy as np
import pytest

from detector.engine.proximity import follow
from hardware.radio.simulated import free_space_loss_db
from rf.proximity import beep_interval_s, level_from_power


def _zones_by_distance(radio, camera):
    distances = {}
    for zone in radio.handheld.scene.zones:
        radio.handheld.move_to(zone)
        distances[zone] = radio.handheld.pose().distance_m(camera.position_m)
    return sorted(distances, key=distances.get), distances


def test_power_and_level_rise_as_the_inspector_closes_in(simulated_radio):
    radio = simulated_radio
    camera = radio.handheld.scene.hidden_camera_emitters()[0]
    order, distances = _zones_by_distance(radio, camera)
    readings = {}
    for zone in (order[-1], order[0]):  # farthest first, then nearest
        radio.handheld.move_to(zone)
        readings[zone] = list(follow(radio, camera.freq_hz, bandwidth_hz=2e6, duration_s=1.0))
    far, near = readings[order[-1]], readings[order[0]]
    gained_db = np.mean([r.power_db for r in near]) - np.mean([r.power_db for r in far])
    expected_db = (free_space_loss_db(distances[order[-1]], camera.freq_hz)
                   - free_space_loss_db(distances[order[0]], camera.freq_hz))
    assert gained_db == pytest.approx(expected_db, abs=3.0)
    assert 0 < np.mean([r.level for r in far]) < np.mean([r.level for r in near]) < 1


def test_at_least_ten_readings_a_second(simulated_radio):
    camera = simulated_radio.handheld.scene.hidden_camera_emitters()[0]
    readings = list(follow(simulated_radio, camera.freq_hz, duration_s=2.0, updates_per_s=12))
    times = np.array([r.t_s for r in readings])
    assert len(readings) >= 20 and np.max(np.diff(times)) <= 0.1


def test_gain_steps_down_near_a_strong_emitter_without_the_reading_dropping(simulated_radio):
    radio = simulated_radio
    camera = radio.handheld.scene.hidden_camera_emitters()[0]
    radio.handheld.move_to("door_hook")
    gains = []
    readings = []
    for reading in follow(radio, camera.freq_hz, bandwidth_hz=2e6, duration_s=0.5):
        gains.append(radio.gain_db)
        readings.append(reading)
    assert min(gains) < 40.2  # it clipped at the profile's gain and ranged down
    assert radio.gain_db == 40.2  # and handed the radio back as it found it
    assert max(r.power_db for r in readings) - min(r.power_db for r in readings) < 3


def test_level_and_beep_interval_are_monotonic():
    powers = np.linspace(-110, 0, 50)
    levels = [level_from_power(p, -100.0) for p in powers]
    assert levels[0] == 0.0 and levels[-1] == 1.0 and np.all(np.diff(levels) >= 0)
    intervals = [beep_interval_s(lv) for lv in np.linspace(0, 1, 11)]
    assert intervals[0] == 1.0 and intervals[-1] == 0.05 and np.all(np.diff(intervals) < 0)
