"""Hop plans: which tuner frequencies a sweep visits, and which slice of each hop it keeps.

The RTL-SDR's anti-alias filter rolls off near the capture's edges, so each hop keeps only its
middle (``1 - crop_fraction`` of the sample rate, like rtl_power's crop) and hops are spaced by
exactly that width: the kept slices tile the band without gaps or double counting.

Bands are named (``video_900``, ``video_1200``, ``full``, and the downconverted ``video_2400`` /
``video_5800``) or given as ``"START-STOP"`` in MHz. With an upstream downconverter the RF
frequency is the tuner's plus the LO (``downconverter_lo_hz``), so bands above the tuner's range
become reachable.
"""

import math
import re
from dataclasses import dataclass

#: Named sweep profiles: RF start and stop frequency in Hz.
BANDS_HZ = {
    "video_900": (900e6, 960e6),
    "video_1200": (1080e6, 1360e6),
    "full": (24e6, 1766e6),
    "video_2400": (2400e6, 2483.5e6),
    "video_5800": (5725e6, 5875e6),
}
#: The RTL-SDR tuner's range (R820T/R828D).
TUNER_RANGE_HZ = (24e6, 1766e6)
_CUSTOM_BAND = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")


class HopPlanError(ValueError):
    """A band name or range that cannot be swept, with the band and the reason."""


@dataclass(frozen=True)
class Band:
    name: str
    start_hz: float
    stop_hz: float


@dataclass(frozen=True)
class Hop:
    """One tuning: the tuner frequency and the RF range [keep_lo_hz, keep_hi_hz) it contributes."""

    tuner_hz: float
    rf_center_hz: float
    keep_lo_hz: float
    keep_hi_hz: float


@dataclass(frozen=True)
class HopPlan:
    hops: tuple[Hop, ...]
    bands: tuple[Band, ...]
    sample_rate_hz: float
    fft_size: int
    crop_fraction: float
    downconverter_lo_hz: float

    @property
    def bin_hz(self) -> float:
        return self.sample_rate_hz / self.fft_size


def parse_band(name: str) -> Band:
    """A named band, or a custom ``"START-STOP"`` range in MHz."""
    if name in BANDS_HZ:
        return Band(name, *BANDS_HZ[name])
    match = _CUSTOM_BAND.match(name)
    if not match:
        raise HopPlanError(f"band {name!r}: not one of {sorted(BANDS_HZ)} nor 'START-STOP' in MHz")
    start_hz, stop_hz = float(match.group(1)) * 1e6, float(match.group(2)) * 1e6
    if stop_hz <= start_hz:
        raise HopPlanError(f"band {name!r}: the stop frequency must be above the start")
    return Band(name, start_hz, stop_hz)


def plan_hops(band_names, sample_rate_hz: float, *, fft_size: int = 512,
              crop_fraction: float = 0.25, downconverter_lo_hz: float = 0.0,
              tuner_range_hz=TUNER_RANGE_HZ) -> HopPlan:
    """The hops that cover ``band_names`` (merged where they overlap), in frequency order."""
    if not 0 <= crop_fraction < 0.9:
        raise HopPlanError(f"crop_fraction {crop_fraction}: must be in [0, 0.9)")
    bands = tuple(parse_band(name) for name in band_names)
    if not bands:
        raise HopPlanError("no bands to sweep")
    bin_hz = sample_rate_hz / fft_size
    kept_bins = int(fft_size * (1 - crop_fraction)) // 2 * 2
    step_hz = kept_bins * bin_hz
    hops = []
    for start_hz, stop_hz in _merged(bands):
        n_hops = max(math.ceil((stop_hz - start_hz) / step_hz), 1)
        for i in range(n_hops):
            lo_hz = start_hz + i * step_hz
            rf_center_hz = lo_hz + step_hz / 2
            hops.append(Hop(rf_center_hz - downconverter_lo_hz, rf_center_hz, lo_hz,
                            lo_hz + step_hz))
    _check_tunable(hops, bands, downconverter_lo_hz, tuner_range_hz)
    return HopPlan(tuple(hops), bands, sample_rate_hz, fft_size, crop_fraction,
                   downconverter_lo_hz)


def _merged(bands):
    spans = sorted((b.start_hz, b.stop_hz) for b in bands)
    merged = [list(spans[0])]
    for start_hz, stop_hz in spans[1:]:
        if start_hz <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop_hz)
        else:
            merged.append([start_hz, stop_hz])
    return merged


def _check_tunable(hops, bands, lo_hz, tuner_range_hz):
    low_hz, high_hz = tuner_range_hz
    for hop in hops:
        if not low_hz <= hop.tuner_hz <= high_hz:
            band = next((b.name for b in bands if b.start_hz <= hop.rf_center_hz <= b.stop_hz),
                        "?")
            hint = "" if lo_hz else " (a downconverter's LO would bring it into range)"
            raise HopPlanError(
                f"band {band!r}: {hop.rf_center_hz / 1e6:.1f} MHz needs the tuner at "
                f"{hop.tuner_hz / 1e6:.1f} MHz, outside its {low_hz / 1e6:.0f}-"
                f"{high_hz / 1e6:.0f} MHz{hint}")
