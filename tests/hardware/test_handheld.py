import numpy as np

from hardware.clock import SimulatedClock
from hardware.sim.handheld import SimulatedHandheld


def test_moving_to_a_zone_puts_the_handheld_in_front_of_its_target(restroom):
    clock = SimulatedClock()
    handheld = SimulatedHandheld(restroom, clock)
    clock.advance(100.0)  # a long RF sweep: the zone still starts where the path starts it
    handheld.move_to("toilet_flush")
    start_s, _ = restroom.zone_window_s("toilet_flush")
    assert np.allclose(handheld.pose().position_m, restroom.pose_at(start_s).position_m)


def test_a_long_step_sweeps_back_and_forth_within_the_zone(restroom):
    clock = SimulatedClock()
    handheld = SimulatedHandheld(restroom, clock)
    handheld.move_to("door_hook")
    start_s, end_s = restroom.zone_window_s("door_hook")
    span_s = end_s - start_s
    clock.advance(1.5 * span_s)
    back = handheld.pose().position_m
    assert np.allclose(back, restroom.pose_at(start_s + 0.5 * span_s).position_m)


def test_the_pose_moves_as_time_passes(restroom):
    clock = SimulatedClock()
    handheld = SimulatedHandheld(restroom, clock)
    handheld.move_to("paper_holder")
    before = handheld.pose().position_m
    clock.advance(1.0)
    assert np.linalg.norm(handheld.pose().position_m - before) > 0.01
