"""The illuminator: an on-axis 850 nm LED ring tight around the camera lens, a matched off-axis
ring ~8-10 cm away, and an optional visible red ring, each switched by a MOSFET from a GPIO pin.

Wiring: each ring's MOSFET gate to its GPIO pin (BCM numbering, from the device profile) through
a 100 ohm resistor, with a 10 kohm pull-down so the ring stays dark while the Pi boots; the rings'
supply through their own current limiting (see hardware/README.md for currents and IR
eye-safety).

Brightness is PWM. At full brightness the pin is held high (no ripple at all); dimmed, the PWM
runs at ``pwm_frequency_hz`` (10 kHz by default, the top of lgpio's software PWM), so a frame
exposed for 8 ms integrates 80 whole periods and frame-to-frame ripple stays near 1 %. A lock-in
measurement is only as good as that ripple, so dim with the rings' current resistors first and
PWM second.

Every switch is logged with the session clock's time, so a camera backend can work out what
fraction of a frame's exposure each ring was lit from the frame's own timestamp and exposure
(``lit_fractions``), with no reliance on sleeps or on when Python happened to run. The scan
(``detector.engine.scanning``) sets each frame's ring state before the camera exposes it, and
the switch log records where the rings really were.

Example::

    from hardware.gpio.pins import make_pin_factory
    ring = Illuminator(on_axis_pin=12, off_axis_pin=13, pin_factory=make_pin_factory(True))
    ring.set_rings(on_axis=True, off_axis=False)
"""

import bisect

from gpiozero import PWMLED

from hardware.clock import MonotonicClock

RINGS = ("on_axis", "off_axis")
ALL_RINGS = RINGS + ("red",)
RING_PWM_FREQUENCY_HZ = 10_000


class Illuminator:
    """The LED rings, with a log of every switch for exposure bookkeeping."""

    def __init__(self, on_axis_pin, off_axis_pin, pin_factory=None, clock=None, brightness=1.0,
                 red_pin=None, pwm_frequency_hz=RING_PWM_FREQUENCY_HZ):
        self.clock = clock or MonotonicClock()
        self.brightness = _checked_brightness(brightness)
        pins = {"on_axis": on_axis_pin, "off_axis": off_axis_pin, "red": red_pin}
        self._leds = {
            ring: PWMLED(pin, pin_factory=pin_factory, frequency=pwm_frequency_hz)
            for ring, pin in pins.items() if pin is not None
        }
        self._lit = {ring: False for ring in self._leds}
        start_s = self.clock.now_s()
        self._log = {ring: ([start_s], [0.0]) for ring in self._leds}

    @property
    def has_red_ring(self) -> bool:
        return "red" in self._leds

    def set_rings(self, on_axis: bool, off_axis: bool, red: bool | None = None) -> None:
        """Light or darken each IR ring (and the red one, unless ``red`` is None) now."""
        if red is not None and not self.has_red_ring:
            raise ValueError("this illuminator has no red ring (red_pin was not given)")
        wanted = {"on_axis": on_axis, "off_axis": off_axis}
        if red is not None:
            wanted["red"] = red
        self._lit.update(wanted)
        self._apply(self.clock.now_s())

    def set_brightness(self, brightness: float) -> None:
        """Change the PWM level of every lit ring (and of rings lit later) from now on."""
        self.brightness = _checked_brightness(brightness)
        self._apply(self.clock.now_s())

    def _apply(self, now_s: float) -> None:
        for ring, led in self._leds.items():
            level = self.brightness if self._lit[ring] else 0.0
            led.value = level
            times, levels = self._log[ring]
            if levels[-1] != level:
                times.append(now_s)
                levels.append(level)

    def state(self) -> dict[str, float]:
        """Each ring's current drive level (0 = dark)."""
        return {ring: led.value for ring, led in self._leds.items()}

    def lit_fractions(self, start_s: float, end_s: float) -> tuple[float, float]:
        """Fraction of [start_s, end_s] that each IR ring was lit (weighted by brightness)."""
        return tuple(self.lit_fraction(ring, start_s, end_s) for ring in RINGS)

    def lit_fraction(self, ring: str, start_s: float, end_s: float) -> float:
        """Fraction of [start_s, end_s] that ``ring`` was lit (weighted by brightness)."""
        if end_s <= start_s:
            raise ValueError(f"empty exposure window [{start_s}, {end_s}]")
        if ring not in self._log:
            raise ValueError(f"no ring {ring!r}; this illuminator has {sorted(self._log)}")
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


def _checked_brightness(brightness: float) -> float:
    if not 0.0 < brightness <= 1.0:
        raise ValueError(f"brightness must be in (0, 1], not {brightness!r}")
    return float(brightness)
