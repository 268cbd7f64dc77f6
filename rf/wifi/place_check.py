"""The place check: once a stream has answered, a second code, dim, one candidate place at a time.

Why a second code. The stall's code (``rf.wifi.stimulus``) flickers the rings at full drive,
which the lock-in needs to hear a camera at all; but at full drive a camera's encoder
saturates. Light shone into its lens at its own place changes the picture by the whole ring
level, a neighbour it sees across the stall by a fifth to a third of it, and once the rate cap
binds both cost about as much (on the simulator's TRAINING seeds the wrongly named places were
almost all such neighbours, with slopes within a tenth of the own place's: ``rf.wifi.place``).
Dimmed so that even the own place changes the picture by only ``CHECK_DRIVE`` of full light,
the encoder stays below its cap, and what a picture costs grows with how much its exposure's
light changed: the own place answers with about three times a neighbour's change.

The code. For each candidate place in turn (``check_candidates``: every place whose stall-code
slope is not surely below the best's, steepest first, within ``MAX_CHECK_S`` of code), the
inspector points the handheld there
for ``CHECK_PLACE_S`` while the rings run the stall's kind of code (chips of flickering and
rest, ``rf.wifi.stimulus``) at ``CHECK_DRIVE`` brightness (PWM, ``hardware.gpio.illuminator``),
every switch logged.

The reading, per picture (the flicker test's regressor, ``rf.wifi.flicker``): a picture's
exposure is the frame interval before it, ``lag`` earlier; its regressor is |mean drive over
its own exposure - over the previous one|, 0 in the resting chips and for exposures inside
one slot, up to ``CHECK_DRIVE`` across a switch. Per candidate the slope of picture bytes on
that regressor (least squares; GOP I-frames, over ``I_FRAME_RATIO`` times the stream's
median picture, are left out, and the first ``STARVED_PICTURES`` after each, which rate
control starves, are compared only with pictures as far from their I-frame) says what a unit of light change there cost, with its standard error
from the scatter about the line. Unlike the chips' means it does not dilute a changed
picture's cost with the still ones of the same chip, so a few seconds suffice. The lag is
the one at which the candidates' slopes are together clearest (the sum of their squared
positive t's), one delay for the stream, tried over the flicker test's fine lags, unless the
stall's flicker test has already fitted it (a stream's delay does not change between codes,
and a lag chosen on the check's own windows would lean towards whichever answered most).

The answer: the steepest candidate, alone when its slope exceeds the runner-up's by
``rf.wifi.place.SEPARATION_Z`` standard errors of their difference, else both, best first.
Two such places get a second round (``second_round``, ``SECOND_ROUND_PLACE_S`` each), read
together with the first. A motion-triggered camera sleeps while its picture is still: a
place whose light it slept through (``slept_switches``) is not its own while another's light
kept it awake.

Tuned on TRAINING seeds only (``bench.wifi_scenes.TRAINING_SEEDS``; the benchmark's seeds
were never read): ``CHECK_DRIVE`` and ``CHECK_PLACE_S`` were tuned there; ``MAX_CHECK_S``,
``CANDIDATE_SURE_Z``, ``SECOND_ROUND_PLACE_S`` and the sleep constants were set from their
stated reasons and only measured there (seeds 0-59, docs/wifi.md), not tuned.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rf.wifi.flicker import FINE_LAG_STEP_S, FINE_MAX_LAG_S, MAX_FRAME_GAP_S, change_matrix
from rf.wifi.place import SEPARATION_Z, PlaceAnswer

#: The rings' brightness during the check. The simulator's libx264 traces spend about the
#: same on a picture change of 0.45 of full light as on one of 1 (the cap), and a neighbour
#: seen at 0.17-0.35 of the light then changes a picture by 0.05-0.1, which costs a third to
#: a half as much; dimmer still, the own place's answer sinks into the stream's noise. 0.3
#: named the right place of more candidates than 0.2, 0.4 and 0.5 on TRAINING seeds.
CHECK_DRIVE = 0.3
#: Seconds of the check's code per candidate place: six chips of about a second.
CHECK_PLACE_S = 6.0
#: The first round's cap, in seconds of code (``CHECK_PLACE_S`` per place): the candidates
#: are every place the stall's code does not put surely below its best
#: (``CANDIDATE_SURE_Z``), as many of the steepest as fit. 36 s (six places of a stall's
#: eight) bounds what a stall with a vague stall-code answer can cost.
MAX_CHECK_S = 36.0
#: A place is surely below the best when its stall-code slope is this many standard errors
#: of their difference under the best's (one-sided, about 2 % by chance).
CANDIDATE_SURE_Z = 2.0
#: A candidate must have answered the stall's code at all: its slope at least this many
#: standard errors above zero (a place the camera does not see answers with noise).
CANDIDATE_Z = 0.0
#: Seconds of the second round's code per place: when the first round leaves its two best
#: places within ``SEPARATION_Z`` standard errors, each is checked again for this long and
#: read with its first window (errors shrink as the square root of the pictures).
SECOND_ROUND_PLACE_S = 6.0
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
class CheckWindow:
    """The stretch of the check's code during which the rings shone on one place."""

    place: str
    start_s: float
    end_s: float


def check_candidates(answer: PlaceAnswer, max_s: float = MAX_CHECK_S,
                     place_s: float = CHECK_PLACE_S) -> tuple[str, ...]:
    """The places worth the check, best first: the stall code's best, and every place whose
    slope is ``CANDIDATE_Z`` standard errors above zero and not ``CANDIDATE_SURE_Z``
    standard errors of the difference below the best's; the steepest that fit ``max_s``
    seconds of ``place_s`` each."""
    slopes, errors = answer.slopes_bytes, answer.errors_bytes
    ranked = sorted(slopes, key=slopes.get, reverse=True)
    if not ranked:
        return ()
    best = ranked[0]
    keep = [best] + [p for p in ranked[1:] if slopes[p] > CANDIDATE_Z * errors[p]
                     and slopes[best] - slopes[p]
                     <= CANDIDATE_SURE_Z * float(np.hypot(errors[best], errors[p]))]
    return tuple(keep[:max(int(max_s // place_s), 1)])


def second_round(answer: PlaceAnswer, windows: Sequence[CheckWindow]) -> tuple[str, ...]:
    """The two places to check again: the check's two best when its reading did not
    separate them and each has been checked once; else none."""
    if len(answer.candidates) != 2:
        return ()
    rounds = [sum(w.place == p for w in windows) for p in answer.candidates]
    return answer.candidates if rounds == [1, 1] else ()


def check_place(picture_s: np.ndarray, size_bytes: np.ndarray, windows: Sequence[CheckWindow],
                drive_times_s: np.ndarray, drive_levels: np.ndarray,
                lag_s: float | None = None) -> PlaceAnswer:
    """The candidate whose light changes moved the pictures most (see the module
    docstring); an empty answer when no window holds enough pictures. ``lag_s``: the
    stream's delay from exposure to the air as the stall's flicker test fitted it, when it
    did; otherwise the check fits its own. A place's windows (both rounds) are read
    together. A place whose light the camera slept through (``slept_switches``) is named
    only when every place was slept through."""
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
        return PlaceAnswer(tuple(ranked), slopes, errors)
    first, second = ranked[:2]
    separated = slopes[first] - slopes[second] > SEPARATION_Z * float(
        np.hypot(errors[first], errors[second]))
    return PlaceAnswer((first,) if separated else (first, second), slopes, errors)


def slept_switches(exposure_end_s: np.ndarray, windows: Sequence[CheckWindow],
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
    slept = set()
    for place in {w.place for w in windows}:
        inside = np.zeros(len(switch_s), bool)
        for w in windows:
            if w.place == place:
                inside |= (switch_s >= w.start_s) & (switch_s < w.end_s)
        if np.count_nonzero(inside & asleep) >= SLEPT_SWITCHES:
            slept.add(place)
    return slept


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
        inside = np.zeros(len(exposure_end_s), bool)
        for w in windows:
            if w.place == place:
                inside |= (exposure_end_s >= w.start_s) & (exposure_end_s < w.end_s)
        j = np.flatnonzero(consecutive & (phase >= 0) & inside)
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
