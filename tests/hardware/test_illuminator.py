import pytest

from hardware.clock import SimulatedClock
from hardware.gpio.illuminator import Illuminator


@pytest.fixture
def rings(mock_factory):
    clock = SimulatedClock()
    return Illuminator(17, 27, pin_factory=mock_factory, clock=clock), clock, mock_factory


def test_switching_a_ring_drives_its_pin(rings):
    illuminator, _, factory = rings
    illuminator.set_rings(on_axis=True, off_axis=False)
    assert factory.pin(17).state == 1
    assert factory.pin(27).state == 0


def test_lit_fraction_follows_the_switch_log_not_the_present_state(rings):
    illuminator, clock, _ = rings
    clock.advance(1.0)
    illuminator.set_rings(on_axis=True, off_axis=False)
    clock.advance(0.5)
    illuminator.set_rings(on_axis=False, off_axis=True)
    clock.advance(1.0)
    on_axis, off_axis = illuminator.lit_fractions(0.75, 1.75)
    assert on_axis == pytest.approx(0.5)
    assert off_axis == pytest.approx(0.25)


def test_an_empty_exposure_window_is_refused(rings):
    illuminator, _, _ = rings
    with pytest.raises(ValueError, match="empty exposure window"):
        illuminator.lit_fractions(1.0, 1.0)
