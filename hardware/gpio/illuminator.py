"""The illuminator: an on-axis LED ring tight around the camera lens and an off-axis ring
~8-10 cm away, each switched by a MOSFET from a GPIO pin.

Wiring: each ring's MOSFET gate to its GPIO pin (BCM numbering, from the device profile) through
a 100 ohm resistor, with a 10 kohm pull-down; the rings' supply through their own current
limiting (see hardware/README.md for currents and IR eye-safety).

Every switch is logged with the session clock's time, so a camera backend can work out what
fraction of a frame's exposure each ring was lit from the frame's own timestamp and exposure
(``lit_fractions``), with no reliance on sleeps or on when Python happened to run.

Example::

    from hardware.gpio.pins import make_pin_factory
    ring = Illuminator(on_axis_pin=17, off_axis_pin=27, pin_factory=make_pin_factory(True))
    ring.set_rings(on_axis=True, off_axis=False)
"""

import bisect

from gpiozero import PWMLED

from hardware.clock import MonotonicClock

RINGS = ("on_axis", "off_axis")


class Illuminator:
    """The two LED rings, with a log of every switch for exposure bookkeeping."""

    def __init__(self, on_axis_pin, off_axis_pin, pin_factory=None, clock=None, brightness=1.0):
        self.clock = clock or MonotonicClock()
        self.brightness = brightness
        self._leds = {
            "on_axis": PWMLED(on_axis_pin, pin_factory=pin_factory),
            "off_axis": PWMLED(off_axis_pin, pin_factory=pin_factory),
        }
        start_s = self.clock.now_s()
        self._log = {ring: ([start_s], [0.0]) for ring in RINGS}

    def set_rings(self, on_axis: bool, off_axis: bool) -> None:
        """Light or darken each ring now, and log the switch time."""
        now_s = self.clock.now_s()
        for ring, lit in zip(RINGS, (on_axis, off_axis)):
            level = self.brightness if lit else 0.0
            self._leds[ring].value = level
            times, levels = self._log[ring]
            if levels[-1] != level:
                times.append(now_s)
                levels.append(level)

    def state(self) -> dict[str, float]:
        """Each ring's current drive level (0 = dark)."""
        return {ring: self._leds[ring].value for ring in RINGS}

    def lit_fractions(self, start_s: float, end_s: float) -> tuple[float, float]:
        """Fraction of [start_s, end_s] that each ring was lit (weighted by brightness)."""
        if end_s <= start_s:
            raise ValueError(f"empty exposure window [{start_s}, {end_s}]")
        return tuple(self._lit_fraction(ring, start_s, end_s) for ring in RINGS)

    def _lit_fraction(self, ring: str, start_s: float, end_s: float) -> float:
        times, levels = self._log[ring]
        first = max(bisect.bisect_right(times, start_s) - 1, 0)
        ends = times[first + 1 :] + [float("inf")]
        lit_s = 0.0
        for seg_start_s, seg_end_s, level in zip(times[first:], ends, levels[first:]):
            if seg_start_s >= end_s:
                break
            lit_s += max(min(seg_end_s, end_s) - max(seg_start_s, start_s), 0.0) * level
        return lit_s / (end_s - start_s)

    def close(self) -> None:
        for led in self._leds.values():
            led.close()
