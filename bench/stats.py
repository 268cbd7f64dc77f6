"""Rates with their 95% intervals, as every benchmark reports them."""

import math

Z95 = 1.959964  # the standard normal's 97.5th percentile: a two-sided 95% interval


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``trials`` (a proportion's interval
    that stays inside 0..1 and is honest at 0 or all successes, where the normal
    approximation collapses to a point). ``(nan, nan)`` for no trials."""
    if trials <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(successes: int, trials: int) -> dict:
    """A proportion with its 95% Wilson interval, rounded for a report."""
    low, high = wilson_interval(successes, trials)
    return {"n": trials, "k": successes,
            "rate": round(successes / trials, 4) if trials else None,
            "lower95": round(low, 4) if trials else None,
            "upper95": round(high, 4) if trials else None}
