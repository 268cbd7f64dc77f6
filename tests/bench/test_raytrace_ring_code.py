"""The device's ring code as the ray-traced renderer takes it (``--ring-code device``)."""

import dataclasses
from collections import Counter

import numpy as np
import pytest

from bench.raytrace.capture import scene_of
from bench.raytrace.seeds import (
    DEVICE_STATE_NAMES,
    N_FRAMES,
    RING_STATES,
    device_ring_states,
    spec_for,
)
from detector.engine.scanning import blink_code


def test_the_device_window_holds_the_captures_states_in_the_devices_blocks():
    states = device_ring_states()
    assert len(states) == N_FRAMES
    assert Counter(states) == Counter(RING_STATES)  # the same glints to find, in another order
    for start in range(0, N_FRAMES - 2, 3):  # each block of three lights each state once
        assert sorted(states[start:start + 3]) == ["dark", "off_axis", "on"]
    on_axis = [k for k, state in enumerate(states) if state == "on"]
    assert max(b - a for a, b in zip(on_axis, on_axis[1:])) <= 5


def test_the_device_window_is_a_run_of_a_scans_own_code():
    code = [DEVICE_STATE_NAMES[state] for state in blink_code(48)]
    window = list(device_ring_states())
    assert any(code[start:start + N_FRAMES] == window for start in range(0, 48 - N_FRAMES + 1))


def test_a_whole_scan_is_the_devices_code_and_a_frame_per_state():
    scan = device_ring_states(48)
    assert list(scan) == [DEVICE_STATE_NAMES[state] for state in blink_code(48)]
    spec = dataclasses.replace(spec_for(1000), states=scan)
    place, poses, levels = scene_of(spec)
    assert len(poses) == len(levels) == 48
    cached = scene_of(spec_for(1000))[1]  # the same walk's ends, in 16 frames
    assert np.allclose(poses[0].location, cached[0].location)


def test_other_lengths_are_refused():
    with pytest.raises(ValueError, match="16 or 48"):
        device_ring_states(20)
