"""The handheld's indicators: a passive piezo buzzer, a vibration motor and a status LED.

Wiring (see hardware/README.md and hardware/wiring.svg): the piezo buzzer from its GPIO pin
through an NPN transistor (or directly, for a small piezo, through 100 ohm); the coin vibration
motor through a logic-level MOSFET with a flyback diode across the motor; the status LED through
a 330 ohm resistor to ground.

What the inspector hears and feels is a ``Cue``: a short tuple of ``Note`` steps, each a tone
(or silence) with the motor on or off, played on a background thread so a button handler never
waits for a beep. Cues queue up and play whole: a result is never cut short by the next press.
While nothing is queued and a proximity level is set, the buzzer ticks with a rate and pitch
that rise with the level (0 = far, 1 = on top of the emitter), like a Geiger counter.

The status LED shows the handheld's state with gpiozero's own blink patterns, independent of the
cues: ready (slow breathing), working (blinking), and the last result (clear: steady;
suspicious: slow blink; found: fast blink).

Example::

    from hardware.gpio.pins import make_pin_factory
    indicators = Indicators(buzzer_pin=18, vibration_pin=23, status_pin=24,
                            pin_factory=make_pin_factory(True))
    indicators.play(CUES["found"])
"""

import collections
import math
import threading
from dataclasses import dataclass

from gpiozero import PWMLED, DigitalOutputDevice, TonalBuzzer
from gpiozero.tones import Tone

#: The buzzer's range: A5..A7 (880-3520 Hz) brackets the 2-4 kHz resonance of common piezos.
BUZZER_MID_TONE_HZ = 1760.0
PROXIMITY_PERIOD_FAR_S = 1.0
PROXIMITY_PERIOD_NEAR_S = 0.08
PROXIMITY_TICK_S = 0.04


@dataclass(frozen=True)
class Note:
    """One step of a cue: ``tone_hz`` (None: silent) and the motor, for ``duration_s``."""

    duration_s: float
    tone_hz: float | None = None
    vibrate: bool = False


Cue = tuple[Note, ...]


def _pulses(count: int, on_s: float, off_s: float, tone_hz: float, vibrate: bool) -> Cue:
    return tuple(note for _ in range(count)
                 for note in (Note(on_s, tone_hz, vibrate), Note(off_s)))


#: Every cue the handheld plays. The three results differ in pitch, rhythm and in how many
#: times the motor buzzes (1, 3, one long), so they can be told apart by ear or by hand alone.
CUES: dict[str, Cue] = {
    "ack": (Note(0.05, 2637.0),),
    "refused": (Note(0.12, 880.0), Note(0.06), Note(0.12, 880.0)),
    "started": (Note(0.08, 1760.0, True), Note(0.04), Note(0.08, 2637.0)),
    "step_done": (Note(0.06, 2217.0), Note(0.04), Note(0.06, 2960.0)),
    "marked": (Note(0.15, 2349.0, True),),
    "alert": _pulses(2, 0.25, 0.1, 3136.0, True),
    "error": (Note(0.6, 880.0, True), Note(0.1), Note(0.6, 880.0)),
    "cancelled": (Note(0.15, 2637.0), Note(0.15, 1760.0), Note(0.3, 880.0, True)),
    "clear": (Note(0.12, 1760.0), Note(0.12, 2217.0), Note(0.4, 2637.0, True)),
    "suspicious": _pulses(3, 0.3, 0.3, 2000.0, True),
    "found": _pulses(8, 0.1, 0.06, 3520.0, False) + (Note(1.5, 3520.0, True),),
}

#: The most places a point cue counts out: a longer count can no longer be followed by ear
#: (a stall's checklist has eight places).
MAX_POINT_PLACES = 9


def point_cue(place_number: int) -> Cue:
    """"Point the handheld at place ``place_number``": one long low note with the motor, then
    that many short high pulses, each with a buzz, counted by ear or by hand (places numbered
    from 1 in the order the inspector walks the stall's checklist). The Wi-Fi place check
    plays it at each place it dims the rings at (docs/device.md)."""
    if not 1 <= place_number <= MAX_POINT_PLACES:
        raise ValueError(f"place_number must be 1..{MAX_POINT_PLACES}, not {place_number!r}")
    return (Note(0.4, 1319.0, True), Note(0.3)) + _pulses(place_number, 0.1, 0.2, 2637.0, True)


#: Status LED patterns: None = dark, "steady" = on, else (on_time_s, off_time_s) blinking or,
#: for "ready", a slow breathing pulse.
STATUS_PATTERNS = {
    "off": None,
    "ready": "pulse",
    "working": (0.2, 0.3),
    "clear": "steady",
    "suspicious": (0.5, 1.0),
    "found": (0.1, 0.1),
}


def proximity_cue(level: float) -> Cue:
    """One tick of the proximity beeper: faster and higher as ``level`` (0..1) rises."""
    if math.isnan(level):
        raise ValueError("proximity level is NaN")
    level = min(max(level, 0.0), 1.0)
    period_s = PROXIMITY_PERIOD_FAR_S - (PROXIMITY_PERIOD_FAR_S - PROXIMITY_PERIOD_NEAR_S) * level
    tone_hz = BUZZER_MID_TONE_HZ * 2.0 ** level  # one octave up at the closest
    return (Note(PROXIMITY_TICK_S, tone_hz), Note(period_s - PROXIMITY_TICK_S))


class Indicators:
    """Buzzer, vibration motor and status LED, with a background cue player.

    ``wait(duration_s)`` is how the player lets a note sound; by default it is a real wait that
    ``close`` interrupts. Tests pass their own to sample the pins at every note.
    """

    def __init__(self, buzzer_pin, vibration_pin, status_pin, pin_factory=None, wait=None):
        self._buzzer = TonalBuzzer(buzzer_pin, mid_tone=Tone(frequency=BUZZER_MID_TONE_HZ),
                                   octaves=1, pin_factory=pin_factory)
        self._motor = DigitalOutputDevice(vibration_pin, pin_factory=pin_factory)
        self._status = PWMLED(status_pin, pin_factory=pin_factory)
        self._stopping = threading.Event()
        self._wait = wait or self._stopping.wait
        self._changed = threading.Condition()
        self._queue: collections.deque[Cue] = collections.deque()
        self._busy = False
        self._proximity: float | None = None
        self.status = "off"
        self._player = threading.Thread(target=self._run, name="ansim-indicators", daemon=True)
        self._player.start()

    def play(self, cue: Cue, background: bool = True) -> None:
        """Queue ``cue`` behind any cue still playing (or, not in background, play it now)."""
        if not background:
            self._perform(cue)
            return
        with self._changed:
            self._queue.append(cue)
            self._changed.notify_all()

    def set_proximity(self, level: float | None) -> None:
        """Tick at the rate for ``level`` (0..1) whenever no cue plays; None stops ticking."""
        if level is not None:
            proximity_cue(level)  # refuse a NaN here, in the caller's thread
        with self._changed:
            self._proximity = level
            self._changed.notify_all()

    def set_status(self, mode: str) -> None:
        """Show ``mode`` (a key of ``STATUS_PATTERNS``) on the status LED."""
        if mode not in STATUS_PATTERNS:
            raise ValueError(f"unknown status {mode!r}; choose one of {sorted(STATUS_PATTERNS)}")
        pattern = STATUS_PATTERNS[mode]
        if pattern is None:
            self._status.off()
        elif pattern == "steady":
            self._status.on()
        elif pattern == "pulse":
            self._status.pulse(fade_in_time=1.0, fade_out_time=1.0)
        else:
            self._status.blink(on_time=pattern[0], off_time=pattern[1])
        self.status = mode

    def wait_until_quiet(self, timeout_s: float | None = None) -> bool:
        """Block until every queued cue has played; False if ``timeout_s`` ran out first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._queue and not self._busy,
                                          timeout=timeout_s)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._stopping.is_set() or self._queue
                                       or self._proximity is not None)
                if self._stopping.is_set():
                    return
                cue = self._queue.popleft() if self._queue else proximity_cue(self._proximity)
                self._busy = True
            try:
                self._perform(cue)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()

    def _perform(self, cue: Cue) -> None:
        for note in cue:
            if self._stopping.is_set():
                break
            if note.tone_hz is None:
                self._buzzer.stop()
            else:
                self._buzzer.play(Tone(frequency=note.tone_hz))
            self._motor.value = note.vibrate
            self._wait(note.duration_s)
        self._buzzer.stop()
        self._motor.off()

    def close(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        self._player.join(timeout=5.0)
        for device in (self._buzzer, self._motor, self._status):
            device.close()
