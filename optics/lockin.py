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
