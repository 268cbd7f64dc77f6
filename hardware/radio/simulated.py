"""A simulated RTL-SDR in the simulated restroom: it hears the scene's emitters from where the
handheld is, when it is there.

Every ``read(n)`` renders the n samples that follow on the shared clock and advances the clock
by n / sample_rate. Each emitter whose signal reaches into the tuned band contributes its
waveform (``sim_waveforms``) at the power it arrives with: EIRP minus free-space loss over the
current distance minus wall loss. Then the dongle's front end (``rtl_frontend``): thermal noise
set by the gain, frequency error (ppm), IQ imbalance, DC leak, 8-bit quantisation and clipping.
Retuning and gain changes cost settling time and a discarded buffer, as with rtl_power.

Example::

    radio = SimulatedSource(SimulatedHandheld(build_restroom(seed=1), SimulatedClock()))
    radio.tune(1_200_000_000)
    iq = radio.read(262_144)
"""

import numpy as np

from hardware.radio import RTL_SDR_MAX_FREQ_HZ, RTL_SDR_MIN_FREQ_HZ, SampleSource, rtl_frontend
from hardware.radio.sim_waveforms import VIDEO_FM_DEVIATION_FRACTION, render

SPEED_OF_LIGHT_M_S = 299_792_458.0
#: After a retune or gain change the tuner's PLL and AGC settle, and the first buffer is dropped.
SETTLE_S = 0.005
DISCARD_SAMPLES = 16_384
_MIN_DISTANCE_M = 0.05
_AUTO_GAIN_TARGET_DBFS = -12.0


def free_space_loss_db(distance_m: float, freq_hz: float) -> float:
    distance_m = max(distance_m, _MIN_DISTANCE_M)
    return float(20 * np.log10(4 * np.pi * distance_m * freq_hz / SPEED_OF_LIGHT_M_S))


class SimulatedSource(SampleSource):
    """The RTL-SDR of the simulated handheld (``hardware.sim.handheld.SimulatedHandheld``)."""

    def __init__(self, handheld, *, sample_rate_hz: float = 2.4e6, gain_db: float | None = 40.2,
                 seed: int = 0, ppm: float | None = None):
        self.handheld = handheld
        self._rng = np.random.default_rng(seed)
        self.flaws = rtl_frontend.FrontEndFlaws.draw(self._rng, ppm)
        self.center_freq_hz = 100e6
        self.sample_rate_hz = float(sample_rate_hz)
        self.gain_db = None if gain_db is None else rtl_frontend.nearest_gain_db(gain_db)

    @property
    def clock(self):
        return self.handheld.clock

    def tune(self, freq_hz: float) -> None:
        if not RTL_SDR_MIN_FREQ_HZ <= freq_hz <= RTL_SDR_MAX_FREQ_HZ:
            raise ValueError(f"{freq_hz / 1e6:.3f} MHz is outside the RTL-SDR's "
                             f"{RTL_SDR_MIN_FREQ_HZ / 1e6:.0f}-{RTL_SDR_MAX_FREQ_HZ / 1e6:.0f} MHz")
        self.center_freq_hz = float(freq_hz)
        self._settle()

    def set_sample_rate(self, rate_hz: float) -> None:
        if not 225_001 <= rate_hz <= 3_200_000:
            raise ValueError(f"sample rate {rate_hz} Hz: the RTL-SDR takes 225 kHz to 3.2 MHz")
        self.sample_rate_hz = float(rate_hz)
        self._settle()

    def set_gain(self, gain_db: float | None) -> None:
        self.gain_db = None if gain_db is None else rtl_frontend.nearest_gain_db(gain_db)
        self._settle()

    def _settle(self) -> None:
        self.clock.advance(SETTLE_S + DISCARD_SAMPLES / self.sample_rate_hz)

    def read(self, n_samples: int) -> np.ndarray:
        t0_s = self.clock.now_s()
        t_s = t0_s + np.arange(n_samples) / self.sample_rate_hz
        arrivals = self._arrivals()
        gain_db = self._gain_for(arrivals)
        iq = np.zeros(n_samples, dtype=np.complex64)
        lo_hz = self.center_freq_hz * (1 + self.flaws.ppm * 1e-6)
        for emitter, power_dbm in arrivals:
            amplitude = np.sqrt(10 ** (rtl_frontend.adc_dbfs(power_dbm, gain_db) / 10))
            waveform = render(emitter, t_s, emitter.freq_hz - lo_hz, self.sample_rate_hz,
                              self._rng)
            iq += (amplitude * waveform).astype(np.complex64)
        noise_dbfs = rtl_frontend.thermal_noise_dbfs(gain_db, self.sample_rate_hz)
        iq = rtl_frontend.add_thermal_noise(iq, noise_dbfs, self._rng)
        iq = rtl_frontend.quantise_cu8(rtl_frontend.apply_flaws(iq, self.flaws))
        self.clock.advance(n_samples / self.sample_rate_hz)
        return iq

    def _arrivals(self):
        """(emitter, received power in dBm) for each emitter reaching into the tuned band."""
        pose = self.handheld.pose()
        half_band_hz = self.sample_rate_hz / 2
        out = []
        for emitter in self.handheld.emitters():  # as heard from the inspector's stall
            reach_hz = emitter.bandwidth_hz / 2
            if emitter.modulation == "video_fm":
                reach_hz = VIDEO_FM_DEVIATION_FRACTION * emitter.bandwidth_hz + 0.5e6
            if abs(emitter.freq_hz - self.center_freq_hz) > half_band_hz + reach_hz:
                continue
            loss_db = free_space_loss_db(pose.distance_m(emitter.position_m), emitter.freq_hz)
            out.append((emitter, emitter.eirp_dbm - loss_db - emitter.wall_loss_db))
        return out

    def _gain_for(self, arrivals) -> float:
        """The fixed gain, or with automatic gain the step that puts the strongest arrival near
        _AUTO_GAIN_TARGET_DBFS (like the tuner's own AGC, which avoids overload)."""
        if self.gain_db is not None:
            return self.gain_db
        strongest_dbm = max((p for _, p in arrivals), default=-200.0)
        wanted_db = _AUTO_GAIN_TARGET_DBFS - rtl_frontend.adc_dbfs(strongest_dbm, 0.0)
        return rtl_frontend.nearest_gain_db(float(np.clip(wanted_db, 0.0, 49.6)))
