"""A stand-in for the indicators' wait between notes that samples the GPIO pins instead."""

import threading

BUZZER_PIN, VIBRATION_PIN, STATUS_PIN = 18, 23, 24


class PinRecorder:
    """Stands in for the wait between notes: samples the buzzer and motor pins at every note.

    Each sample is (tone_hz or None, motor_on, duration_s), read from the MockFactory pins, so
    a test hears what the device would play. ``until(n)`` blocks (on an Event, not a sleep)
    until n samples have been taken.
    """

    def __init__(self, factory):
        self.factory = factory
        self.samples = []
        self._lock = threading.Condition()

    def __call__(self, duration_s):
        buzzer = self.factory.pin(BUZZER_PIN)
        tone_hz = buzzer.frequency if buzzer.state > 0 else None
        motor_on = bool(self.factory.pin(VIBRATION_PIN).state)
        with self._lock:
            self.samples.append((tone_hz, motor_on, duration_s))
            self._lock.notify_all()

    def until(self, count, timeout_s=10.0):
        with self._lock:
            assert self._lock.wait_for(lambda: len(self.samples) >= count, timeout=timeout_s)
            return list(self.samples)

    def first_after(self, start, predicate, timeout_s=10.0):
        """Index of the first sample from ``start`` on that satisfies ``predicate`` (waits)."""
        def found():
            return next((i for i in range(start, len(self.samples))
                         if predicate(self.samples[i])), None)

        with self._lock:
            assert self._lock.wait_for(lambda: found() is not None, timeout=timeout_s)
            return found()


def counted_out(samples) -> list[int]:
    """The place numbers point cues (``hardware.gpio.indicators.point_cue``) counted out in
    ``samples``: after each long low buzzing note, the short high buzzing pulses that follow."""
    counts = []
    for tone_hz, vibrate, duration_s in samples:
        if tone_hz == 1319.0 and vibrate:
            counts.append(0)
        elif counts and tone_hz == 2637.0 and vibrate and duration_s == 0.1:
            counts[-1] += 1
    return counts
