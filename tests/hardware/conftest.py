"""Fixtures for the GPIO drivers: gpiozero's MockFactory pins, read the way a scope would."""

import pytest

from hardware.gpio.indicators import Indicators
from tests.hardware.pin_recorder import (
    BUZZER_PIN,
    STATUS_PIN,
    VIBRATION_PIN,
    PinRecorder,
)


@pytest.fixture
def recorder(mock_factory):
    return PinRecorder(mock_factory)


@pytest.fixture
def indicators(mock_factory, recorder):
    device = Indicators(BUZZER_PIN, VIBRATION_PIN, STATUS_PIN, pin_factory=mock_factory,
                        wait=recorder)
    yield device
    device.close()
