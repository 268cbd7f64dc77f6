"""Waveforms of the simulated emitters, as a tuned RTL-SDR sees them.

Each function returns complex baseband samples at times ``t_s`` (seconds, float64) for an
emitter whose centre lies ``offset_hz`` from the tuning frequency, scaled so that the emitter's
*whole* signal has unit power: what falls outside the capture's passband is lost, as it is in
the dongle. Wide FM video is rendered quasi-statically: its instantaneous frequency sweeps
several MHz with the video level, and the dongle's filter passes it only while that frequency is
inside the 2.4 MHz slice, which is exactly what makes the slice's envelope pulse at the line rate.

Modulations: ``video_fm``, ``video_am``, ``fm_broadcast`` (stereo multiplex with its 19 kHz
pilot), ``ofdm`` (LTE-like 15 kHz subcarriers, symbol rate about 14 kHz: near the line rate),
``carrier``, ``burst`` (2-FSK packets at the emitter's duty cycle).
"""

import numpy as np

from hardware.radio import sim_video

#: The RTL-SDR's passband edge as a fraction of the sample rate, and the filter's steepness.
PASSBAND_FRACTION = 0.42
_FILTER_ORDER = 10
#: Peak FM deviation as a fraction of the occupied bandwidth (Carson: B = 2 (dev + video bw)).
VIDEO_FM_DEVIATION_FRACTION = 0.4
FM_BROADCAST_DEVIATION_HZ = 75e3
PILOT_HZ = 19e3
BURST_PACKET_S = 2e-3
BURST_RAMP_S = 50e-6


def passband_gain(freq_hz, sample_rate_hz: float):
    """Amplitude response of the dongle's anti-alias filter at ``freq_hz`` from the tuning."""
    edge_hz = PASSBAND_FRACTION * sample_rate_hz
    return 1.0 / np.sqrt(1.0 + (np.asarray(freq_hz) / edge_hz) ** (2 * _FILTER_ORDER))


def _tone(t_s, freq_hz, phase=0.0):
    return np.exp(1j * (2 * np.pi * freq_hz * (t_s - t_s[0]) + phase))


def video(t_s, offset_hz, sample_rate_hz, emitter, rng, *, fm: bool) -> np.ndarray:
    standard = sim_video.STANDARDS[emitter.video_standard or "PAL"]
    image = sim_video.picture(int(emitter.freq_hz) % 10_000)
    level = sim_video.composite(t_s, standard, image)
    if not fm:
        # negative modulation: sync tips at full carrier, white at 12.5 %
        amplitude = (1.0 - 0.875 * level) / 0.62
        return (amplitude * _tone(t_s, offset_hz, rng.uniform(0, 2 * np.pi))
                * passband_gain(offset_hz, sample_rate_hz))
    deviation_hz = VIDEO_FM_DEVIATION_FRACTION * emitter.bandwidth_hz
    inst_hz = offset_hz + deviation_hz * (2.0 * level - 1.0)
    phase = 2 * np.pi * np.cumsum(inst_hz) / sample_rate_hz + rng.uniform(0, 2 * np.pi)
    return passband_gain(inst_hz, sample_rate_hz) * np.exp(1j * phase)


def fm_broadcast(t_s, offset_hz, sample_rate_hz, emitter, rng) -> np.ndarray:
    tau = t_s - t_s[0]
    left = 0.5 * np.sin(2 * np.pi * 440 * tau) + 0.3 * np.sin(2 * np.pi * 1230 * tau)
    right = 0.5 * np.sin(2 * np.pi * 660 * tau) + 0.2 * rng.standard_normal(len(tau))
    pilot = np.cos(2 * np.pi * PILOT_HZ * tau)
    mpx = 0.45 * (left + right) + 0.45 * (left - right) * np.cos(4 * np.pi * PILOT_HZ * tau) \
        + 0.1 * pilot
    phase = 2 * np.pi * np.cumsum(offset_hz + FM_BROADCAST_DEVIATION_HZ * mpx) / sample_rate_hz
    return np.exp(1j * phase) * passband_gain(offset_hz, sample_rate_hz)


def ofdm(t_s, offset_hz, sample_rate_hz, emitter, rng, *, spacing_hz: float = 15e3,
         symbol_rate_hz: float = 14e3) -> np.ndarray:
    """OFDM with QPSK subcarriers every ``spacing_hz`` over the emitter's bandwidth, and a
    cyclic prefix making ``symbol_rate_hz`` symbols a second."""
    n_fft = int(round(sample_rate_hz / spacing_hz))
    n_symbol = int(round(sample_rate_hz / symbol_rate_hz))
    carriers_hz = offset_hz + spacing_hz * np.arange(-emitter.bandwidth_hz / 2 / spacing_hz,
                                                     emitter.bandwidth_hz / 2 / spacing_hz + 1)
    carriers_hz = carriers_hz[np.abs(carriers_hz) < sample_rate_hz / 2]
    n_total = max(int(emitter.bandwidth_hz / spacing_hz), 1)
    n_symbols = len(t_s) // n_symbol + 2
    grid = np.zeros((n_symbols, n_fft), dtype=np.complex64)
    carriers_hz = carriers_hz[carriers_hz != offset_hz]  # no DC subcarrier, as in LTE
    bins = np.mod(np.round(carriers_hz / spacing_hz).astype(int), n_fft)
    qpsk = (rng.choice([-1.0, 1.0], (n_symbols, len(bins)))
            + 1j * rng.choice([-1.0, 1.0], (n_symbols, len(bins)))) / np.sqrt(2)
    grid[:, bins] = qpsk * passband_gain(carriers_hz, sample_rate_hz)
    symbols = np.fft.ifft(grid, axis=1) * np.sqrt(n_fft / n_total) * np.sqrt(n_fft)
    with_prefix = np.concatenate([symbols[:, n_fft - (n_symbol - n_fft):], symbols], axis=1)
    start = rng.integers(0, n_symbol)
    return with_prefix.ravel()[start: start + len(t_s)]


def carrier(t_s, offset_hz, sample_rate_hz, emitter, rng) -> np.ndarray:
    drift = np.cumsum(rng.normal(0, 2e-3, len(t_s)))  # a little phase noise
    return _tone(t_s, offset_hz, rng.uniform(0, 2 * np.pi)) * np.exp(1j * drift) \
        * passband_gain(offset_hz, sample_rate_hz)


def burst(t_s, offset_hz, sample_rate_hz, emitter, rng) -> np.ndarray:
    """2-FSK packets of BURST_PACKET_S, one per BURST_PACKET_S / duty_cycle, at fixed times;
    the emitter's EIRP is its power while it transmits."""
    period_s = BURST_PACKET_S / max(emitter.duty_cycle, 1e-3)
    phase_s = (emitter.freq_hz % 997) / 997 * period_s  # each device keeps its own schedule
    into_s = np.mod(t_s + phase_s, period_s)
    # transmitters ramp their power up and down over tens of microseconds (no key clicks)
    on = np.clip(np.minimum(into_s, BURST_PACKET_S - into_s) / BURST_RAMP_S, 0.0, 1.0)
    baud = emitter.bandwidth_hz / 2
    bits = rng.choice([-1.0, 1.0], int(len(t_s) * baud / sample_rate_hz) + 2)
    symbol = bits[((t_s - t_s[0]) * baud).astype(int)]
    inst_hz = offset_hz + symbol * emitter.bandwidth_hz / 4
    phase = 2 * np.pi * np.cumsum(inst_hz) / sample_rate_hz
    return on * np.exp(1j * phase) * passband_gain(offset_hz, sample_rate_hz)


def render(emitter, t_s, offset_hz, sample_rate_hz, rng) -> np.ndarray:
    """The emitter's unit-power waveform seen through a capture tuned ``offset_hz`` away."""
    modulation = emitter.modulation
    if modulation == "video_fm":
        return video(t_s, offset_hz, sample_rate_hz, emitter, rng, fm=True)
    if modulation == "video_am":
        return video(t_s, offset_hz, sample_rate_hz, emitter, rng, fm=False)
    renderers = {"fm_broadcast": fm_broadcast, "ofdm": ofdm, "carrier": carrier, "burst": burst}
    if modulation not in renderers:
        raise ValueError(f"emitter {emitter.name!r}: unknown modulation {modulation!r}; "
                         f"known: video_fm, video_am, {', '.join(renderers)}")
    return renderers[modulation](t_s, offset_hz, sample_rate_hz, emitter, rng)
