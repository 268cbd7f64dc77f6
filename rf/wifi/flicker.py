"""The flicker's own evidence: does each picture's size follow the light change its exposure saw?

Inside a lit chip the rings switch on or off at random every ``rf.wifi.stimulus.FLICKER_S``
(0.1 s), longer than a camera's frame interval (33-100 ms). So some consecutive exposures of a
camera that sees the light catch different shares of it (a changed picture, a large P-frame)
and some catch the same (a still one, a small P-frame). The switch log (``drive``) says how
much light each exposure caught, so every picture carries its own evidence, ten random
switches per lit second instead of the one chip level the envelope test uses.

Per picture j of a lit chip, sent at t_j after t_{j-1} and t_{j-2} (its exposure is the frame
interval before it, ``lag`` earlier: encoder and queue latency), the regressor is
|mean drive over (t_{j-1}, t_j] - mean drive over (t_{j-2}, t_{j-1}]|, all shifted by the lag,
and each place's statistic is its sum against the picture's log size, centred within its chip
(the chip-level rise is the envelope test's; this test sees only the variation inside a
chip).

**Per place, like the envelope.** A camera sees some of a stall's places and not others (its
own at full light, a few more across the stall at a third of it, the rest not at all), so a
sum over the whole stall would let the places it does not see dilute those it answers. Each
place's statistic is made a z against its own null, and the stall's evidence at a lag is the
sum over places of the squared positive z's; a window answered strongly counts more than one
answered weakly, and a place that adds nothing costs little.

The null: the switches were drawn at random, independently of anything on the air, so under the
null (traffic that ignores the light) every permutation of the lit slots' levels within a place
was as likely. ``N_DRAWS`` permuted switch logs give each place's null mean and standard
deviation; with about a hundred pictures and switches a place the statistic is a sum of many
weakly dependent terms, normal to a good approximation, and the standard deviation is taken at
its upper confidence bound (``SD_MARGIN``) so the estimate's own scatter cannot make the test
bolder than stated. The places' switches were drawn independently, so their z's are
independent under the null and the sum of their squared positive parts has the chi-bar-square
tail: sum over k of C(W, k) 2^-W P(chi2_k >= t) for W places. The lags tried
(``FINE_LAG_STEP_S`` apart up to ``FINE_MAX_LAG_S``) are Bonferroni-corrected, which makes
the test conservative: a stream that ignores the light gets p <= alpha with probability at
most alpha, and usually less.
"""

import math

import numpy as np
import scipy.sparse
import scipy.special

from rf.wifi.chips import Chips

#: Pictures further apart than this are not consecutive frames of one stream (a dropped frame
#: or a motion camera's pause): their exposure is unknown.
MAX_FRAME_GAP_S = 0.2
#: Exposure timing matters to a fraction of the 0.1 s switch interval.
FINE_LAG_STEP_S = 0.01
#: From exposure to the air: a camera SoC's hardware encoder takes one to three frames
#: (<= 0.2 s at 15 fps) and the station's queue, unloaded, well under 0.1 s. A camera that
#: sends later (a congested link) is left to the envelope test, whose lags reach 2 s.
FINE_MAX_LAG_S = 0.3
N_DRAWS = 400
#: The sample standard deviation of N_DRAWS normal draws is within 3 / sqrt(2 (N - 1)) of the
#: truth with 99.7 % confidence; the test divides by the upper end.
SD_MARGIN = 1.0 + 3.0 / math.sqrt(2.0 * (N_DRAWS - 1))
MIN_PICTURES = 50
#: A place's z needs enough pictures for its sum to be near normal (a place's lit chips hold
#: about a hundred at 15 fps; a motion camera that paused may have fewer).
MIN_PLACE_PICTURES = 30
DRAW_SEED = 20_211_111  # any fixed seed: the draws must only not depend on the traffic
_SLOTS_PER_INTERVAL = 6


def flicker_test(picture_s: np.ndarray, log_size: np.ndarray, chips: Chips,
                 drive_times_s: np.ndarray, drive_levels: np.ndarray
                 ) -> tuple[float, float | None]:
    """The p-value of the flicker test for one stream (1.0 when it cannot be run) and the
    lag it fitted best: exposure to the air, to ``FINE_LAG_STEP_S`` (None when not run)."""
    slots = _slots(chips, drive_times_s, drive_levels)
    if slots is None:
        return 1.0, None
    start, end, level, free_window = slots
    draws = _draws(level, free_window)
    lags = np.arange(0.0, FINE_MAX_LAG_S + 1e-9, FINE_LAG_STEP_S)
    best_p, best_lag = 1.0, None
    for lag in lags:
        rows = _pictures_in_lit_chips(picture_s - lag, chips)
        if rows is None or len(rows[0]) < MIN_PICTURES:
            continue
        j, chip = rows
        y = _centred(log_size[j], chip)
        change = np.abs(change_matrix(picture_s - lag, j, start, end) @ np.column_stack(
            [level, draws]))
        z = _place_z(y[:, None] * change, chips.window[chip])
        if len(z):
            p = _chi_bar_square_sf(float((np.maximum(z, 0.0) ** 2).sum()), len(z))
            if p < best_p:
                best_p, best_lag = p, float(lag)
    return float(min(1.0, len(lags) * best_p)), best_lag


def _place_z(terms: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Per place with at least ``MIN_PLACE_PICTURES`` pictures: the observed sum of its
    pictures' terms (column 0) against the permuted ones' (the rest), as a z whose standard
    deviation is taken at its upper bound."""
    z = []
    for w in np.unique(window):
        members = window == w
        if members.sum() < MIN_PLACE_PICTURES:
            continue
        sums = terms[members].sum(axis=0)
        sd = float(sums[1:].std(ddof=1)) * SD_MARGIN
        if sd > 0:
            z.append((sums[0] - float(sums[1:].mean())) / sd)
    return np.array(z)


def _chi_bar_square_sf(t: float, n: int) -> float:
    """P(sum of ``n`` independent max(z, 0)^2 >= t) for standard normal z's: each z is
    positive with probability 1/2, and the sum of k squared positive ones is chi-square
    with k degrees of freedom."""
    if t <= 0:
        return 1.0
    k = np.arange(1, n + 1)
    return float(np.sum(scipy.special.comb(n, k) / 2.0 ** n * scipy.special.chdtrc(k, t)))


def _slots(chips, times_s, levels):
    """The drive's steps inside the windows' lit chips (``free_window``: the window index of a
    step whose level was drawn, -1 for fixed steps), or None without any drawn step."""
    start, end, level = times_s[:-1], times_s[1:], levels[:-1].astype(float)
    k = np.searchsorted(chips.start_s, start + 1e-9, side="right") - 1
    inside = (k >= 0) & (start < chips.end_s[np.clip(k, 0, None)])
    lit = inside & (chips.level[np.clip(k, 0, None)] > 0)
    free_window = np.where(lit, chips.window[np.clip(k, 0, None)], -1)
    if lit.sum() < 2 or np.ptp(level[lit]) == 0:
        return None
    return start, end, level, free_window


def _draws(level, free_window) -> np.ndarray:
    """``N_DRAWS`` columns of the drive's levels, the drawn ones permuted within their window."""
    rng = np.random.default_rng(DRAW_SEED)
    draws = np.repeat(level[:, None], N_DRAWS, axis=1)
    for w in np.unique(free_window[free_window >= 0]):
        members = np.flatnonzero(free_window == w)
        order = np.argsort(rng.random((len(members), N_DRAWS)), axis=0)
        draws[members] = level[members][order]
    return draws


def _pictures_in_lit_chips(exposure_end_s, chips):
    """Pictures (index j, chip) whose exposure ends in a lit chip and whose two previous
    pictures are consecutive frames."""
    gaps = np.diff(exposure_end_s, prepend=-np.inf)
    consecutive = (gaps <= MAX_FRAME_GAP_S) & (np.roll(gaps, 1) <= MAX_FRAME_GAP_S)
    consecutive[:2] = False
    k = np.searchsorted(chips.start_s, exposure_end_s, side="right") - 1
    inside = (k >= 0) & (exposure_end_s < chips.end_s[np.clip(k, 0, None)])
    keep = consecutive & inside & (chips.level[np.clip(k, 0, None)] > 0)
    j = np.flatnonzero(keep)
    return (j, k[j]) if len(j) else None


def _centred(y, chip):
    sums = np.bincount(chip, weights=y)
    counts = np.bincount(chip)
    return y - (sums / np.maximum(counts, 1))[chip]


def change_matrix(exposure_end_s, j, start, end):
    """Rows: per picture, the weights that turn the drive's levels into (mean over its own
    exposure) - (mean over the previous one)."""
    current = _mean_weights(exposure_end_s[j - 1], exposure_end_s[j], start, end)
    previous = _mean_weights(exposure_end_s[j - 2], exposure_end_s[j - 1], start, end)
    return (current - previous).tocsr()


def _mean_weights(a, b, start, end):
    first = np.clip(np.searchsorted(start, a, side="right") - 1, 0, len(start) - 1)
    rows, cols, values = [], [], []
    for step in range(_SLOTS_PER_INTERVAL):
        slot = np.clip(first + step, 0, len(start) - 1)
        overlap = np.clip(np.minimum(b, end[slot]) - np.maximum(a, start[slot]), 0, None)
        overlap = np.where(first + step < len(start), overlap, 0.0)
        rows.append(np.arange(len(a)))
        cols.append(slot)
        values.append(overlap / (b - a))
    return scipy.sparse.coo_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(a), len(start)))
