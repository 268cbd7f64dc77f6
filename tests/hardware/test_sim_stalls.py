"""The simulated restroom holds one hidden camera, in one stall, as the README says: the other
stalls are the same stall without it, and its transmitter is heard there through the
partition."""

import numpy as np

from detector.engine.proximity import follow
from hardware.clock import SimulatedClock
from hardware.radio.simulated import SimulatedSource
from hardware.sim.handheld import CAMERA_STALL, PARTITION_LOSS_DB, SimulatedHandheld
from hardware.sim.restroom import build_restroom


def test_the_restroom_hides_one_camera():
    scene = build_restroom(seed=0)
    assert len(scene.hidden_camera_lenses()) == 1
    assert len(scene.hidden_camera_emitters()) == 1


def test_only_the_cameras_stall_shows_its_lens():
    scene = build_restroom(seed=0)
    handheld = SimulatedHandheld(scene, SimulatedClock())
    lens = scene.hidden_camera_lenses()[0]
    for stall in (1, 2, 3):
        handheld.move_to(lens.zone, stall)
        assert (lens in handheld.surfaces()) == (stall == CAMERA_STALL)
        # Everything else (chrome, screws, the flush sensor's LED) is in every stall.
        assert len(handheld.surfaces()) == len(scene.surfaces) - (stall != CAMERA_STALL)


def test_the_transmitter_reads_weaker_from_the_next_stall():
    scene = build_restroom(seed=1)
    radio = SimulatedSource(SimulatedHandheld(scene, SimulatedClock()), seed=1)
    camera = scene.hidden_camera_emitters()[0]
    zone = scene.hidden_camera_lenses()[0].zone
    power_db = {}
    for stall in (CAMERA_STALL, CAMERA_STALL + 1):
        radio.handheld.move_to(zone, stall)
        readings = list(follow(radio, camera.freq_hz, bandwidth_hz=2e6, duration_s=0.5))
        power_db[stall] = np.median([r.power_db for r in readings])
    drop_db = power_db[CAMERA_STALL] - power_db[CAMERA_STALL + 1]
    assert abs(drop_db - PARTITION_LOSS_DB) < 3.0
