"""The Pi camera's exposure bookkeeping, as pure functions of the metadata Picamera2 returns;
the device itself is tested only on a Pi (``-m pi``)."""

import pytest

from hardware.camera.picamera import (
    boottime_to_clock_s,
    exposure_window_s,
    fixed_exposure_controls,
    readout_s_for_mode,
)

# Picamera2.sensor_modes as an IMX708 (Camera Module 3 NoIR) reports them (abridged).
IMX708_MODES = [
    {"size": (1536, 864), "bit_depth": 10, "fps": 120.13},
    {"size": (2304, 1296), "bit_depth": 10, "fps": 56.03},
    {"size": (4608, 2592), "bit_depth": 10, "fps": 14.35},
]


def test_fixed_exposure_turns_automatic_exposure_and_white_balance_off():
    controls = fixed_exposure_controls(8000, 30)
    assert controls["AeEnable"] is False and controls["AwbEnable"] is False
    assert controls["ExposureTime"] == 8000
    assert controls["FrameDurationLimits"] == (33333, 33333)


def test_an_exposure_longer_than_a_frame_is_refused():
    with pytest.raises(ValueError, match="must be positive and fit in one frame"):
        fixed_exposure_controls(40_000, 30)


def test_readout_is_the_frame_time_of_the_mode_at_its_top_rate():
    assert readout_s_for_mode(IMX708_MODES, (1536, 864), 10) == pytest.approx(1 / 120.13)
    with pytest.raises(ValueError, match="no sensor mode of size"):
        readout_s_for_mode(IMX708_MODES, (640, 480))


def test_boottime_moves_onto_the_monotonic_clock_by_the_clocks_offset():
    # The machine slept 5 s at some point: boottime runs 5 s ahead of monotonic.
    assert boottime_to_clock_s(105_250_000_000, 106.0, 101.0) == pytest.approx(100.25)


def test_the_window_runs_from_the_first_rows_exposure_to_the_last_rows_end():
    metadata = {"SensorTimestamp": 10_000_000_000, "ExposureTime": 8000, "FrameDuration": 33333}
    start_s, end_s = exposure_window_s(metadata, readout_s=0.008, boottime_now_s=10.020,
                                       clock_now_s=10.020)
    assert start_s == pytest.approx(9.992)  # the first row's pixels arrive as its exposure ends
    assert end_s == pytest.approx(10.008)   # the last row ends one readout later


def test_metadata_without_a_timestamp_is_refused():
    with pytest.raises(ValueError, match="lacks SensorTimestamp"):
        exposure_window_s({"ExposureTime": 8000}, 0.008, 1.0, 1.0)


@pytest.mark.pi
def test_on_the_pi_lit_frames_follow_the_rings(mock_factory):
    """On the handheld: light the on-axis ring for a while and see frames report it."""
    from detector.appliance.profile import load_profile
    from hardware.camera.picamera import PicameraCamera
    from hardware.gpio.illuminator import Illuminator
    from hardware.gpio.pins import make_pin_factory

    profile = load_profile()
    rings = Illuminator(profile.pins.on_axis_ring, profile.pins.off_axis_ring,
                        pin_factory=make_pin_factory(False))
    camera = PicameraCamera(rings, width=640, height=480, fps=30, exposure_us=8000)
    try:
        dark = [camera.read_frame() for _ in range(10)]
        rings.set_rings(on_axis=True, off_axis=False)
        lit = [camera.read_frame() for _ in range(10)]
    finally:
        camera.close()
        rings.close()
    assert all(f.on_axis == 0 for f in dark[-3:])
    assert all(f.on_axis == 1 for f in lit[-3:])
    assert lit[-1].image.mean() > dark[-1].image.mean()
