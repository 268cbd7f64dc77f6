"""Proximity: one emitter's power, measured many times a second, turned into a level (0..1) that
rises as the inspector closes in, and the beep interval the buzzer and the dashboard meter use,
like a bug sweeper's receiver."""

import numpy as np
import scipy.fft

#: Power this far above the noise floor is level 0; LEVEL_SPAN_DB more is level 1.
LEVEL_START_DB = 3.0
LEVEL_SPAN_DB = 80.0  # a dongle's range from its floor to a transmitter at arm's length
SLOWEST_BEEP_S = 1.0
FASTEST_BEEP_S = 0.05


def band_power_db(iq: np.ndarray, sample_rate_hz: float, offset_hz: float,
                  bandwidth_hz: float) -> float:
    """Power (dBFS) of ``iq`` within ``bandwidth_hz`` around ``offset_hz`` from the tuning."""
    spectrum = np.abs(scipy.fft.fft(iq, workers=1)) ** 2 / len(iq) ** 2
    freqs_hz = scipy.fft.fftfreq(len(iq), 1 / sample_rate_hz)
    inside = np.abs(freqs_hz - offset_hz) <= max(bandwidth_hz / 2, sample_rate_hz / len(iq))
    inside[0] = False  # the DC leak
    return float(10 * np.log10(np.sum(spectrum[inside]) + 1e-20))


def level_from_power(power_db: float, noise_floor_db: float) -> float:
    """0 at the noise floor (plus a margin), rising linearly in dB to 1 at LEVEL_SPAN_DB above."""
    return float(np.clip((power_db - noise_floor_db - LEVEL_START_DB) / LEVEL_SPAN_DB, 0.0, 1.0))


def beep_interval_s(level: float) -> float:
    """Seconds between beeps: one a second at level 0, twenty a second at level 1, evenly on a
    logarithmic scale so each step closer is heard as the same quickening."""
    level = float(np.clip(level, 0.0, 1.0))
    return float(SLOWEST_BEEP_S * (FASTEST_BEEP_S / SLOWEST_BEEP_S) ** level)
