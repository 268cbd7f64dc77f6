import pytest

from hardware.clock import SimulatedClock
from hardware.gpio.illuminator import Illuminator

ON_AXIS, OFF_AXIS, RED = 12, 13, 17


@pytest.fixture
def rig(mock_factory):
    clock = SimulatedClock()
    illuminator = Illuminator(ON_AXIS, OFF_AXIS, pin_factory=mock_factory, clock=clock,
                              red_pin=RED)
    yield illuminator, clock, mock_factory
    illuminator.close()


def test_dimmed_rings_are_driven_by_pwm_at_the_ring_frequency(rig):
    illuminator, _, factory = rig
    illuminator.set_brightness(0.25)
    illuminator.set_rings(on_axis=True, off_axis=False)
    assert factory.pin(ON_AXIS).state == pytest.approx(0.25)
    assert factory.pin(ON_AXIS).frequency >= 8_000  # >= 64 periods in an 8 ms exposure
    assert factory.pin(OFF_AXIS).state == 0


def test_changing_brightness_mid_exposure_is_weighted_in_the_lit_fraction(rig):
    illuminator, clock, _ = rig
    illuminator.set_rings(on_axis=True, off_axis=False)
    clock.advance(1.0)
    illuminator.set_brightness(0.5)
    clock.advance(1.0)
    on_axis, off_axis = illuminator.lit_fractions(0.0, 2.0)
    assert on_axis == pytest.approx(0.75)
    assert off_axis == 0.0


@pytest.mark.parametrize("brightness", [0.0, -0.1, 1.5])
def test_a_brightness_outside_0_to_1_is_refused(rig, brightness):
    illuminator, _, _ = rig
    with pytest.raises(ValueError, match="brightness"):
        illuminator.set_brightness(brightness)


def test_the_red_ring_switches_alone_and_keeps_its_own_log(rig):
    illuminator, clock, factory = rig
    illuminator.set_rings(on_axis=False, off_axis=False, red=True)
    clock.advance(2.0)
    illuminator.set_rings(on_axis=True, off_axis=False)  # red=None: left as it was
    clock.advance(2.0)
    assert factory.pin(RED).state == 1
    assert illuminator.lit_fraction("red", 0.0, 4.0) == pytest.approx(1.0)
    assert illuminator.lit_fractions(0.0, 4.0) == pytest.approx((0.5, 0.0))


def test_an_illuminator_without_a_red_ring_refuses_to_light_one(mock_factory):
    illuminator = Illuminator(ON_AXIS, OFF_AXIS, pin_factory=mock_factory,
                              clock=SimulatedClock())
    with pytest.raises(ValueError, match="no red ring"):
        illuminator.set_rings(on_axis=False, off_axis=False, red=True)
    with pytest.raises(ValueError, match="no ring 'red'"):
        illuminator.lit_fraction("red", 0.0, 1.0)
    illuminator.close()


def test_rings_set_before_each_exposure_stay_in_step_with_the_frames(rig):
    """A camera at 30 fps; the rings are set to each frame's state as its exposure starts, and
    each exposure then sees exactly that state."""
    illuminator, clock, factory = rig
    frame_period_s, exposure_s = 1 / 30, 0.008
    code = ((True, False), (False, True), (False, False))
    seen = []
    for index in range(7):
        wanted = code[index % len(code)]
        illuminator.set_rings(on_axis=wanted[0], off_axis=wanted[1])
        start_s = clock.now_s()
        assert (factory.pin(ON_AXIS).state, factory.pin(OFF_AXIS).state) == wanted
        clock.advance(frame_period_s)
        seen.append(illuminator.lit_fractions(start_s, start_s + exposure_s))
    assert seen == [(1.0, 0.0), (0.0, 1.0), (0.0, 0.0)] * 2 + [(1.0, 0.0)]
