"""The Wi-Fi survey of an inspection: beside the RF sweep, and at every place the optical step
scans, with the rings as the stimulus.

- ``passive_survey``: beside the sweep, the adapter hops the channels (``PASSIVE_DWELL_S``
  each) and every transmitter is inventoried and classified from its traffic alone.
- ``WifiStimulus.stimulate``: after a place's optical scan the adapter parks on the channel of
  the likeliest camera the passive survey heard (``stimulus_channel``) and the rings flicker
  to a fresh code for ``PLACE_SCAN_S`` (the visible red ring with them, for cameras with an
  IR-cut filter); the code's envelope is logged on the capture's clock, and so is what the
  rings were switched to, slot by slot (the lock-in's flicker test reads each picture against
  it). The optical scan itself flickers the rings too, so its time is logged as level 1 in
  the envelope. The lock-in is run over every place of the stall so far, so the decision
  that matters is ready when the stall's optical step ends; each survey step holds it.
- ``WifiStimulus.check``: once every checklist place of the stall has been scanned and a
  transmitter answers, the place check (``rf.wifi.place_check``): the inspector points the
  handheld at one place after another, the rings dimmed to ``CHECK_DRIVE`` so a camera's
  encoder stays below its rate cap, and the place whose light changes moved the pictures
  most is named. The first round points at every place of the stall (steepest stall-code
  slope first, ``CHECK_PLACE_S`` each); while the best is not surely above the runner-up,
  further rounds point at the leading places (``rf.wifi.place_check.next_round``), each
  place's rounds read together, within ``MAX_CHECK_S`` of code in all.
``detector.engine.inspection_steps.wifi_result`` turns an outcome into the record's view.

Wi-Fi silence is never evidence of a clear restroom: a camera that records to a card sends
nothing (``detector.engine.fusion``).
"""

from dataclasses import dataclass, field

import numpy as np

from hardware.wifi.capture import hop
from rf.wifi.analysis import analyze
from rf.wifi.lockin import StimulusLog
from rf.wifi.oui import default_registry
from rf.wifi.place import PlaceWindow
from rf.wifi.place_check import CHECK_DRIVE, CHECK_PLACE_S
from rf.wifi.stimulus import FLICKER_S, check_stimulus, stall_stimulus

PASSIVE_DWELL_S = 0.5
PASSIVE_SURVEY_S = 10.0


@dataclass
class WifiOutcome:
    """What one survey step heard and concluded."""

    frames: list
    survey: object  # rf.wifi.analysis.WifiSurvey
    places: list[str] = field(default_factory=list)
    #: The places the place check pointed the rings at, in order, its seconds and rounds.
    checked: list[str] = field(default_factory=list)
    check_s: float = 0.0
    check_rounds: int = 0


def passive_survey(capture, duration_s: float = PASSIVE_SURVEY_S) -> WifiOutcome:
    channels = capture.channels or (capture.channel,)
    frames = hop(capture, channels, dwell_s=PASSIVE_DWELL_S, total_s=duration_s)
    return WifiOutcome(frames, _analyze(frames))


#: Which transmitter the stimulus phase parks the adapter for: a likely camera before a video
#: stream (perhaps a phone's call) before anything else.
_KIND_RANK = {"camera": 0, "video_stream": 1}


def stimulus_channel(survey, default: int | None) -> int | None:
    """Where the stimulus phase parks the adapter: the channel of the transmitter the passive
    survey called most likely a camera (kind ``camera``, then ``video_stream``, then
    anything), the one sending the most among equals. A camera that is its own access point
    sits on a channel of its own, and a passer's video call on the building's channel can
    send more than it; parking on the busiest sender's channel would leave the camera
    unheard."""
    senders = [r for r in survey.transmitters if r.transmitter.channel]
    if not senders:
        return default
    best = min(senders, key=lambda r: (_KIND_RANK.get(r.kind.kind, 2),
                                       -r.transmitter.up_bytes_per_s))
    return best.transmitter.channel


class WifiStimulus:
    """The stimulus and the capture accumulated over one stall's places."""

    def __init__(self, capture, illuminator, seed: int = 0):
        self.capture = capture
        self.illuminator = illuminator
        self.rng = np.random.default_rng([seed, 80211])
        self.frames: list = []
        self.envelope: list[tuple[float, float]] = []
        self.drive: list[tuple[float, float]] = []
        self.windows: list[PlaceWindow] = []
        self.check_windows: list[PlaceWindow] = []
        self.survey = None

    def scan_started(self) -> float:
        """Call before a place's optical scan; returns the capture clock's time."""
        return self.capture.now_s()

    def stimulate(self, stall: int, zone: str, scan_started_s: float) -> WifiOutcome:
        """Flicker the code at the place just scanned while capturing; the lock-in over the
        stall so far."""
        start_s = self.capture.now_s()
        # the optical scan's own per-frame blinking
        self.envelope = _extended(self.envelope, [(scan_started_s, 1.0)])
        envelope, (window,) = stall_stimulus([f"{stall}:{zone}"], start_s, self.rng)
        frames, switched = self._run_code(envelope, 1.0)
        self.frames += [f for f in frames if f.time_s >= scan_started_s]
        self.envelope = _extended(self.envelope, envelope)
        self.drive = _extended(self.drive, switched)
        self.windows.append(window)
        self.survey = self._lock_in()
        return WifiOutcome([f for f in frames if f.time_s >= start_s], self.survey,
                           [w.place for w in self.windows])

    def to_check(self) -> tuple[str, ...]:
        """The places the most evident responding transmitter leaves for the place check's
        first round (every place of the stall), or for its next round once rounds have run
        (none when nothing answers, or once the check is done)."""
        return self.survey.places_to_check() if self.survey is not None else ()

    def check(self, move_to, on_place=None) -> WifiOutcome | None:
        """The place check over ``to_check()``, round by round: ``move_to(place)`` brings the
        handheld to each place in turn (the simulated inspector walks; a real one is told by
        ``on_place(place, seconds)``), the rings dimmed to ``CHECK_DRIVE``; after each round
        the lock-in over the stall with every round's windows, which says the next round's
        places (``rf.wifi.place_check.next_round``). None when there is nothing to check."""
        places = self.to_check()
        if not places or self.check_windows:
            return None
        start_s = self.capture.now_s()
        frames, checked, rounds = [], [], 0
        while places:  # ``next_round`` ends it: the best surely ahead, or the cap reached
            round_frames = []
            for place in places:
                move_to(place)
                if on_place is not None:
                    on_place(place, CHECK_PLACE_S)
                envelope, switched, (window,) = check_stimulus([place], self.capture.now_s(),
                                                               self.rng)
                code_frames, logged = self._run_code(envelope, CHECK_DRIVE)
                round_frames += code_frames
                self.drive = _extended(self.drive, logged)
                self.check_windows.append(window)
            self.frames += round_frames
            frames += round_frames
            checked += places
            rounds += 1
            self.survey = self._lock_in()
            places = self.to_check()  # the leading places, while the best is not sure
        return WifiOutcome(frames, self.survey, [w.place for w in self.windows],
                           checked, round(self.capture.now_s() - start_s, 3), rounds)

    def _run_code(self, envelope, drive: float):
        """Run one code's envelope on the rings at ``drive`` (of their brightness) while
        capturing: the frames and the rings' switches, logged as 0 or ``drive``."""
        envelope_times = np.array([t for t, _ in envelope])
        frames, switched = [], []
        full = self.illuminator.brightness
        self.illuminator.set_brightness(full * drive)
        # Read in equal slices whatever the rings do, so the capture's own pacing can never
        # follow the code; the rings switch at the slice boundaries (on or off at random while
        # the envelope flickers, as ``rf.wifi.stimulus.ring_drive`` draws), and that is logged.
        for slot_s in np.arange(envelope[0][0], envelope[-1][0], FLICKER_S):
            k = int(np.searchsorted(envelope_times, slot_s + 1e-9, side="right")) - 1
            lit = envelope[max(k, 0)][1] > 0 and bool(self.rng.integers(0, 2))
            self._rings(lit)
            switched.append((float(slot_s), drive if lit else 0.0))
            frames += self.capture.read(FLICKER_S)
        self._rings(False)
        self.illuminator.set_brightness(full)
        switched.append((self.capture.now_s(), 0.0))
        return frames, switched

    def _lock_in(self):
        return _analyze(self.frames, StimulusLog.from_steps(self.envelope, "illuminator"),
                        self.windows, StimulusLog.from_steps(self.drive, "illuminator"),
                        self.check_windows)

    def _rings(self, lit: bool) -> None:
        red = lit if self.illuminator.has_red_ring else None
        self.illuminator.set_rings(on_axis=lit, off_axis=False, red=red)


def _extended(log: list, steps: list) -> list:
    """``log`` followed by ``steps``, none at or before the log's last time."""
    if log and steps[0][0] <= log[-1][0]:
        steps = [(max(t, log[-1][0] + 1e-3), v) for t, v in steps]
    return log + steps


def _analyze(frames, stimulus=None, windows=(), drive=None, check=()):
    ordered = sorted(frames, key=lambda f: f.time_s)
    linktypes = {f.linktype for f in ordered} or {127}
    return analyze([f.time_s for f in ordered], [f.data for f in ordered],
                   linktype=min(linktypes), registry=default_registry(), stimulus=stimulus,
                   places=windows, drive=drive, check=check)
