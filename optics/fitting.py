"""Fitting the scoring's logistic models: L2-regularised maximum likelihood by Newton's method.

Pure numpy; ``bench/fit_optics_calibration.py`` feeds it labelled tracks and writes
``optics/calibration.json``; tests use it to check that a fit recovers known weights.
"""

import numpy as np

L2 = 0.05  # a weak prior toward zero weights (not on the bias): keeps rare cues finite


def fit_logistic(terms: np.ndarray, positive: np.ndarray, l2: float = L2,
                 sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Weights maximising the (per-sample weighted) log-likelihood minus ``l2``/2 |w|^2 (the
    bias, column 0, is not penalised)."""
    weights = np.zeros(terms.shape[1])
    penalty = np.full(terms.shape[1], l2)
    penalty[0] = 0.0
    y = positive.astype(float)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(terms @ weights, -30, 30)))
        gradient = terms.T @ (w * (p - y)) + penalty * weights
        hessian = (terms * (w * p * (1 - p))[:, None]).T @ terms + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return weights


def log_loss(terms, positive, weights) -> float:
    p = np.clip(1.0 / (1.0 + np.exp(-np.clip(terms @ weights, -30, 30))), 1e-12, 1 - 1e-12)
    return float(-np.mean(np.where(positive, np.log(p), np.log(1 - p))))
