"""The place check: once a stream has answered, a second code, dim, one place at a time, in rounds.

Why a second code. The stall's code (``rf.wifi.stimulus``) flickers the rings at full drive,
which the lock-in needs to hear a camera at all; but at full drive a camera's encoder
saturates. Light shone into its lens at its own place changes the picture by the whole ring
level, a neighbour it sees across the stall by a fifth to a third of it, and once the rate cap
binds both cost about as much (on the simulator's TRAINING seeds the wrongly named places were
almost all such neighbours, with slopes within a tenth of the own place's: ``rf.wifi.place``).
Dimmed so that even the own place changes the picture by only ``CHECK_DRIVE`` of full light,
the encoder stays below its cap, and what a picture costs grows with how much its exposure's
light changed: the own place answers with about three times a neighbour's change.

The code, round by round. The first round points at every place of the stall in turn
(``check_candidates``, steepest stall-code slope first: that code's errors proved too small a
guide to leave any out); at each the inspector points the handheld for ``CHECK_PLACE_S``
while the rings run the stall's kind of code (chips of flickering and
rest, ``rf.wifi.stimulus``) at ``CHECK_DRIVE`` brightness (PWM, ``hardware.gpio.illuminator``),
every switch logged.

The reading, per picture (the flicker test's regressor, ``rf.wifi.flicker``): a picture's
exposure is the frame interval before it, ``lag`` earlier; its regressor is |mean drive over
its own exposure - over the previous one|, 0 in the resting chips and for exposures inside
one slot, up to ``CHECK_DRIVE`` across a switch. Per place the slope of picture bytes on
that regressor (least squares; GOP I-frames, over ``I_FRAME_RATIO`` times the stream's
median picture, are left out, and the first ``STARVED_PICTURES`` after each, which rate
control starves, are compared only with pictures as far from their I-frame) says what a unit of light change there cost, with its standard error
from the scatter about the line. Unlike the chips' means it does not dilute a changed
picture's cost with the still ones of the same chip, so a few seconds suffice. The lag is
the one at which the places' slopes are together clearest (the sum of their squared
positive t's), one delay for the stream, tried over the flicker test's fine lags, unless the
stall's flicker test has already fitted it (a stream's delay does not change between codes,
and a lag chosen on the check's own windows would lean towards whichever answered most).

The answer: the steepest place checked, alone when its slope exceeds the runner-up's by
``rf.wifi.place.SEPARATION_Z`` standard errors of their difference, else both, best first.
The check is sequential: while the best is not ``SURE_Z`` standard errors above the
runner-up, a further round (``next_round``) points at the leading places (the best and
those not surely below it, at most ``LEADING_PLACES``), and each place's windows of every
round are read together (errors shrink as the square root of the pictures), until the best
is sure or ``MAX_CHECK_S`` of code is spent. A motion-triggered camera sleeps while its
picture is still: a place whose light it slept through (``slept_switches``) is not its own
while another's light kept it awake.

Tuned on TRAINING seeds only (``bench.wifi_scenes.TRAINING_SEEDS``; the benchmark's seeds
were never read): ``CHECK_DRIVE`` and ``CHECK_PLACE_S`` were tuned there; ``MAX_CHECK_S``,
``SURE_Z``, ``LEADING_PLACES`` and the sleep constants were set from their stated reasons
and only measured there (seeds 0-99, docs/wifi.md), not tuned.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rf.wifi.flicker import FINE_LAG_STEP_S, FINE_MAX_LAG_S, MAX_FRAME_GAP_S, change_matrix
from rf.wifi.place import SEPARATION_Z, PlaceAnswer, PlaceWindow

#: The rings' brightness during the check. The simulator's libx264 traces spend about the
#: same on a picture change of 0.45 of full light as on one of 1 (the cap), and a neighbour
#: seen at 0.17-0.35 of the light then changes a picture by 0.05-0.1, which costs a third to
#: a half as much; dimmer still, the own place's answer sinks into the stream's noise. 0.3
#: named the right place of more candidates than 0.2, 0.4 and 0.5 on TRAINING seeds.
CHECK_DRIVE = 0.3
#: Seconds of the check's code per place and round: six chips of about a second.
CHECK_PLACE_S = 6.0
#: The whole check's cap, in seconds of code over all its rounds: the first round (every
#: place of the stall, 48 s for eight) and as many further rounds on the leading places as
#: fit. The check runs only once a camera has answered, so pinpointing its place is worth
#: a minute more of the inspector's time; 120 s bounds what a stall whose leading places
#: never separate can cost.
MAX_CHECK_S = 120.0
#: The best place is surely above another when its slope exceeds the other's by this many
#: standard errors of their difference (one-sided, about 2 % by chance): the check goes on
#: round by round until the best is surely above the runner-up.
SURE_Z = 2.0
#: A further round points at no more than this many leading places (the best and those not
#: surely below it), best first: the runner-up is nearly always among the best three, and
#: each more place spreads the round's seconds thinner.
LEADING_PLACES = 3
#: A motion-triggered camera sends nothing while its picture stays still: a pause of the
#: stream at least this long (several frame intervals of the slowest camera, 0.2 s) is
#: sleep, not a lost frame.
SLEEP_PAUSE_S = 1.0
#: The rings' switches this far inside a pause (a frame interval and the lag's step, either
#: side) changed the light while the camera was surely asleep.
SLEEP_MARGIN_S = 0.3
#: A place whose light switched this many times while the camera slept did not wake it
#: (one switch may fall within a frame's exposure and change its light by little).
SLEPT_SWITCHES = 3
#: A picture this many times the stream's median is a GOP's I-frame (5-10 times a P-frame),
#: not the cost of a change.
I_FRAME_RATIO = 4.0
#: Rate control starves the pictures after an I-frame (a VBV buffer refilling): the first
#: few are compared only with pictures at the same distance from their I-frame.
STARVED_PICTURES = 4
#: Fewer pictures than this in a candidate's window (a motion camera that paused) carry no
#: slope.
MIN_CHECK_PICTURES = 10


@dataclass(frozen=True)
class CheckAnswer(PlaceAnswer):
    """The check's answer (``PlaceAnswer``: the place named alone or the two it could not
    separate, and the slopes) and ``leading``: the best place and every place not surely
    below it (``SURE_Z``), best first, places the camera slept through left out."""

    leading: tuple[str, ...] = ()


def check_candidates(answer: PlaceAnswer) -> tuple[str, ...]:
    """The first round's places: every place of the stall the stall's code read, steepest
    first. The stall code's errors are too small a guide to leave any out (at full drive a
    saturated encoder makes its slopes close and their scatter unreliable), and the check
    runs only once a camera has answered, so every place is worth its ``CHECK_PLACE_S``."""
    slopes = answer.slopes_bytes
    return tuple(sorted(slopes, key=slopes.get, reverse=True))


def next_round(answer: CheckAnswer, windows: Sequence[PlaceWindow],
               max_s: float = MAX_CHECK_S, place_s: float = CHECK_PLACE_S
               ) -> tuple[str, ...]:
    """The places of the check's next round, best first: while the best is not surely above
    the runner-up (two or more ``leading`` places), up to ``LEADING_PLACES`` of them, as many
    as fit what is left of ``max_s`` after ``windows`` at ``place_s`` each; none once the
    best is surely above the rest, or when fewer than two fit."""
    spent_s = sum(w.end_s - w.start_s for w in windows)
    room = int((max_s - spent_s + 1e-6) // place_s)
    places = answer.leading[:min(LEADING_PLACES, room)]
    return places if len(places) >= 2 else ()


def check_place(picture_s: np.ndarray, size_bytes: np.ndarray, windows: Sequence[PlaceWindow],
                drive_times_s: np.ndarray, drive_levels: np.ndarray,
                lag_s: float | None = None) -> CheckAnswer:
    """The place whose light changes moved the pictures most (see the module docstring); an
    empty answer when no window holds enough pictures. ``lag_s``: the stream's delay from
    exposure to the air as the stall's flicker test fitted it, when it did; otherwise the
    check fits its own. A place's windows (every round's) are read together. A place whose
    light the camera slept through (``slept_switches``) is named only when every place was
    slept through."""
    best_score, best = -1.0, ({}, {}, 0.0)
    start, end = drive_times_s[:-1], drive_times_s[1:]
    phase = _gop_phase(size_bytes)
    level = np.asarray(drive_levels[:-1], float)
    lags = [lag_s] if lag_s is not None else np.arange(0.0, FINE_MAX_LAG_S + 1e-9,
                                                       FINE_LAG_STEP_S)
    for lag in lags:
        slopes, errors = _slopes_at(picture_s - lag, size_bytes, phase, windows, start, end,
                                    level)
        score = sum(max(slopes[p] / errors[p], 0.0) ** 2 for p in slopes)
        if score > best_score:
            best_score, best = score, (slopes, errors, lag)
    slopes, errors, lag = best
    slept = slept_switches(picture_s - lag, windows, drive_times_s, drive_levels)
    awake = [p for p in slopes if p not in slept]
    ranked = sorted(awake or slopes, key=slopes.get, reverse=True)
    if len(ranked) < 2:
        return CheckAnswer(tuple(ranked), slopes, errors, tuple(ranked))
    first, second = ranked[:2]
    leading = tuple(p for p in ranked if _above(slopes, errors, first, p) <= SURE_Z)
    named = (first,) if _above(slopes, errors, first, second) > SEPARATION_Z else (first,
                                                                                   second)
    return CheckAnswer(named, slopes, errors, leading)


def _above(slopes: dict, errors: dict, best: str, other: str) -> float:
    """How far ``best``'s slope is above ``other``'s, in standard errors of the difference."""
    gap, error = slopes[best] - slopes[other], float(np.hypot(errors[best], errors[other]))
    return gap / error if error > 0 else (np.inf if gap > 0 else 0.0)


def slept_switches(exposure_end_s: np.ndarray, windows: Sequence[PlaceWindow],
                   drive_times_s: np.ndarray, drive_levels: np.ndarray) -> set[str]:
    """The places whose light the camera slept through: at least ``SLEPT_SWITCHES`` of the
    rings' switches in the place's windows fell inside pauses of the stream (no picture
    for ``SLEEP_PAUSE_S``, ``SLEEP_MARGIN_S`` in from either end; the last pause may run
    to the code's end). A motion-triggered
    camera wakes when its picture changes enough; the light shone into its own lens
    changes it most, so a place whose light did not wake it is not its place, while some
    other's did. A camera that streams all along never pauses and sleeps through none."""
    if len(exposure_end_s) == 0 or not windows:
        return set()
    # a camera still asleep when the code ended: its pause runs to the last window's end
    t = np.append(np.sort(exposure_end_s), max(w.end_s for w in windows) + SLEEP_MARGIN_S)
    gaps = np.flatnonzero(np.diff(t) >= SLEEP_PAUSE_S)
    pause_from, pause_to = t[gaps] + SLEEP_MARGIN_S, t[gaps + 1] - SLEEP_MARGIN_S
    switched = np.flatnonzero(np.diff(drive_levels) != 0) + 1
    switch_s = drive_times_s[switched]
    asleep = np.zeros(len(switch_s), bool)
    for a, b in zip(pause_from, pause_to):
        asleep |= (switch_s > a) & (switch_s < b)
    return {place for place in {w.place for w in windows}
            if np.count_nonzero(_in_windows(switch_s, windows, place) & asleep)
            >= SLEPT_SWITCHES}


def _in_windows(times_s: np.ndarray, windows: Sequence[PlaceWindow], place: str) -> np.ndarray:
    """Which of ``times_s`` fall in one of ``place``'s windows (every round's)."""
    inside = np.zeros(len(times_s), bool)
    for w in windows:
        if w.place == place:
            inside |= (times_s >= w.start_s) & (times_s < w.end_s)
    return inside


def _gop_phase(size_bytes: np.ndarray) -> np.ndarray:
    """Per picture, how many pictures since the last I-frame (over ``I_FRAME_RATIO`` times
    the stream's median), at most ``STARVED_PICTURES``; -1 for the I-frames themselves."""
    if len(size_bytes) == 0:
        return np.zeros(0, np.int64)
    key = size_bytes > I_FRAME_RATIO * np.median(size_bytes)
    index = np.arange(len(size_bytes))
    last_key = np.maximum.accumulate(np.where(key, index, -STARVED_PICTURES - 1))
    return np.where(key, -1, np.minimum(index - last_key, STARVED_PICTURES))


def _slopes_at(exposure_end_s, size_bytes, phase, windows, start, end, level):
    """Per place (its windows together): the slope of the P-frames' bytes on their exposure's light change, each
    compared only with pictures of its own GOP ``phase``, and its standard error (windows
    without enough pictures, or without a change, are left out)."""
    gaps = np.diff(exposure_end_s, prepend=-np.inf)
    consecutive = (gaps <= MAX_FRAME_GAP_S) & (np.roll(gaps, 1) <= MAX_FRAME_GAP_S)
    consecutive[:2] = False
    slopes, errors = {}, {}
    for place in dict.fromkeys(w.place for w in windows):
        j = np.flatnonzero(consecutive & (phase >= 0) & _in_windows(exposure_end_s, windows,
                                                                    place))
        if len(j) < MIN_CHECK_PICTURES:
            continue
        change = np.abs(change_matrix(exposure_end_s, j, start, end) @ level)
        groups = np.unique(phase[j], return_inverse=True)[1]
        centred, size = _within(change, groups), _within(size_bytes[j], groups)
        spread = float(centred @ centred)
        dof = len(j) - groups.max() - 2
        if dof < 1 or spread <= 0:
            continue
        slope = float(centred @ size) / spread
        residual = size - slope * centred
        slopes[place] = slope
        errors[place] = float(np.sqrt(residual @ residual / dof / spread))
    return slopes, errors


def _within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``values`` less their group's mean."""
    means = np.bincount(groups, weights=values) / np.bincount(groups)
    return values - means[groups]
