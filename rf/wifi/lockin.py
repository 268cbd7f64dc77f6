"""Stimulus lock-in: does a transmitter's uplink follow the light the handheld shone, and where?

A camera that sees a place films the change the illuminator makes there. Its encoder spends
bits on change (P-frames code the difference to the last picture), so while the rings flicker
at a place the camera sees, its pictures grow, and while they rest the pictures shrink back,
tens of milliseconds to a few seconds later (encoder look-ahead, rate control, the Wi-Fi queue
and, for cloud streaming, the uplink's buffer: under 3 s in Blink/Flicker's traces). The
illuminator's log says how strongly the scene was being changed at each moment (``level``
0..1) on the capture's own clock. Blink/Flicker (MobiSys 2018) and SnoopDog (USENIX Security
2021) found cameras this way.

The test, per transmitter, over the whole stall's code at once (``rf.wifi.chips``):
1. its uplink is cut into pictures (bursts of back-to-back frames) and each chip of the code
   gets the mean log size of the pictures sent during it, ``lag`` later, less its largest
   (the GOP's I-frame); CBR rate control holds a stream's bytes per second nearly flat, but
   within that budget the pictures that carry a change still outgrow the still ones;
2. per place and lag, the covariance of chip level with that mean over its exact standard
   deviation under permutation is a z; the statistic is the sum over places of the squared
   positive z's (a camera sees some places of a stall and not others: those it does not see
   must not dilute those it answers, and only a rise counts, since a neighbour on the same
   channel sends *less* while a camera's stream takes more airtime), maximised over lags
   0..``MAX_LAG_S``: one delay for the stream, shared by every place (a camera's latency
   does not depend on where the light is);
3. the null distribution is the code's own: under the null the traffic ignores the light,
   and the code's chip levels were drawn in random order within each place's window
   independently of anything on the air, so every within-window permutation of the levels
   was as likely to have been shone. The p-value is the share of ``N_PERMUTATIONS``
   permuted codes whose best lag does as well as the real code's (a Monte Carlo permutation
   test, exact at any sample size and for any traffic; the lag search is inside it, so it
   costs no correction);
4. given the rings' switch log, the flicker test (``rf.wifi.flicker``: each picture against
   the light change its own exposure saw, ten random switches per lit second) adds its
   p-value by Fisher's combination;
5. the transmitter **responds** when that p-value is at most ``FALSE_ALARM_PROBABILITY``,
   which is therefore the chance that a transmitter whose traffic ignores the light is
   called responding, per transmitter and stall.

Localisation is a second step, taken only once the stall-level test has said "responds", so
it spends none of the false-alarm budget (``rf.wifi.place``): at the flicker test's sharp lag
when it has one, else the envelope's, the place whose chips raised the pictures most per unit
of light is named (the rings shine into the lens of a camera hidden at the place being
scanned; from the places it merely sees, only part of their light reaches it), with the
runner-up as a second candidate when the evidence does not separate them.
Transmitters with fewer than ``MIN_UPLINK_FRAMES`` uplink frames or ``MIN_PICTURES`` pictures
in the window cannot carry a video stream, are not tested and are reported as not responding
with p = 1.
"""

import csv
import dataclasses
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rf.wifi.chips import Chips, chip_means, code_chips, picture_bytes
from rf.wifi.errors import StimulusError
from rf.wifi.flicker import flicker_test
from rf.wifi.place import PlaceWindow, name_place
from rf.wifi.place_check import check_candidates, check_place, next_round

#: The byte series' bin (``uplink_series``, the classifier's periodicity cue).
BIN_S = 0.25
#: Encoder latency (one or two frames at 15 fps, x264 look-ahead) plus the station's queue and,
#: when streaming to the cloud, the uplink buffer: the delays seen in Blink/Flicker's traces
#: are under 3 s.
MAX_LAG_S = 2.0
#: The lags tried: a quarter of the shortest chip, so a tried lag is never off by more than
#: an eighth of a chip.
LAG_STEP_S = 0.125
#: The chance that a transmitter whose traffic does not follow the light is called responding,
#: per transmitter and stall.
FALSE_ALARM_PROBABILITY = 1e-3
MIN_UPLINK_FRAMES = 30
MIN_PICTURES = 20
#: Permuted codes drawn for the null: the smallest p-value is 1 / (N + 1) = 1e-4, a tenth of
#: the false-alarm probability.
N_PERMUTATIONS = 9999
PERMUTATION_BLOCK = 1000
#: Besag and Clifford's sequential p-value: a transmitter that ``STOP_AFTER_EXCEEDANCES``
#: permuted codes matched is clearly not answering; its p-value is that count over the draws.
STOP_AFTER_EXCEEDANCES = 20
PERMUTATION_SEED = 20_180_611  # any fixed seed: the draws must only not depend on the traffic
#: The place is named at the flicker test's lag (exposure to the air, to 10 ms) when that test
#: sees the switches this clearly, and at the envelope's coarser lag (an eighth of a chip)
#: otherwise: a chip misread by a tenth of its length blurs one place's answer into the next.
SHARP_LAG_P = 0.01
#: A stimulus log is a list of steps; a step longer than this is a hole in the log.
MAX_STEP_S = 600.0


@dataclass(frozen=True)
class StimulusLog:
    """The illuminator's switch log: from ``times_s[i]`` the level was ``levels[i]``; the last
    entry marks the end of the stimulus."""

    times_s: np.ndarray
    levels: np.ndarray

    @classmethod
    def from_steps(cls, steps: Sequence[tuple[float, float]], source: str = "stimulus"
                   ) -> "StimulusLog":
        times = np.array([float(t) for t, _ in steps], np.float64)
        levels = np.array([float(v) for _, v in steps], np.float64)
        _validate(times, levels, source, first_line=1)
        return cls(times, levels)

    @property
    def start_s(self) -> float:
        return float(self.times_s[0])

    @property
    def end_s(self) -> float:
        return float(self.times_s[-1])

    def mean_levels(self, edges_s: np.ndarray) -> np.ndarray:
        """The time-averaged level in each bin between consecutive ``edges_s``."""
        durations = np.diff(self.times_s)
        cumulative = np.concatenate([[0.0], np.cumsum(self.levels[:-1] * durations)])
        edges = np.clip(edges_s, self.start_s, self.end_s)
        step = np.clip(np.searchsorted(self.times_s, edges, side="right") - 1, 0,
                       len(self.times_s) - 1)
        integral = cumulative[step] + self.levels[step] * (edges - self.times_s[step])
        return np.diff(integral) / np.diff(edges_s)


@dataclass(frozen=True)
class StimulusResponse:
    """One transmitter's answer to the stimulus.

    ``score`` is the normalised correlation of the code's levels with the pictures' sizes at
    the best lag (0..1), ``p_value`` the permutation test's, ``lag_s`` the stream's delay and
    ``place`` the place whose light it answered most; ``places`` is that place alone when the
    evidence separates it from the others, or it and the runner-up when it does not
    (``rf.wifi.place``, or ``rf.wifi.place_check`` once the place check has run: ``check``
    is what it read); ``to_check``: the places of the check's first round (every place of
    the stall, in the order of the stall code's slopes), or, once rounds have run, the
    leading places of its next round while the best is not surely above the runner-up
    (``rf.wifi.place_check.next_round``; empty when the check is done).
    """

    responds: bool
    score: float
    lag_s: float | None
    p_value: float
    place: str | None
    places: tuple[str, ...] = ()
    check: "PlaceCheck | None" = None
    to_check: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceCheck:
    """What the place check (``rf.wifi.place_check``) read: the rings' ``drive`` and, per
    candidate place checked, the bytes a unit of light change cost there (``slopes_bytes``)
    with its standard error."""

    drive: float
    slopes_bytes: dict[str, float]
    errors_bytes: dict[str, float]


def parse_stimulus_csv(text: str, source: str) -> StimulusLog:
    """A ``time_s,level`` CSV (time on the capture's clock, epoch seconds; level 0..1)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip() for c in rows[0]] != ["time_s", "level"]:
        raise StimulusError(source, "line 1: expected the header time_s,level",
                            code="csv_header", header="time_s,level")
    times, levels = [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise StimulusError(source, f"line {line}: a gap: expected time_s,level, got "
                                        f"{','.join(row)[:40]!r}", code="stimulus_row",
                                line=line)
        try:
            times.append(float(row[0]))
            levels.append(float(row[1]))
        except ValueError:
            raise StimulusError(source, f"line {line}: not a number: {','.join(row)[:40]!r}",
                                code="not_a_number", line=line) from None
    _validate(np.array(times), np.array(levels), source, first_line=2)
    return StimulusLog(np.array(times), np.array(levels))


def _validate(times, levels, source, *, first_line):
    if len(times) < 2:
        raise StimulusError(source, "fewer than two steps: a stimulus needs a start and an end",
                            code="stimulus_steps")
    for name, values in (("time_s", times), ("level", levels)):
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            raise StimulusError(source, f"line {first_line + bad[0]}: {name} is "
                                        f"{values[bad[0]]}", code="stimulus_not_finite",
                                line=int(first_line + bad[0]), field=name,
                                value=str(values[bad[0]]))
    outside = np.flatnonzero((levels < 0) | (levels > 1))
    if len(outside):
        raise StimulusError(source, f"line {first_line + outside[0]}: level "
                                    f"{levels[outside[0]]} is outside 0..1",
                            code="stimulus_level", line=int(first_line + outside[0]))
    steps = np.diff(times)
    backwards = np.flatnonzero(steps <= 0)
    if len(backwards):
        raise StimulusError(source, f"line {first_line + backwards[0] + 1}: time_s does not "
                                    "increase", code="stimulus_order",
                            line=int(first_line + backwards[0] + 1))
    holes = np.flatnonzero(steps > MAX_STEP_S)
    if len(holes):
        raise StimulusError(source, f"line {first_line + holes[0] + 1}: a gap of "
                                    f"{steps[holes[0]]:.0f} s since the previous step (more "
                                    f"than {MAX_STEP_S:.0f} s)", code="stimulus_gap",
                            line=int(first_line + holes[0] + 1), gap_s=f"{steps[holes[0]]:.0f}",
                            limit_s=f"{MAX_STEP_S:.0f}")


def uplink_series(time_s: np.ndarray, length: np.ndarray, owner: np.ndarray, n_owners: int,
                  start_s: float, n_bins: int) -> np.ndarray:
    """Bytes per ``BIN_S`` bin from ``start_s``, one row per owner (frames with owner -1 and
    outside the bins are left out)."""
    bins = np.floor((time_s - start_s) / BIN_S).astype(np.int64)
    keep = (owner >= 0) & (bins >= 0) & (bins < n_bins)
    flat = owner[keep] * n_bins + bins[keep]
    return np.bincount(flat, weights=length[keep], minlength=n_owners * n_bins).reshape(
        n_owners, n_bins)


def lock_in(time_s: np.ndarray, length: np.ndarray, owner: np.ndarray, n_owners: int,
            stimulus: StimulusLog, places: Sequence[PlaceWindow] = (),
            alpha: float = FALSE_ALARM_PROBABILITY, drive: StimulusLog | None = None,
            check: Sequence[PlaceWindow] = ()) -> list[StimulusResponse]:
    """Each owner's response to ``stimulus``; ``owner`` gives each frame's uplink owner (-1:
    nobody's uplink). Without ``places`` the whole log is one window. With the rings' switch
    log ``drive`` the flicker test (``rf.wifi.flicker``) adds its evidence, and the place
    check's windows ``check`` (their dimmed switches in ``drive``) name the place of a
    responding owner (``rf.wifi.place_check``)."""
    if stimulus.end_s - stimulus.start_s < 8 * LAG_STEP_S:
        raise StimulusError("stimulus", f"{stimulus.end_s - stimulus.start_s:.1f} s is too "
                                        "short for a lock-in", code="stimulus_short",
                            duration_s=f"{stimulus.end_s - stimulus.start_s:.1f}")
    windows = [(p.place, p.start_s, p.end_s) for p in places] or [
        ("", stimulus.start_s, stimulus.end_s)]
    chips = code_chips(stimulus.times_s, stimulus.levels, windows)
    lags_s = LAG_STEP_S * np.arange(round(MAX_LAG_S / LAG_STEP_S) + 1)
    not_tested = StimulusResponse(False, 0.0, None, 1.0, None)
    if len(chips.level) == 0:
        return [not_tested] * n_owners
    counts = np.bincount(owner[(owner >= 0) & (time_s >= stimulus.start_s)
                               & (time_s < stimulus.end_s + MAX_LAG_S)], minlength=n_owners)
    permuted = _permuted_levels(chips)
    results = []
    for i in range(n_owners):
        mine = owner == i
        picture_s, size = picture_bytes(time_s[mine], length[mine])
        if counts[i] < MIN_UPLINK_FRAMES or len(picture_s) < MIN_PICTURES:
            results.append(not_tested)
            continue
        log_size = np.log(size)
        means = chip_means(picture_s, log_size, chips, lags_s)
        response = _decide(means, chips, permuted, lags_s)
        place_lag_s, sharp_lag_s = response.lag_s, None
        if drive is not None and response.lag_s is not None:
            p_flicker, flicker_lag_s = flicker_test(picture_s, log_size, chips, drive.times_s,
                                                    drive.levels)
            response = dataclasses.replace(
                response, p_value=_fisher(response.p_value, p_flicker))
            if p_flicker <= SHARP_LAG_P and flicker_lag_s is not None:
                place_lag_s = sharp_lag_s = flicker_lag_s
        response = dataclasses.replace(response, responds=bool(response.p_value <= alpha))
        if response.responds:
            answer = name_place(picture_s, size, chips, place_lag_s)
            response = dataclasses.replace(response, to_check=check_candidates(answer))
            if check and drive is not None:
                checked_answer, checked = _checked(picture_s, size, check, drive, sharp_lag_s)
                response = dataclasses.replace(response, check=checked,
                                               to_check=next_round(checked_answer, check))
                answer = checked_answer if checked_answer.candidates else answer
            response = dataclasses.replace(response, place=answer.place,
                                           places=answer.candidates)
        results.append(response)
    return results


def _checked(picture_s: np.ndarray, size: np.ndarray, check: Sequence[PlaceWindow],
             drive: StimulusLog, lag_s: float | None):
    """The place check's answer for one stream's pictures (start times and bytes; at the
    flicker test's ``lag_s`` when it fitted one), and what it read."""
    answer = check_place(picture_s, size, check, drive.times_s, drive.levels, lag_s)
    inside = np.zeros(len(drive.times_s), bool)
    for window in check:
        inside |= (drive.times_s >= window.start_s) & (drive.times_s < window.end_s)
    brightness = float(drive.levels[inside].max()) if inside.any() else 0.0
    return answer, PlaceCheck(brightness, answer.slopes_bytes, answer.errors_bytes)


def _permuted_levels(chips: Chips) -> np.ndarray:
    """``N_PERMUTATIONS`` rows of the chips' levels, each shuffled within its window, drawn
    from a fixed seed: the draws never depend on the traffic."""
    rng = np.random.default_rng(PERMUTATION_SEED)
    keys = rng.random((N_PERMUTATIONS, len(chips.level))) + chips.window[None, :]
    return chips.level[np.argsort(keys, axis=1)]  # windows are contiguous, keys keep them apart


def _window_z(levels: np.ndarray, means: np.ndarray, chips: Chips, scale: np.ndarray
              ) -> np.ndarray:
    """Per window (last axis) and lag: the covariance of ``levels`` (one code per row) with
    the chip means, over its exact permutation standard deviation ``scale``."""
    z = np.stack([levels[..., chips.window == w] @ means[chips.window == w]
                  for w in range(len(chips.names))], axis=-1)
    return z / scale


def _statistic(z: np.ndarray) -> np.ndarray:
    """The stall's evidence per lag: the sum over windows of the squared positive z. A camera
    sees some of a stall's places and not others, so the windows it does not see must not
    dilute those it answers, and a window answered strongly counts more than one answered
    weakly."""
    return (np.maximum(z, 0.0) ** 2).sum(axis=-1)


def _fisher(p_envelope: float, p_flicker: float) -> float:
    """Fisher's combination of the envelope and flicker tests' p-values: -2 sum ln p is
    chi-square with 4 degrees of freedom when both are uniform, and a bound when each is
    valid given what the other saw (the envelope test is valid given the traffic; the
    flicker test given the traffic and the envelope)."""
    x = -2.0 * (math.log(max(p_envelope, 1e-300)) + math.log(max(p_flicker, 1e-300)))
    return float(min(1.0, math.exp(-x / 2.0) * (1.0 + x / 2.0)))


def _decide(means, chips, permuted, lags_s) -> StimulusResponse:
    """The best lag's statistic against the best lag's statistic of the permuted codes
    (Besag-Clifford: stop drawing once ``STOP_AFTER_EXCEEDANCES`` permuted codes did as
    well)."""
    scale = np.sqrt(_permutation_variance(means, chips))
    if not np.any(scale > 0):
        return StimulusResponse(False, 0.0, None, 1.0, None)
    scale = np.where(scale > 0, scale, np.inf)
    z = _window_z(chips.level, means, chips, scale)
    observed = _statistic(z)
    best = int(np.argmax(observed))
    exceed = 0
    for block in range(0, N_PERMUTATIONS, PERMUTATION_BLOCK):
        codes = permuted[block:block + PERMUTATION_BLOCK]
        null = _statistic(_window_z(codes, means, chips, scale)).max(axis=1)
        hits = np.flatnonzero(null >= observed[best])
        if exceed + len(hits) >= STOP_AFTER_EXCEEDANCES:
            drawn = block + int(hits[STOP_AFTER_EXCEEDANCES - exceed - 1]) + 1
            p_value = STOP_AFTER_EXCEEDANCES / drawn
            break
        exceed += len(hits)
    else:
        p_value = (exceed + 1) / (N_PERMUTATIONS + 1)
    score = math.sqrt(observed[best] / max(len(chips.level) - len(chips.names), 1))
    return StimulusResponse(False, round(min(score, 1.0), 4), float(lags_s[best]),
                            float(p_value), None)


def _permutation_variance(means: np.ndarray, chips: Chips) -> np.ndarray:
    """Per window and lag (lags x windows), the exact variance over the window's permutations
    of sum level x mean: S_level S_mean / (n - 1) (sampling without replacement)."""
    variance = np.zeros((means.shape[1], len(chips.names)))
    for w in range(len(chips.names)):
        members = chips.window == w
        levels = chips.level[members]
        spread = float(((levels - levels.mean()) ** 2).sum())
        variance[:, w] = spread * (means[members] ** 2).sum(axis=0) / (members.sum() - 1)
    return variance
