"""Fixtures shared by every test: seeded scenes and gpiozero's own MockFactory."""

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin

from hardware.sim.restroom import build_restroom


@pytest.fixture
def mock_factory():
    """gpiozero's MockFactory with PWM pins, swapped in for one test and reset after it."""
    saved = Device.pin_factory
    Device.pin_factory = MockFactory(pin_class=MockPWMPin)
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = saved


@pytest.fixture
def restroom():
    """The default stall with its hidden camera, seed 1."""
    return build_restroom(seed=1)


@pytest.fixture
def empty_restroom():
    """The same stall with no hidden camera."""
    return build_restroom(seed=1, hidden_camera=False)
