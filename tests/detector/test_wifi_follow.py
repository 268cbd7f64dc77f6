"""The proximity meter on a Wi-Fi transmitter: as the simulated handheld walks up to the hidden
camera its level rises; a transmitter that falls silent keeps its level; the engine follows
only what a survey heard and publishes each reading for inspectors; ``ansim wifi follow``."""

import json

import numpy as np
import pytest

from detector.engine.events import EventBus
from detector.engine.proximity import follow_wifi
from detector.engine.wifi_survey import passive_survey
from hardware.clock import SimulatedClock
from hardware.sim import wifi_devices
from hardware.sim.restroom import ZONE_TARGETS_M
from hardware.sim.wifi_world import WifiWorld
from hardware.wifi.simulated import SimulatedCapture
from rf.wifi.frames import parse_frames
from rf.wifi.proximity import FLOOR_DBM, level_from_rssi, window_rssi_dbm
from tests.support.inspection_doubles import FakeSteps

ZONE = "vent"
SEED = 11


def _approaching_world(duration_s, *, from_m=4.0, to_m=0.3):
    """A world whose handheld walks in a straight line up to the camera at the vent."""
    target = np.asarray(ZONE_TARGETS_M[ZONE])
    away = np.array([0.0, -0.4, 1.0]) / np.linalg.norm([0.0, -0.4, 1.0])

    def at(t_s):
        share = min(t_s / duration_s, 1.0)
        return tuple(target + away * (from_m + (to_m - from_m) * share))

    world = WifiWorld(SEED, camera_zone=ZONE, receiver_at=at)
    mac = next(m for m, truth in world.truth.items() if truth.place == ZONE)
    device = next(d for d in world.devices if wifi_devices.mac_text(d.mac) == mac)
    return world, mac, device.radio.channel


def test_the_level_rises_as_the_handheld_closes_in_on_the_camera():
    world, mac, channel = _approaching_world(6.0)
    readings = list(follow_wifi(SimulatedCapture(world, SimulatedClock()), mac,
                                channel=channel, duration_s=6.0))
    assert len(readings) == 60  # ten a second of the capture's clock
    assert all(r.heard for r in readings)
    levels = np.array([r.level for r in readings])
    assert levels[-10:].mean() > levels[:10].mean() + 0.15
    assert np.corrcoef(np.arange(60), levels)[0, 1] > 0.8


def test_walking_away_the_level_falls():
    world, mac, channel = _approaching_world(6.0, from_m=0.3, to_m=4.0)
    levels = [r.level for r in follow_wifi(SimulatedCapture(world, SimulatedClock()), mac,
                                           channel=channel, duration_s=6.0)]
    assert np.mean(levels[-10:]) < np.mean(levels[:10]) - 0.15


def test_a_transmitter_not_on_the_air_reads_level_zero_and_silence_holds_the_level():
    world, mac, channel = _approaching_world(2.0)
    capture = SimulatedCapture(world, SimulatedClock())
    absent = list(follow_wifi(capture, "44:47:cc:00:00:01", channel=channel, duration_s=1.0))
    assert [(r.level, r.heard, r.power_db) for r in absent] == [(0.0, False, FLOOR_DBM)] * 10
    followed = follow_wifi(capture, mac, channel=channel)
    heard = next(followed)
    capture.set_channel(channel % 11 + 1)  # the camera is not on this channel: silence
    held = next(followed)
    assert heard.heard and not held.heard and held.level == heard.level


def test_the_rssi_of_one_window_is_the_median_of_that_transmitter_alone():
    world, mac, channel = _approaching_world(2.0)
    capture = SimulatedCapture(world, SimulatedClock())
    capture.set_channel(channel)
    frames = capture.read(0.5)
    parsed = parse_frames([f.time_s for f in frames], [f.data for f in frames])
    mine = parsed.frames["rssi_dbm"][parsed.frames["addr2"] == np.uint64(int(
        mac.replace(":", ""), 16))]
    assert window_rssi_dbm(parsed, int(mac.replace(":", ""), 16)) == round(
        float(np.median(mine)), 1)
    assert level_from_rssi(-100.0) == 0.0 and level_from_rssi(0.0) == 1.0
    assert level_from_rssi(-60.0) < level_from_rssi(-40.0)


class FollowingSteps(FakeSteps):
    """The doubles' sweep and scans, with the real passive survey and follow on one world."""

    def __init__(self):
        super().__init__()
        world, self.camera_mac, _ = _approaching_world(30.0)
        self.capture = SimulatedCapture(world, SimulatedClock())

    def wifi_passive(self):
        return passive_survey(self.capture)

    def wifi_follow(self, mac, channel, duration_s, on_reading):
        readings = []
        for reading in follow_wifi(self.capture, mac, channel=channel, duration_s=duration_s):
            on_reading(reading)
            readings.append(reading)
        return readings


def test_the_engine_follows_a_transmitter_its_survey_heard_and_publishes_each_reading(
        data_dir):
    from detector.engine.inspection_rules import InspectionError
    from detector.engine.inspections import open_service

    bus = EventBus()
    service = open_service(data_dir, steps=FollowingSteps(), bus=bus)
    try:
        state = service.start("mapo-7", "Kim Inspector")
        service.run_rf_step(state.id)
        mac = service.steps.camera_mac
        with bus.subscribe(kinds={"proximity"}, maxsize=1000) as readings:
            followed = service.follow_wifi(state.id, mac.upper(), duration_s=2.0)
            events = []
            while (event := readings.get(timeout_s=0)) is not None:
                events.append(event.data)
        assert followed["readings"] == len(events) == 20
        assert {e["mac"] for e in events} == {mac}
        assert all(0 < e["level"] <= 1 and e["rssi_dbm"] == e["power_db"] for e in events)
        with pytest.raises(InspectionError, match="no Wi-Fi survey heard"):
            service.follow_wifi(state.id, "44:47:cc:00:00:01")
    finally:
        service.store.close()


def test_the_command_line_follows_and_refuses_what_is_not_a_mac(capsys):
    from ansim.cli import main

    assert main(["wifi", "follow", "not-a-mac", "--simulate"]) == 2
    assert "not-a-mac" in capsys.readouterr().err
    world = WifiWorld(3)
    camera = next(m for m, truth in world.truth.items() if truth.kind == "camera"
                  and truth.sees_stall)
    assert main(["wifi", "follow", camera, "--simulate", "--seed", "3", "--seconds", "1",
                 "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 10 and {line["mac"] for line in lines} == {camera}
    assert all(line["heard"] and 0 < line["beep_interval_s"] <= 1 for line in lines)
