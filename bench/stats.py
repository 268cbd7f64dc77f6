"""Rates with their 95% Wilson score intervals, for every benchmark's figures."""

import math

Z_95 = 1.959964


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``successes / trials`` (0..1 each end; (0, 1) when empty)."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(successes: int, trials: int) -> dict:
    """``{"rate", "lower95", "upper95", "successes", "trials"}`` (rates rounded to 4 places)."""
    lo, hi = wilson(successes, trials)
    return {"rate": round(successes / trials, 4) if trials else None,
            "lower95": round(lo, 4), "upper95": round(hi, 4),
            "successes": successes, "trials": trials}
