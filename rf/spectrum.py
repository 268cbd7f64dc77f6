"""Power spectra: one hop's Welch spectrum, a sweep stitched from its hops, the noise floor, and
max-hold and occupancy over repeated sweeps.

Power is in dB relative to the ADC's full scale *referred to the tuner input* (dBFS minus the
gain in dB), so hops taken at different gains stitch into one comparable spectrum. Each bin holds
the power of that bin (the bins of a band sum to the band's power).
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.fft
import scipy.ndimage

from rf.hopplan import Hop

#: Bins either side of DC replaced by their neighbours: the dongle's DC leak and its 1/f skirt.
DC_HALF_WIDTH_BINS = 1
#: A bin belongs to an emitter when it stands this many noise deviations above the floor...
THRESHOLD_SIGMAS = 6.0
#: ...and at least this many dB (Welch spectra of long captures have a very narrow noise spread).
MIN_THRESHOLD_DB = 3.0
#: The floor is a running median of per-chunk medians over this span: an emitter narrower than
#: about half of it cannot lift the floor under itself.
FLOOR_CHUNK_HZ = 1e6
FLOOR_SPAN_HZ = 41e6


class SpectrumError(ValueError):
    """Spectra that cannot be combined (different grids, empty input)."""


@dataclass(frozen=True)
class HopSpectrum:
    """The kept slice of one hop: RF bin frequencies, mean power, and the per-bin coefficient of
    variation of power across Welch segments (about 1 for noise-like signals, far above for
    bursts, near 0 for a steady carrier)."""

    freqs_hz: np.ndarray
    power_db: np.ndarray
    variation: np.ndarray
    gain_db: float


@dataclass(frozen=True)
class Spectrum:
    """A swept spectrum with its noise floor and, over ``n_sweeps``, max-hold and occupancy."""

    freqs_hz: np.ndarray
    power_db: np.ndarray
    noise_floor_db: np.ndarray
    threshold_db: np.ndarray
    max_hold_db: np.ndarray
    occupancy: np.ndarray
    variation: np.ndarray
    n_sweeps: int = 1
    gain_db: np.ndarray = field(default=None)

    @property
    def bin_hz(self) -> float:
        return float(self.freqs_hz[1] - self.freqs_hz[0]) if len(self.freqs_hz) > 1 else 0.0


def segment_powers(iq: np.ndarray, fft_size: int) -> np.ndarray:
    """Power per bin of each non-overlapping Hann-windowed segment: (segments, bins), DC in the
    middle column. A spectrogram: its rows show a burst keying on and off."""
    n_segments = len(iq) // fft_size
    if n_segments < 1:
        raise SpectrumError(f"{len(iq)} samples is less than one {fft_size}-point segment")
    window = np.hanning(fft_size).astype(np.float32)
    segments = iq[: n_segments * fft_size].reshape(n_segments, fft_size) * window
    power = np.abs(scipy.fft.fft(segments, axis=1, workers=1)) ** 2
    power /= fft_size * float(np.sum(window**2))
    return np.fft.fftshift(power, axes=1)


def welch_power(iq: np.ndarray, fft_size: int, powers: np.ndarray | None = None):
    """Mean power per bin over the segments (DC in the middle), and the per-bin coefficient of
    variation across segments; ``powers`` reuses an already computed ``segment_powers``."""
    power = segment_powers(iq, fft_size) if powers is None else powers
    mean = power.mean(axis=0)
    spread = power.std(axis=0) / np.maximum(mean, np.finfo(np.float32).tiny)
    return mean, spread


def hop_spectrum(iq: np.ndarray, hop: Hop, sample_rate_hz: float, fft_size: int,
                 gain_db: float = 0.0, powers: np.ndarray | None = None) -> HopSpectrum:
    """Welch spectrum of one hop, DC spike removed, cropped to the hop's kept slice."""
    mean, variation = welch_power(iq, fft_size, powers)
    mean = remove_dc_spike(mean)
    bin_hz = sample_rate_hz / fft_size
    freqs_hz = hop.rf_center_hz + (np.arange(fft_size) - fft_size // 2) * bin_hz
    keep = (freqs_hz >= hop.keep_lo_hz - bin_hz / 2) & (freqs_hz < hop.keep_hi_hz - bin_hz / 2)
    power_db = 10 * np.log10(np.maximum(mean[keep], 1e-20)) - gain_db
    return HopSpectrum(freqs_hz[keep], power_db.astype(np.float32), variation[keep], gain_db)


def remove_dc_spike(power: np.ndarray) -> np.ndarray:
    """Replace the bins around DC (the middle) by the mean of the bins beside them.

    A carrier exactly at a hop's tuning frequency is lost with the spike; it is rare, and an
    inspector's repeated sweeps at other sample rates or a proximity follow still see it.
    """
    middle = len(power) // 2
    lo, hi = middle - DC_HALF_WIDTH_BINS, middle + DC_HALF_WIDTH_BINS + 1
    out = power.copy()
    out[lo:hi] = 0.5 * (power[lo - 2: lo].mean() + power[hi: hi + 2].mean())
    return out


def stitch(hops: list[HopSpectrum]):
    """One sweep's hops joined in frequency order: (freqs_hz, power_db, variation, gain_db)."""
    if not hops:
        raise SpectrumError("no hops to stitch")
    ordered = sorted(hops, key=lambda h: h.freqs_hz[0])
    freqs_hz = np.concatenate([h.freqs_hz for h in ordered])
    power_db = np.concatenate([h.power_db for h in ordered])
    variation = np.concatenate([h.variation for h in ordered])
    gain_db = np.concatenate([np.full(len(h.freqs_hz), h.gain_db, np.float32) for h in ordered])
    return freqs_hz, power_db, variation, gain_db


def estimate_noise_floor_db(freqs_hz: np.ndarray, power_db: np.ndarray,
                            gain_db: np.ndarray | None = None):
    """Per-bin noise floor and the noise's spread (dB), robust to emitters.

    The floor is estimated at the ADC (power plus gain), where it is smooth across hops: each
    1 MHz chunk's lower quartile, then a running median over FLOOR_SPAN_HZ, so an emitter
    filling up to three quarters of a chunk, or up to half the span, does not lift it. Welch
    spectra of many segments are nearly Gaussian in dB, so the quartile sits 0.674 deviations
    below the mean and the bins beneath it have a median depth of 0.476 deviations: that gives
    the spread and the mean floor. A hop taken at lower gain (near a strong emitter) gets the
    higher floor of its neighbours, which costs sensitivity there but never invents emitters.
    """
    gain_db = np.zeros_like(power_db) if gain_db is None else gain_db
    adc_db = power_db + gain_db
    bin_hz = float(freqs_hz[1] - freqs_hz[0]) if len(freqs_hz) > 1 else FLOOR_CHUNK_HZ
    chunk = max(int(FLOOR_CHUNK_HZ / bin_hz), 8)
    n_chunks = max(len(adc_db) // chunk, 1)
    edges = np.linspace(0, len(adc_db), n_chunks + 1).astype(int)
    quartiles = np.array([np.percentile(adc_db[a:b], 25) for a, b in zip(edges[:-1], edges[1:])])
    span = min(int(FLOOR_SPAN_HZ / FLOOR_CHUNK_HZ) | 1, (n_chunks // 2) * 2 + 1)
    quartile_adc = np.repeat(scipy.ndimage.median_filter(quartiles, size=span, mode="nearest"),
                             np.diff(edges))
    depth = quartile_adc - adc_db
    sigma_db = float(np.median(depth[depth > 0])) / 0.476 if np.any(depth > 0) else 0.5
    sigma_db = max(sigma_db, 0.05)
    floor_adc = quartile_adc + 0.6745 * sigma_db
    return (floor_adc - gain_db).astype(np.float32), sigma_db


def threshold_db(noise_floor_db: np.ndarray, sigma_db: float) -> np.ndarray:
    """Where emitters begin: THRESHOLD_SIGMAS noise deviations (at least MIN_THRESHOLD_DB) up."""
    return noise_floor_db + max(THRESHOLD_SIGMAS * sigma_db, MIN_THRESHOLD_DB)


def combine_sweeps(sweeps) -> Spectrum:
    """Mean power, max-hold and occupancy over sweeps of the same hop plan.

    ``sweeps`` holds each sweep's stitched (freqs_hz, power_db, variation, gain_db). Occupancy is
    the fraction of sweeps in which a bin stood above its own sweep's threshold.
    """
    if not sweeps:
        raise SpectrumError("no sweeps to combine")
    freqs_hz = sweeps[0][0]
    if any(len(s[0]) != len(freqs_hz) or not np.allclose(s[0], freqs_hz) for s in sweeps):
        raise SpectrumError("sweeps were taken on different frequency grids")
    powers = np.stack([s[1] for s in sweeps])
    above = []
    for _, power_db, _, gain_db in sweeps:
        floor_db, sigma_db = estimate_noise_floor_db(freqs_hz, power_db, gain_db)
        above.append(power_db > threshold_db(floor_db, sigma_db))
    mean_db = 10 * np.log10(np.mean(10 ** (powers / 10), axis=0))
    gain_db = np.min(np.stack([s[3] for s in sweeps]), axis=0)
    floor_db, sigma_db = estimate_noise_floor_db(freqs_hz, mean_db, gain_db)
    return Spectrum(
        freqs_hz=freqs_hz,
        power_db=mean_db.astype(np.float32),
        noise_floor_db=floor_db,
        threshold_db=threshold_db(floor_db, sigma_db).astype(np.float32),
        max_hold_db=powers.max(axis=0),
        occupancy=np.mean(above, axis=0).astype(np.float32),
        variation=np.mean(np.stack([s[2] for s in sweeps]), axis=0).astype(np.float32),
        n_sweeps=len(sweeps),
        gain_db=gain_db,
    )


def capture_spectrum(iq: np.ndarray, sample_rate_hz: float, center_freq_hz: float,
                     fft_size: int = 1024, gain_db: float = 0.0,
                     powers: np.ndarray | None = None) -> Spectrum:
    """The spectrum of one whole capture (a recording), as a one-sweep ``Spectrum``.

    A single capture often holds one signal filling most of it, so its floor is taken from its
    quietest stretch: the lowest of the lower quartiles of ten slices of the passband (the outer
    slices, where the dongle's filter rolls off, are left out). The noise's spread is at least
    what the averaging gives (the mean of K exponential powers spreads by 4.34 / sqrt(K) dB),
    and more when the slices themselves are ragged (a floor lifted in bursts by a strong
    signal's quantisation noise): the slices' median absolute deviation, median over slices.
    """
    half_hz = sample_rate_hz / 2
    hop = Hop(center_freq_hz, center_freq_hz, center_freq_hz - half_hz, center_freq_hz + half_hz)
    one = hop_spectrum(iq, hop, sample_rate_hz, fft_size, gain_db, powers)
    slices = np.array_split(one.power_db, 10)[1:-1]
    quartile = min(float(np.percentile(s, 25)) for s in slices)
    mad_db = float(np.median([np.median(np.abs(s - np.median(s))) for s in slices]))
    sigma_db = max(4.34 / np.sqrt(max(len(iq) // fft_size, 1)), 1.4826 * mad_db)
    floor_db = np.full(len(one.power_db), quartile + 0.6745 * sigma_db, dtype=np.float32)
    return Spectrum(
        freqs_hz=one.freqs_hz,
        power_db=one.power_db,
        noise_floor_db=floor_db,
        threshold_db=threshold_db(floor_db, sigma_db).astype(np.float32),
        max_hold_db=one.power_db,
        occupancy=(one.power_db > threshold_db(floor_db, sigma_db)).astype(np.float32),
        variation=one.variation.astype(np.float32),
        n_sweeps=1,
        gain_db=np.full(len(one.power_db), gain_db, dtype=np.float32),
    )
