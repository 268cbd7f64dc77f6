import threading

import pytest

from hardware.gpio.buttons import Buttons

START, NEXT, MARK = 5, 6, 26


class Presses:
    """Records which handler fired; ``wait_for(name)`` blocks on an Event, not a sleep."""

    def __init__(self, buttons):
        self.log = []
        self._events = {}
        for name in ("start", "next", "mark", "cancel"):
            self._events[name] = threading.Event()
            setattr(buttons, f"on_{name}", self._handler(name))

    def _handler(self, name):
        def handler():
            self.log.append(name)
            self._events[name].set()
        return handler

    def wait_for(self, name, timeout_s=10.0):
        assert self._events[name].wait(timeout_s), f"{name} never fired"


@pytest.fixture
def make_buttons(mock_factory):
    made = []

    def make(**kwargs):
        buttons = Buttons(START, NEXT, MARK, pin_factory=mock_factory, **kwargs)
        made.append(buttons)
        return buttons, Presses(buttons), mock_factory

    yield make
    for buttons in made:
        buttons.close()


def _click(factory, pin):
    factory.pin(pin).drive_low()
    factory.pin(pin).drive_high()


def test_buttons_are_wired_to_ground_with_pull_ups(make_buttons):
    _, _, factory = make_buttons()
    for pin in (START, NEXT, MARK):
        assert factory.pin(pin).pull == "up"
        assert factory.pin(pin).state == 1  # released reads high


def test_next_and_mark_act_as_they_go_down(make_buttons):
    _, presses, factory = make_buttons()
    factory.pin(NEXT).drive_low()
    assert presses.log == ["next"]
    factory.pin(MARK).drive_low()
    assert presses.log == ["next", "mark"]
    factory.pin(NEXT).drive_high()
    factory.pin(MARK).drive_high()
    assert presses.log == ["next", "mark"]


def test_start_acts_on_release_of_a_short_press(make_buttons):
    _, presses, factory = make_buttons()  # the default hold time is far longer than a click
    factory.pin(START).drive_low()
    assert presses.log == []
    factory.pin(START).drive_high()
    assert presses.log == ["start"]


def test_holding_start_cancels_once_and_its_release_does_not_start(make_buttons):
    _, presses, factory = make_buttons(hold_time_s=0.05)
    factory.pin(START).drive_low()
    presses.wait_for("cancel")  # gpiozero's own hold timer fires
    factory.pin(START).drive_high()
    assert presses.log == ["cancel"]
    _click(factory, START)  # holds do not linger into the next press
    assert presses.log == ["cancel", "start"]


def test_a_button_with_no_handler_is_ignored(mock_factory):
    buttons = Buttons(START, NEXT, MARK, pin_factory=mock_factory)
    _click(mock_factory, NEXT)
    _click(mock_factory, START)
    buttons.close()
