"""What an RTL-SDR does to the signal between its antenna and its samples: thermal noise set by
the gain, IQ gain and phase imbalance, a DC leak, and 8-bit quantisation with clipping.

Shared by the simulated radio and the benchmark (which feeds independent signals, from hacktv,
through the same front end). Levels are in dBFS: 0 dBFS is a full-scale complex sample power.
"""

from dataclasses import dataclass

import numpy as np

#: The R820T tuner's gain steps (dB), as librtlsdr lists them.
TUNER_GAINS_DB = (0.0, 0.9, 1.4, 2.7, 3.7, 7.7, 8.7, 12.5, 14.4, 15.7, 16.6, 19.7, 20.7, 22.9,
                  25.4, 28.0, 29.7, 32.8, 33.8, 36.4, 37.2, 38.6, 40.2, 42.1, 43.4, 43.9, 44.5,
                  48.0, 49.6)
#: dBFS at the ADC = dBm at the antenna + gain + CALIBRATION_DB: full scale is -54 dBm at the
#: default 40.2 dB gain, where thermal noise (-104 dBm in 2.4 MHz, 6 dB noise figure) sits near
#: the 8-bit quantisation noise (about -50 dBFS), as on a real dongle.
CALIBRATION_DB = 14.0
NOISE_FIGURE_DB = 6.0


def nearest_gain_db(gain_db: float) -> float:
    """The tuner gain step librtlsdr would pick for ``gain_db``."""
    return min(TUNER_GAINS_DB, key=lambda g: abs(g - gain_db))


def adc_dbfs(power_dbm: float, gain_db: float) -> float:
    return power_dbm + gain_db + CALIBRATION_DB


def thermal_noise_dbfs(gain_db: float, sample_rate_hz: float) -> float:
    return adc_dbfs(-174.0 + 10 * np.log10(sample_rate_hz) + NOISE_FIGURE_DB, gain_db)


@dataclass(frozen=True)
class FrontEndFlaws:
    """One dongle's imperfections, drawn once per device from a seed."""

    iq_gain: float
    iq_phase_rad: float
    dc_leak: complex
    ppm: float

    @classmethod
    def draw(cls, rng: np.random.Generator, ppm: float | None = None) -> "FrontEndFlaws":
        return cls(
            iq_gain=float(1.0 + rng.normal(0, 0.03)),
            iq_phase_rad=float(np.radians(rng.normal(0, 2.0))),
            dc_leak=complex(rng.normal(0, 0.02), rng.normal(0, 0.02)),
            ppm=float(rng.uniform(-25, 25) if ppm is None else ppm),
        )


def add_thermal_noise(iq: np.ndarray, noise_dbfs: float, rng: np.random.Generator) -> np.ndarray:
    sigma = np.sqrt(10 ** (noise_dbfs / 10) / 2)
    noise = rng.standard_normal((2, len(iq)), dtype=np.float32) * sigma
    return iq + (noise[0] + 1j * noise[1])


def apply_flaws(iq: np.ndarray, flaws: FrontEndFlaws) -> np.ndarray:
    """IQ imbalance (the Q branch's gain and phase error) and the DC leak."""
    i, q = iq.real, iq.imag
    q = flaws.iq_gain * (np.cos(flaws.iq_phase_rad) * q + np.sin(flaws.iq_phase_rad) * i)
    return (i + flaws.dc_leak.real) + 1j * (q + flaws.dc_leak.imag)


def quantise_cu8(iq: np.ndarray) -> np.ndarray:
    """8-bit unsigned I and Q, as the dongle delivers them, back to complex64 in [-1, 1]."""
    i = np.clip(np.rint(iq.real * 127.5 + 127.5), 0, 255)
    q = np.clip(np.rint(iq.imag * 127.5 + 127.5), 0, 255)
    return ((i - 127.5) / 127.5 + 1j * ((q - 127.5) / 127.5)).astype(np.complex64)
