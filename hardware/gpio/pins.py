"""Choosing gpiozero's pin factory: the real GPIO on a Pi, gpiozero's MockFactory elsewhere."""

from pathlib import Path

_PI_MODEL_PATH = Path("/proc/device-tree/model")


def running_on_pi() -> bool:
    """True on a Raspberry Pi (its device tree names the model)."""
    try:
        return "Raspberry Pi" in _PI_MODEL_PATH.read_text(errors="replace")
    except OSError:
        return False


def make_pin_factory(simulate: bool):
    """Return a pin factory: gpiozero's default (real pins) on a Pi unless ``simulate``.

    Off the Pi, or when simulating, this is a ``MockFactory`` with PWM-capable pins, so LED
    brightness, buzzer tones and button presses behave as on the device.
    """
    if not simulate and running_on_pi():
        from gpiozero import Device  # noqa: PLC0415 - real factory chosen by gpiozero itself

        return Device._default_pin_factory()
    from gpiozero.pins.mock import MockFactory, MockPWMPin  # noqa: PLC0415 (import cost)

    return MockFactory(pin_class=MockPWMPin)
