"""Rates with their 95 % Wilson score intervals, as every benchmark reports them."""

import math

Z_95 = 1.959964


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``trials`` ((0, 1) with no trials)."""
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(successes: int, trials: int) -> dict:
    """``{"value", "low", "high", "n"}``: a rate and its 95 % interval."""
    low, high = wilson_interval(successes, trials)
    return {"value": successes / trials if trials else None, "low": round(low, 4),
            "high": round(high, 4), "n": trials}
