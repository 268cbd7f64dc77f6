"""Lock-in against the ring code: how much of a point's brightness each ring explains.

Every frame says what fraction of its exposure each ring was lit (``on_axis``, ``off_axis``).
A point's contrast per millisecond of exposure is fitted, over the frames it was seen in, as

    contrast / exposure_ms = steady + on_axis_gain * on_axis + off_axis_gain * off_axis

so ``steady`` is what it shows with both rings dark (an LED, a lamp highlight), and each gain
is what that ring adds. A cat's eye answers the on-axis ring only; a shiny curve answers both;
an emitter answers neither. Ambient light, mains flicker and auto-exposure changes are not
correlated with a pseudo-random ring code, so they fall into the residual, not the gains.
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LockIn:
    """The fit, in DN per millisecond of exposure, with each gain's standard error."""

    steady: float
    on_axis_gain: float
    off_axis_gain: float
    steady_se: float
    on_axis_se: float
    off_axis_se: float
    retro_se: float  # of on_axis_gain - off_axis_gain
    n_frames: int

    @property
    def on_axis_snr(self) -> float:
        return self.on_axis_gain / self.on_axis_se

    @property
    def retro_snr(self) -> float:
        """How far the on-axis ring's answer exceeds the off-axis ring's, in standard errors:
        the retro-reflection itself. Both rings light the surroundings alike, so this also
        cancels the rings' diffuse light, which makes a lens's dark hole look darker when
        either ring is lit."""
        return (self.on_axis_gain - self.off_axis_gain) / self.retro_se

    @property
    def steady_snr(self) -> float:
        return self.steady / self.steady_se


#: Standard errors never go below this (DN/ms): a noise-free fit is not infinitely certain.
#: (A level averages a few dozen pixels: its noise is a few tenths of a DN, about 0.05 DN/ms
#: at 8 ms, so a gain's standard error over a scan is rarely below a hundredth of a DN/ms.)
MIN_SE = 0.005


def fit_lockin(contrast_dn, exposure_ms, on_axis, off_axis) -> LockIn | None:
    """Least-squares fit of the model above; None if the frames cannot separate the terms."""
    y = np.asarray(contrast_dn, dtype=float) / np.asarray(exposure_ms, dtype=float)
    design = np.column_stack([np.ones_like(y), on_axis, off_axis]).astype(float)
    if len(y) < 5 or np.linalg.matrix_rank(design) < 3:
        return None
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ solution
    dof = max(len(y) - 3, 1)
    variance = float(residual @ residual) / dof
    covariance = variance * np.linalg.inv(design.T @ design)
    se = np.maximum(np.sqrt(np.diag(covariance)), MIN_SE)
    retro_se = max(float(np.sqrt(max(covariance[1, 1] + covariance[2, 2]
                                     - 2 * covariance[1, 2], 0.0))), MIN_SE)
    return LockIn(*map(float, solution), *map(float, se), retro_se, n_frames=len(y))


@dataclass(frozen=True)
class WindowedRetro:
    """The strongest run of consecutive on-axis frames in which a point answered the on-axis
    ring over the off-axis one (DN per ms), and how unlikely noise alone makes it.

    ``evidence`` is -log10 of the run's one-sided p-value, corrected for having taken the
    best of ``n_windows`` runs (Bonferroni): 2 means one scan in a hundred shows that much
    from noise alone somewhere among its runs, under the noise model of ``windowed_retro``.
    """

    evidence: float
    z: float  # the best run's contrast in noise sigmas, before the correction
    n_windows: int
    first_frame: int  # the run's first and last on-axis frames
    last_frame: int
    retro_dn_ms: float  # the run's mean on-axis minus off-axis contrast
    off_share: float  # the off-axis ring's answer over the on-axis ring's (over dark), in the run


#: A lit frame's reference is the off-axis-only (and dark) frames this close to it: the code
#: lights every state at least once in any few frames, and the hand moves little in that time.
REFERENCE_GAP_FRAMES = 3
#: The noise of one frame's level never goes below this (DN/ms): a noise-free render or a
#: saturated patch is not infinitely certain (a level's read noise is about 0.05 DN/ms at 8 ms).
MIN_LEVEL_SIGMA = 0.05


def windowed_retro(level_dn, exposure_ms, on_axis, off_axis, frames) -> WindowedRetro | None:
    """The lock-in of ``fit_lockin`` with an on-axis gain free to vary along the scan.

    A real cat's eye glints (saturated) only while the hand is inside its acceptance cone,
    and a fixture's parallax or a registration error may carry the track's point off it for
    the rest of the scan: one gain over the whole scan then averages a strong answer with
    frames of nothing, and its misfit swamps the SNR. Here each frame lit by the on-axis ring
    alone is compared with the off-axis-only and the dark frames around it (within
    ``REFERENCE_GAP_FRAMES``), with the brighter of the two: its retro contrast, what the
    on-axis ring adds over both the off-axis ring's answer and the room's light (a point the
    off-axis ring shadows, or a steady glow, gains nothing by it). The evidence is that of
    the best run of consecutive lit frames, sum of contrasts over sigma x sqrt(run length):
    the gain may be anything inside the run and zero outside it.

    Noise model: the levels of the reference frames (off-axis-only and dark) of one state
    scatter about each other only by noise and the texture a drifting point crosses; a robust
    sigma of their frame-to-frame differences / sqrt(2) is each frame's noise, independent and
    Gaussian, and a lit frame's contrast has that variance times (1 + 1/references). The best
    of M runs is corrected by Bonferroni (p = M x the run's tail probability): on pure noise,
    evidence >= 2 comes up in 1.5 % of tracks (the sigma is estimated from a dozen frames),
    against 5 % for the best run's uncorrected p (``tests/optics/test_windowed_lockin.py``).
    None when the scan lacks a lit, an off-axis-only or two reference frames of one state.
    """
    y = np.asarray(level_dn, float) / np.asarray(exposure_ms, float)
    on_axis, off_axis = np.asarray(on_axis, float), np.asarray(off_axis, float)
    frames = np.asarray(frames, float)
    lit = (on_axis > 0.5) & (off_axis < 0.5)
    off_only = (off_axis > 0.5) & (on_axis < 0.5)
    dark = (on_axis < 0.1) & (off_axis < 0.1)
    sigma = _reference_sigma(y, (off_only, dark))
    if not lit.any() or not off_only.any() or sigma is None:
        return None
    lit_idx = np.flatnonzero(lit)
    off_ref = [_nearby(frames, off_only, frames[i]) for i in lit_idx]
    dark_ref = [_nearby(frames, dark, frames[i]) if dark.any() else off_ref[k]
                for k, i in enumerate(lit_idx)]
    off_level = np.array([y[ref].mean() for ref in off_ref])
    dark_level = np.array([y[ref].mean() for ref in dark_ref])
    retro = y[lit_idx] - np.maximum(off_level, dark_level)
    contrast_sigma = sigma * np.sqrt(1.0 + np.array([1.0 / min(len(a), len(b))
                                                     for a, b in zip(off_ref, dark_ref)]))
    z, first, last, n_windows = _best_run(retro, contrast_sigma)
    tail = max(0.5 * math.erfc(z / math.sqrt(2.0)) * n_windows, 1e-300)
    run = slice(first, last + 1)
    on_dn = float(np.mean(y[lit_idx[run]] - dark_level[run]))
    off_dn = float(np.mean(off_level[run] - dark_level[run]))
    off_share = float(np.clip(off_dn / on_dn, 0.0, 2.0)) if on_dn > 0 else 2.0
    return WindowedRetro(float(-np.log10(min(tail, 1.0))), float(z), n_windows,
                         int(frames[lit_idx[first]]), int(frames[lit_idx[last]]),
                         float(retro[run].mean()), off_share)


def _nearby(frames: np.ndarray, mask: np.ndarray, frame: float) -> np.ndarray:
    """Indices of the ``mask`` frames within ``REFERENCE_GAP_FRAMES`` of ``frame`` (or the
    nearest ones when none is that close)."""
    idx = np.flatnonzero(mask)
    distance = np.abs(frames[idx] - frame)
    near = distance <= REFERENCE_GAP_FRAMES
    return idx[near] if near.any() else idx[distance == distance.min()]


def _reference_sigma(y: np.ndarray, states) -> float | None:
    """Robust per-frame noise (DN/ms) from consecutive reference frames of each state."""
    steps = np.concatenate([np.diff(y[mask]) for mask in states]) / np.sqrt(2.0)
    if len(steps) < 2:
        return None
    return max(1.4826 * float(np.median(np.abs(steps))), MIN_LEVEL_SIGMA)


def _best_run(contrast: np.ndarray, sigma: np.ndarray):
    """The run of consecutive entries with the largest sum / sqrt(sum of variances): its z,
    first and last index, and how many runs were tried."""
    cumulative = np.concatenate([[0.0], np.cumsum(contrast)])
    variance = np.concatenate([[0.0], np.cumsum(sigma ** 2)])
    n = len(contrast)
    first, last = np.triu_indices(n)
    z = (cumulative[last + 1] - cumulative[first]) / np.sqrt(variance[last + 1] - variance[first])
    best = int(np.argmax(z))
    return float(z[best]), int(first[best]), int(last[best]), len(z)
