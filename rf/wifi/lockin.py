"""Stimulus lock-in: does a transmitter's uplink follow the light the handheld shone, and where?

A camera that sees a place films the change the illuminator makes there. Its encoder spends
bits on change (P-frames code the difference to the last frame), so while the rings blink at a
place the camera sees, its bitrate rises, and while they rest it falls back, a few hundred
milliseconds to a few seconds later (encoder look-ahead, rate control, the Wi-Fi queue and, for
cloud streaming, the uplink's buffer). The illuminator's switch log says how strongly the scene
was being changed at each moment (``level`` 0..1) on the capture's own clock. Blink/Flicker
(MobiSys 2018) and SnoopDog (USENIX Security 2021) found cameras this way.

The test, per transmitter:
1. its uplink bytes and the stimulus level are binned at ``BIN_S``; the bytes are replaced by
   their ranks, so an encoder's I-frame bursts (five to ten times a P-frame) cannot dominate;
2. the normalised correlation r(lag) between ranks and level is taken for every lag in
   0..``MAX_LAG_S``. Only a rise counts: an encoder spends more bits on change, while a
   neighbour on the same channel sends *less* when a camera's stream takes more airtime, so a
   falling uplink is contention, not an answer;
3. under the null (traffic independent of the light) r * sqrt(n_eff) is standard normal, with
   Bartlett's effective sample size n_eff = n / (1 + 2 sum_k rho_x(k) rho_c(k)) for the
   autocorrelation both series carry; the p-value of the best lag is Bonferroni-corrected over
   the lags and the tests made (the whole log, and each place's window on its own). Lags
   closer than the code's correlation time test nearly the same thing, so the lags count as
   ``1 + MAX_LAG_S / correlation time`` independent ones (the correlation time: the lag
   where the code's autocorrelation first reaches zero);
4. the transmitter **responds** when that p-value is below ``FALSE_ALARM_PROBABILITY``, which is
   therefore the chance that a transmitter whose traffic ignores the light is called responding.

The whole log accumulates every place's evidence (a camera that sees the whole stall answers
each place a little); the place whose own window answers most strongly is the one named.
Transmitters with fewer than ``MIN_UPLINK_FRAMES`` uplink frames in the window are not tested
(they cannot carry a video stream) and are reported as not responding with p = 1.
"""

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.special
import scipy.stats

from rf.wifi.errors import StimulusError

BIN_S = 0.25
#: Encoder latency (one or two frames at 15 fps, x264 look-ahead) plus the station's queue and,
#: when streaming to the cloud, the uplink buffer: the delays seen in Blink/Flicker's traces
#: are under 3 s.
MAX_LAG_S = 2.0
#: The chance that a transmitter whose traffic does not follow the light is called responding,
#: per transmitter and inspection.
FALSE_ALARM_PROBABILITY = 1e-3
MIN_UPLINK_FRAMES = 30
#: Packets of one video frame leave back to back (sub-millisecond gaps at any 802.11n rate);
#: frames of a 15-30 fps stream are 33-67 ms apart.
BURST_GAP_S = 0.015
#: Autocorrelation lags summed in Bartlett's effective sample size.
_BARTLETT_LAGS = 40
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
class PlaceWindow:
    """The stretch of the stimulus during which the illuminator lit one place."""

    place: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class StimulusResponse:
    """One transmitter's answer to the stimulus.

    ``score`` is the normalised correlation at the best lag (0..1), ``p_value`` its chance under
    the null after every correction, ``place`` the place whose window answered most strongly.
    """

    responds: bool
    score: float
    lag_s: float | None
    p_value: float
    place: str | None


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


def trimmed_series(time_s: np.ndarray, length: np.ndarray, owner: np.ndarray, n_owners: int,
                   start_s: float, n_bins: int) -> np.ndarray:
    """Like ``uplink_series``, less each bin's largest burst (one video frame's packets, sent
    back to back less than ``BURST_GAP_S`` apart): a GOP's I-frame lands in some bin whatever
    the light does, while flicker enlarges every P-frame of the bin."""
    mine = np.flatnonzero(owner >= 0)
    totals = uplink_series(time_s, length, owner, n_owners, start_s, n_bins)
    if len(mine) == 0:
        return totals
    order = mine[np.lexsort((time_s[mine], owner[mine]))]
    o, t = owner[order], time_s[order]
    starts = np.concatenate([[True], (np.diff(t) > BURST_GAP_S) | (np.diff(o) != 0)])
    burst = np.cumsum(starts) - 1
    burst_bytes = np.bincount(burst, weights=length[order])
    bins = np.floor((t[starts] - start_s) / BIN_S).astype(np.int64)
    keep = (bins >= 0) & (bins < n_bins)
    largest = np.zeros(n_owners * n_bins)
    np.maximum.at(largest, o[starts][keep] * n_bins + bins[keep], burst_bytes[keep])
    return totals - largest.reshape(n_owners, n_bins)


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
            alpha: float = FALSE_ALARM_PROBABILITY) -> list[StimulusResponse]:
    """Each owner's response to ``stimulus``; ``owner`` gives each frame's uplink owner (-1:
    nobody's uplink)."""
    n_bins = int(math.floor((stimulus.end_s - stimulus.start_s) / BIN_S))
    n_lags = int(round(MAX_LAG_S / BIN_S)) + 1
    if n_bins < 8:
        raise StimulusError("stimulus", f"{stimulus.end_s - stimulus.start_s:.1f} s is too "
                                        "short for a lock-in", code="stimulus_short",
                            duration_s=f"{stimulus.end_s - stimulus.start_s:.1f}")
    edges = stimulus.start_s + BIN_S * np.arange(n_bins + 1)
    level = stimulus.mean_levels(edges)
    series = trimmed_series(time_s, length, owner, n_owners, stimulus.start_s,
                            n_bins + n_lags - 1)
    counts = np.bincount(owner[(owner >= 0) & (time_s >= stimulus.start_s)
                               & (time_s < edges[-1] + MAX_LAG_S)], minlength=n_owners)
    windows = [("", 0, n_bins)] + [
        (p.place, *_bin_range(p, stimulus.start_s, n_bins)) for p in places]
    windows = [(name, lo, hi) for name, lo, hi in windows
               if hi - lo >= 8 and np.ptp(level[lo:hi]) > 0]
    results = []
    for i in range(n_owners):
        if counts[i] < MIN_UPLINK_FRAMES or not windows:
            results.append(StimulusResponse(False, 0.0, None, 1.0, None))
            continue
        ranks = scipy.stats.rankdata(series[i])
        tests = [(_best_lag(ranks, level, lo, hi, n_lags), name) for name, lo, hi in windows]
        results.append(_decide(tests, n_lags, alpha, series[i], level, windows))
    return results


def _bin_range(place: PlaceWindow, start_s: float, n_bins: int) -> tuple[int, int]:
    lo = int(np.clip(math.ceil((place.start_s - start_s) / BIN_S), 0, n_bins))
    hi = int(np.clip(math.floor((place.end_s - start_s) / BIN_S), 0, n_bins))
    return lo, hi


def _best_lag(ranks, code, lo, hi, n_lags):
    """(z, r, lag index) of the best positive correlation of ``code[lo:hi]`` with the ranks
    ``lag`` bins later."""
    c = code[lo:hi] - code[lo:hi].mean()
    c /= np.linalg.norm(c)
    n = hi - lo
    windows = np.lib.stride_tricks.sliding_window_view(ranks[lo:hi + n_lags - 1], n)
    x = windows - windows.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(x, axis=1)
    r = np.where(norms > 0, x @ c / np.where(norms > 0, norms, 1), 0.0)
    best = int(np.argmax(r))
    n_eff = _effective_samples(x[best], c)
    return float(r[best]) * math.sqrt(max(n_eff - 2, 1.0)), float(r[best]), best


def _effective_samples(x, c) -> float:
    """Bartlett's effective sample size for the correlation of two autocorrelated series,
    summing the lags up to the template's first zero crossing (beyond it the template's
    expected autocorrelation is nil and the sum would only add estimation noise)."""
    n = len(x)
    rho = 0.0
    for k in range(1, min(_BARTLETT_LAGS, n // 4) + 1):
        rho_c = _autocorrelation(c, k)
        if rho_c <= 0:
            break
        rho += _autocorrelation(x, k) * rho_c
    return n / max(1.0 + 2.0 * rho, 1.0)


def _autocorrelation(v, k) -> float:
    denominator = float(v @ v)
    return float(v[:-k] @ v[k:]) / denominator if denominator > 0 else 0.0


def _decide(tests, n_lags, alpha, series, level, windows) -> StimulusResponse:
    """Responds when the best test's corrected p-value is below ``alpha``; the place named
    is the one where the bytes rose most with the light (the response's amplitude at the
    best lag, not its significance: the camera's own place gets the rings' full light, the
    places it merely sees a share of it, and each window alone is short)."""
    (z, r, lag), name = max(tests, key=lambda t: t[0][0])
    p_one = 0.5 * scipy.special.erfc(z / math.sqrt(2.0))
    p_value = float(min(1.0, p_one * _independent_lags(level, n_lags) * len(tests)))
    responds = bool(p_value < alpha)
    place = None
    if responds and len(windows) > 1:
        place = max(windows[1:], key=lambda w: _amplitude(series, level, w[1], w[2], lag))[0]
    return StimulusResponse(responds, round(max(r, 0.0), 4), round(lag * BIN_S, 3), p_value,
                            place)


def _independent_lags(level, n_lags) -> float:
    """How many effectively independent lags the search covers (see the module docstring)."""
    c = level - level.mean()
    correlation_bins = 1
    while correlation_bins < n_lags and _autocorrelation(c, correlation_bins) > 0:
        correlation_bins += 1
    return min(float(n_lags), 1.0 + (n_lags - 1) / correlation_bins)


def _amplitude(series, level, lo, hi, lag) -> float:
    """Bytes per bin more at full stimulus than at none, by least squares."""
    c = level[lo:hi] - level[lo:hi].mean()
    x = series[lo + lag:hi + lag]
    return float((x - x.mean()) @ c / (c @ c))
