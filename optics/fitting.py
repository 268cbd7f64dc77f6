"""Fitting the scoring's logistic models: L2-regularised maximum likelihood by Newton's method.

Pure numpy; ``bench/fit_optics_calibration.py`` feeds it labelled tracks and writes
``optics/calibration.json``; tests use it to check that a fit recovers known weights.
"""

import numpy as np

L2 = 0.05  # a weak prior toward zero weights (not on the bias): keeps rare cues finite


def fit_logistic(terms: np.ndarray, positive: np.ndarray, l2: float = L2,
                 sample_weight: np.ndarray | None = None,
                 signs: dict[int, int] | None = None) -> np.ndarray:
    """Weights maximising the (per-sample weighted) log-likelihood minus ``l2``/2 |w|^2 (the
    bias, column 0, is not penalised), with the weight of each column of ``signs`` held to
    that sign or zero (+1: at or above zero, -1: at or below): a term whose physics says
    which way it speaks (a highlight slides, a cat's eye does not) must not be fitted to speak
    the other way, whatever the sample.

    The bounds are kept by an active set: a bounded weight the fit puts on the wrong side is
    held at zero and the others refitted, until every held weight's gradient still pushes it
    the wrong way (the bounded problem is convex, so that point is its optimum; each step
    lowers the objective, so no set of held weights comes twice)."""
    signs = signs or {}
    y = positive.astype(float)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    penalty = np.full(terms.shape[1], l2)
    penalty[0] = 0.0
    held: set[int] = set()
    for _ in range(4 * len(signs) + 1):
        free = [k for k in range(terms.shape[1]) if k not in held]
        weights = np.zeros(terms.shape[1])
        weights[free] = _newton(terms[:, free], y, w, penalty[free])
        wrong = [k for k, sign in signs.items() if k not in held and sign * weights[k] < 0]
        if wrong:
            held.add(max(wrong, key=lambda k: abs(weights[k])))
            continue
        gradient = _gradient(terms, y, w, penalty, weights)
        # Descending the gradient would move a held weight to its own side: release it.
        released = [k for k in held if signs[k] * gradient[k] < 0]
        if not released:
            return weights
        held.remove(released[0])
    raise ArithmeticError(f"the bounded fit did not settle on which of the columns "
                          f"{sorted(signs)} to hold at zero")


def _newton(terms, y, w, penalty) -> np.ndarray:
    """The unbounded fit by Newton's method."""
    weights = np.zeros(terms.shape[1])
    for _ in range(100):
        p = _probability(terms, weights)
        hessian = (terms * (w * p * (1 - p))[:, None]).T @ terms + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, _gradient(terms, y, w, penalty, weights, p))
        weights -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return weights


def _gradient(terms, y, w, penalty, weights, p=None) -> np.ndarray:
    """The penalised negative log-likelihood's gradient at ``weights`` (``p``: the
    probabilities there, when already computed)."""
    p = _probability(terms, weights) if p is None else p
    return terms.T @ (w * (p - y)) + penalty * weights


def _probability(terms, weights) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(terms @ weights, -30, 30)))


def log_loss(terms, positive, weights) -> float:
    p = np.clip(_probability(terms, weights), 1e-12, 1 - 1e-12)
    return float(-np.mean(np.where(positive, np.log(p), np.log(1 - p))))
