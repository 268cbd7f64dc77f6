"""The handheld's three buttons: start, next step, mark suspicious; holding start cancels.

Wiring: each button between its GPIO pin (BCM numbering, from the device profile) and ground;
the Pi's internal pull-ups hold the pins high, so no resistors are needed. gpiozero debounces.

Start acts when it is released, because holding it for ``hold_time_s`` means something else
(cancel) and a press cannot know yet which it will be; a hold fires cancel once and its release
does nothing more. Next and mark have no hold meaning, so they act the moment they go down.

The handlers are plain attributes (``on_start``, ``on_next``, ``on_mark``, ``on_cancel``),
called from gpiozero's event threads; they must return quickly (the inspection controller
queues the work).

Example::

    from hardware.gpio.pins import make_pin_factory
    buttons = Buttons(start_pin=5, next_pin=6, mark_pin=26, pin_factory=make_pin_factory(True))
    buttons.on_next = lambda: print("next")
"""

import threading

from gpiozero import Button

HOLD_TIME_S = 1.5
BOUNCE_TIME_S = 0.02


class Buttons:
    """Start / next / mark buttons with a long press on start to cancel."""

    def __init__(self, start_pin, next_pin, mark_pin, pin_factory=None, hold_time_s=HOLD_TIME_S,
                 bounce_time_s=BOUNCE_TIME_S):
        self.on_start = self.on_next = self.on_mark = self.on_cancel = None
        self._start = Button(start_pin, hold_time=hold_time_s, bounce_time=bounce_time_s,
                             pin_factory=pin_factory)
        self._next = Button(next_pin, bounce_time=bounce_time_s, pin_factory=pin_factory)
        self._mark = Button(mark_pin, bounce_time=bounce_time_s, pin_factory=pin_factory)
        self._lock = threading.Lock()
        self._start_was_held = False
        self._start.when_pressed = self._start_pressed
        self._start.when_held = self._start_held
        self._start.when_released = self._start_released
        self._next.when_pressed = lambda: _call(self.on_next)
        self._mark.when_pressed = lambda: _call(self.on_mark)

    def _start_pressed(self) -> None:
        with self._lock:
            self._start_was_held = False

    def _start_held(self) -> None:
        with self._lock:
            self._start_was_held = True
        _call(self.on_cancel)

    def _start_released(self) -> None:
        with self._lock:
            was_held = self._start_was_held
        if not was_held:
            _call(self.on_start)

    def close(self) -> None:
        for button in (self._start, self._next, self._mark):
            button.close()


def _call(handler) -> None:
    if handler is not None:
        handler()
