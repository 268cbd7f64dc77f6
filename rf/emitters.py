"""Emitters: runs of spectrum bins above the noise threshold, grouped into transmitters with a
centre frequency, occupied bandwidth, power, occupancy across sweeps and burstiness."""

from dataclasses import dataclass

import numpy as np

from rf.spectrum import Spectrum

#: Bins above threshold separated by less than this belong to one emitter (a video signal's
#: spectrum is lumpy; FM broadcast channels are 100-200 kHz apart and must stay apart).
MERGE_GAP_HZ = 40e3


@dataclass(frozen=True)
class Emitter:
    """One transmitter as the spectrum shows it.

    [``lo_hz``, ``hi_hz``] is the run of bins above the threshold; ``bandwidth_hz`` is the
    occupied bandwidth holding 99 % of its power (the ITU's measure, which unlike the run does
    not widen as a strong signal's skirts rise above the floor), ``freq_hz`` the middle of that
    99 % band; ``power_db`` is the
    power summed over the span (input-referred dBFS); ``occupancy`` is the fraction of sweeps in
    which it was present; ``burstiness`` is 0 for a steady signal and near 1 for short bursts.
    """

    freq_hz: float
    bandwidth_hz: float
    power_db: float
    peak_freq_hz: float
    peak_db: float
    snr_db: float
    occupancy: float
    burstiness: float
    lo_hz: float
    hi_hz: float


def find_emitters(spectrum: Spectrum, *, merge_gap_hz: float = MERGE_GAP_HZ) -> list[Emitter]:
    """Group the bins above threshold (in the mean spectrum or in any one sweep) into emitters."""
    present = (spectrum.power_db > spectrum.threshold_db) | (spectrum.occupancy > 0)
    if not np.any(present):
        return []
    bin_hz = spectrum.bin_hz or 1.0
    gap_bins = max(int(round(merge_gap_hz / bin_hz)), 1)
    return [_emitter(spectrum, a, b) for a, b in _runs(present, gap_bins)]


def _runs(mask: np.ndarray, gap_bins: int):
    """[start, stop) index runs of ``mask``, joining runs separated by fewer than gap_bins."""
    idx = np.flatnonzero(mask)
    breaks = np.flatnonzero(np.diff(idx) > gap_bins)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    stops = np.concatenate([idx[breaks], [idx[-1]]]) + 1
    return list(zip(starts.tolist(), stops.tolist()))


def _emitter(spectrum: Spectrum, a: int, b: int) -> Emitter:
    freqs = spectrum.freqs_hz[a:b]
    power = spectrum.power_db[a:b]
    floor = spectrum.noise_floor_db[a:b]
    excess = np.maximum(10 ** (power / 10) - 10 ** (floor / 10), 0)
    total = float(np.sum(excess)) or float(np.sum(10 ** (power / 10)))
    peak = int(np.argmax(power))
    bin_hz = spectrum.bin_hz
    lo_hz, hi_hz = float(freqs[0] - bin_hz / 2), float(freqs[-1] + bin_hz / 2)
    obw_lo_hz, obw_hi_hz = _occupied_band(freqs, excess, bin_hz)
    return Emitter(
        freq_hz=(obw_lo_hz + obw_hi_hz) / 2,
        bandwidth_hz=obw_hi_hz - obw_lo_hz,
        power_db=round(10 * np.log10(total), 2),
        peak_freq_hz=float(freqs[peak]),
        peak_db=round(float(power[peak]), 2),
        snr_db=round(float(power[peak] - floor[peak]), 2),
        occupancy=round(float(np.max(spectrum.occupancy[a:b])), 3),
        burstiness=round(burstiness_from_variation(float(np.median(spectrum.variation[a:b]))), 3),
        lo_hz=lo_hz,
        hi_hz=hi_hz,
    )


def _occupied_band(freqs, excess, bin_hz, fraction: float = 0.99):
    """Edges of the band holding ``fraction`` of the excess power (half the rest each side)."""
    cumulative = np.cumsum(excess)
    total = cumulative[-1]
    if total <= 0:
        return float(freqs[0] - bin_hz / 2), float(freqs[-1] + bin_hz / 2)
    tail = (1 - fraction) / 2 * total
    first = int(np.searchsorted(cumulative, tail))
    last = int(np.searchsorted(cumulative, total - tail))
    last = min(max(last, first), len(freqs) - 1)
    return float(freqs[first] - bin_hz / 2), float(freqs[last] + bin_hz / 2)


def burstiness_from_variation(variation: float) -> float:
    """1 minus the duty cycle implied by power's coefficient of variation across segments.

    Noise-like power (exponential per bin) has a variation of 1; a signal that is on a fraction
    d of the time has variation^2 = 2/d - 1, so d = 2 / (variation^2 + 1). A steady carrier's
    variation is below 1 and counts as fully on.
    """
    duty = min(2.0 / (variation**2 + 1.0), 1.0)
    return 1.0 - duty
