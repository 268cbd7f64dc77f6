"""Lock-in against the ring code: how much of a point's brightness each ring explains.

Every frame says what fraction of its exposure each ring was lit (``on_axis``, ``off_axis``).
A point's contrast per millisecond of exposure is fitted, over the frames it was seen in, as

    contrast / exposure_ms = steady + on_axis_gain * on_axis + off_axis_gain * off_axis

so ``steady`` is what it shows with both rings dark (an LED, a lamp highlight), and each gain
is what that ring adds. A cat's eye answers the on-axis ring only; a shiny curve answers both;
an emitter answers neither. Ambient light, mains flicker and auto-exposure changes are not
correlated with a pseudo-random ring code, so they fall into the residual, not the gains.
"""

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
    return fit_lockins([(contrast_dn, exposure_ms, on_axis, off_axis)])[0]


def fit_lockins(series: list[tuple]) -> list[LockIn | None]:
    """``fit_lockin`` of many points at once, each (contrast_dn, exposure_ms, on_axis,
    off_axis): the live view fits every track seen in each lit frame. Each point's frames are
    padded with empty ones (zero rows change neither the fit nor its residual), so all share
    one stacked decomposition."""
    lengths = np.array([len(contrast_dn) for contrast_dn, *_ in series])
    fits: list[LockIn | None] = [None] * len(series)
    fitted = np.flatnonzero(lengths >= 5)
    if not len(fitted):
        return fits
    y = np.zeros((len(fitted), lengths[fitted].max()))
    design = np.zeros(y.shape + (3,))
    for row, k in enumerate(fitted):
        contrast_dn, exposure_ms, on_axis, off_axis = series[k]
        n = lengths[k]
        y[row, :n] = np.asarray(contrast_dn, float) / np.asarray(exposure_ms, float)
        design[row, :n, 0] = 1.0
        design[row, :n, 1] = on_axis
        design[row, :n, 2] = off_axis
    # One singular value decomposition gives the rank (``np.linalg.matrix_rank``'s test), the
    # least-squares solution and (design^T design)^-1, where three decompositions cost twice
    # as much.
    u, singular, vt = np.linalg.svd(design, full_matrices=False)
    n = lengths[fitted]
    full_rank = singular[:, -1] > singular[:, 0] * np.maximum(n, 3) * np.finfo(float).eps
    singular = np.where(full_rank[:, None], singular, 1.0)  # the rest are dropped
    v = np.swapaxes(vt, 1, 2)
    solution = (v @ ((np.swapaxes(u, 1, 2) @ y[..., None])[..., 0] / singular)[..., None])
    residual = y - (design @ solution)[..., 0]
    variance = (residual**2).sum(axis=1) / np.maximum(n - 3, 1)
    covariance = variance[:, None, None] * ((v / singular[:, None, :] ** 2) @ vt)
    se = np.maximum(np.sqrt(np.diagonal(covariance, axis1=1, axis2=2)), MIN_SE)
    retro_se = np.maximum(np.sqrt(np.maximum(
        covariance[:, 1, 1] + covariance[:, 2, 2] - 2 * covariance[:, 1, 2], 0.0)), MIN_SE)
    for row, k in enumerate(fitted):
        if full_rank[row]:
            fits[k] = LockIn(*map(float, solution[row, :, 0]), *map(float, se[row]),
                             float(retro_se[row]), n_frames=int(n[row]))
    return fits
