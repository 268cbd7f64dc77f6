"""Non-video signals used ONLY by ``ansim bench rf``: never by a unit test, never to design or
check a threshold of rf/. They judge the video detector on material it was not shaped on; if a
threshold is ever changed after reading this family's failures, the family has become training
material and a new one is owed. Its draws come from ``bench.rf.BENCHONLY_SEED_BLOCK``: the first
block's failures were read (20 false calls in 1,001 captures, mostly supply combs and radar-like
bursts), so the field-comb test of rf/video.py was designed on a separate training family
(``hardware.sim.rf_training``, its own generators, ranges and seeds), and the benchmark draws a
fresh block.

Each function returns ``capture_s`` of complex baseband at 2.4 MS/s (the RTL-SDR capture),
unit mean power, with its parameters drawn from ``rng`` over the real systems' ranges:

- DVB-T: 2K/8K OFDM (4464/1116 Hz spacing, guard 1/4-1/32), 7.6 MHz occupied, the capture a
  2.4 MHz slice anywhere across it, QAM data and boosted pilots;
- digital FPV video links: OFDM 10-40 MHz wide, 15-312.5 kHz spacing (15 kHz with its cyclic
  prefix gives symbols at ~14 kHz, near the TV line rate), TDD frames 1-10 ms;
- DECT: 1.152 Mb/s GFSK bursts of 368 us in a 10 ms frame of 24 slots;
- Bluetooth-like hopping: 1 Mb/s GFSK (h 0.32) hopping every 625 us over 79 (or 20) 1 MHz
  channels, packets of 1, 3 or 5 slots;
- LoRa: chirp spread spectrum, 125-500 kHz, SF7-SF12, preamble, sync and payload;
- pulsed radar-like bursts: PRF 0.3-20 kHz (a third near 15-16 kHz), 0.5-20 us pulses, plain or
  chirped, staggered PRIs, a scanning beam;
- switch-mode power supplies: ringing edges at a 15-16 kHz switching rate (or its 2nd/3rd
  harmonic range), spread-spectrum dithered, with the 100/120 Hz rectified-mains ripple.
"""

from fractions import Fraction

import numpy as np
import scipy.ndimage
import scipy.signal

from hardware.sim.signals import CAPTURE_RATE_HZ


def _unit_power(x: np.ndarray) -> np.ndarray:
    power = float(np.mean(np.abs(x) ** 2))
    return (x / np.sqrt(power)).astype(np.complex64) if power > 0 else x.astype(np.complex64)


def _resampled(x: np.ndarray, rate_hz: float, n_out: int) -> np.ndarray:
    ratio = Fraction(CAPTURE_RATE_HZ / rate_hz).limit_denominator(512)
    y = scipy.signal.resample_poly(x, ratio.numerator, ratio.denominator)
    return y[:n_out]


def _ofdm(rng, n_out: int, spacing_hz: float, fft_n: int, guard: float, occupied_hz: float,
          centre_offset_hz: float, pilot_every: int, on_fraction: float = 1.0,
          frame_s: float = 0.0) -> np.ndarray:
    """OFDM as seen by a capture tuned ``centre_offset_hz`` from the channel's centre."""
    rate_hz = spacing_hz * fft_n
    cp = int(round(guard * fft_n))
    n_symbols = int(np.ceil(n_out / CAPTURE_RATE_HZ * rate_hz / (fft_n + cp))) + 2
    k = np.fft.fftfreq(fft_n, 1 / fft_n)  # carrier index relative to the capture's centre
    used = np.abs(k * spacing_hz + centre_offset_hz) <= occupied_hz / 2
    levels = np.array([-3, -1, 1, 3]) / np.sqrt(5)
    data = rng.choice(levels, (n_symbols, fft_n)) + 1j * rng.choice(levels, (n_symbols, fft_n))
    carrier = np.round((k * spacing_hz + centre_offset_hz) / spacing_hz).astype(np.int64)
    pilots = np.mod(carrier[None, :] - 3 * np.arange(n_symbols)[:, None], pilot_every) == 0
    data[pilots] = 4 / 3 * rng.choice([-1, 1], int(pilots.sum()))
    data[:, ~used] = 0
    body = np.fft.ifft(data, axis=1)
    symbols = np.concatenate([body[:, fft_n - cp:], body], axis=1)
    x = symbols.reshape(-1)
    if frame_s > 0 and on_fraction < 1:
        t = np.arange(len(x)) / rate_hz + rng.uniform(0, frame_s)
        x = x * (np.mod(t, frame_s) < on_fraction * frame_s)
    return _resampled(x, rate_hz, n_out)


def dvbt(rng, capture_s: float) -> np.ndarray:
    n_out = int(capture_s * CAPTURE_RATE_HZ)
    eight_k = rng.random() < 0.5
    spacing_hz = 1e6 * 64 / 7 / (8192 if eight_k else 2048)
    fft_n = 4096 if eight_k else 1024  # 32/7 MS/s: the slice, not the whole channel
    guard = float(rng.choice([1 / 4, 1 / 8, 1 / 16, 1 / 32]))
    x = _ofdm(rng, n_out, spacing_hz, fft_n, guard, 7.61e6, rng.uniform(-3.6e6, 3.6e6), 12)
    return _unit_power(x)


def fpv_ofdm(rng, capture_s: float) -> np.ndarray:
    n_out = int(capture_s * CAPTURE_RATE_HZ)
    spacing_hz, fft_n = [(15e3, 256), (30e3, 128), (78.125e3, 64), (312.5e3, 16)][
        int(rng.integers(4))]
    occupied_hz = float(rng.choice([10e6, 20e6, 40e6]))
    x = _ofdm(rng, n_out, spacing_hz, fft_n, float(rng.choice([1 / 4, 1 / 8, 1 / 14])),
              occupied_hz, rng.uniform(-0.4, 0.4) * occupied_hz, int(rng.choice([4, 6, 12])),
              on_fraction=float(rng.uniform(0.6, 1.0)), frame_s=float(rng.uniform(1e-3, 10e-3)))
    return _unit_power(x)


def _gfsk(rng, n: int, bit_rate_hz: float, index: float, bt: float) -> np.ndarray:
    """Continuous-phase GFSK of random bits at the capture rate (unit envelope)."""
    t = np.arange(n) / CAPTURE_RATE_HZ
    bits = rng.integers(0, 2, int(np.ceil(n * bit_rate_hz / CAPTURE_RATE_HZ)) + 2) * 2 - 1
    nrz = bits[(t * bit_rate_hz).astype(np.int64)].astype(float)
    sigma_samples = CAPTURE_RATE_HZ / bit_rate_hz * np.sqrt(np.log(2)) / (2 * np.pi * bt)
    smooth = scipy.ndimage.gaussian_filter1d(nrz, sigma_samples)
    freq_hz = smooth * index * bit_rate_hz / 2
    return np.exp(2j * np.pi * np.cumsum(freq_hz) / CAPTURE_RATE_HZ)


def dect(rng, capture_s: float) -> np.ndarray:
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ + rng.uniform(0, 0.01)
    slot_s, burst_s = 0.01 / 24, 420 / 1.152e6
    x = np.zeros(n, np.complex64)
    for _ in range(int(rng.integers(1, 3))):  # one or two carriers in the slice
        slots = rng.choice(24, int(rng.integers(1, 5)), replace=False)
        within = np.mod(t, 0.01)
        on = np.zeros(n, bool)
        for s in slots:
            on |= (within >= s * slot_s) & (within < s * slot_s + burst_s)
        carrier = _gfsk(rng, n, 1.152e6, 0.5, 0.5) * np.exp(
            2j * np.pi * rng.uniform(-0.9e6, 0.9e6) * t)
        x += carrier * on * rng.uniform(0.3, 1.0)
    return _unit_power(x)


def bluetooth(rng, capture_s: float) -> np.ndarray:
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    slot = (t / 625e-6).astype(np.int64)
    n_channels = 79 if rng.random() < 0.6 else 20
    channels = rng.integers(0, n_channels, slot.max() + 6)
    base = rng.uniform(-1e6, 1e6) - (n_channels // 2) * 1e6 * rng.uniform(0, 1)
    packet_slots = int(rng.choice([1, 3, 5]))
    packet_s = {1: 366e-6, 3: 1622e-6, 5: 2870e-6}[packet_slots]
    busy = rng.uniform(0.3, 1.0)
    start_slot = (slot // packet_slots) * packet_slots
    active = rng.random(slot.max() + 6) < busy
    on = active[start_slot] & ((t - start_slot * 625e-6) < packet_s)
    freq_hz = base + channels[start_slot] * 1e6
    phase = 2 * np.pi * np.cumsum(freq_hz) / CAPTURE_RATE_HZ
    x = _gfsk(rng, n, 1e6, 0.32, 0.5) * np.exp(1j * phase) * on
    x[np.abs(freq_hz) > 1.5e6] = 0  # hops outside the capture's band
    if not np.any(x):
        x[: int(packet_s * CAPTURE_RATE_HZ)] = _gfsk(rng, int(packet_s * CAPTURE_RATE_HZ),
                                                     1e6, 0.32, 0.5)
    return _unit_power(x)


def lora(rng, capture_s: float) -> np.ndarray:
    n = int(capture_s * CAPTURE_RATE_HZ)
    bw_hz = float(rng.choice([125e3, 250e3, 500e3]))
    sf = int(rng.integers(7, 13))
    m = 2 ** sf
    symbol_s = m / bw_hz
    ns = int(round(symbol_s * CAPTURE_RATE_HZ))
    tau = np.arange(ns) / ns

    def chirp(shift: int, down: bool = False) -> np.ndarray:
        f = np.mod(tau + shift / m, 1.0) - 0.5  # instantaneous frequency / bw
        f = -f if down else f
        return np.exp(2j * np.pi * np.cumsum(f * bw_hz) / CAPTURE_RATE_HZ)

    parts = [chirp(0)] * 8 + [chirp(int(rng.integers(m))) for _ in range(2)]
    parts += [chirp(0, True)] * 2 + [chirp(0, True)[: ns // 4]]
    while sum(len(p) for p in parts) < n + ns:
        parts.append(chirp(int(rng.integers(m))))
    x = np.concatenate(parts)
    start = int(rng.integers(0, max(len(x) - n, 1)))
    x = x[start:start + n]
    x = np.concatenate([x, np.zeros(n - len(x), np.complex128)])
    t = np.arange(n) / CAPTURE_RATE_HZ
    return _unit_power(x * np.exp(2j * np.pi * rng.uniform(-0.8e6, 0.8e6) * t))


def radar(rng, capture_s: float) -> np.ndarray:
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    prf_hz = rng.uniform(15e3, 16e3) if rng.random() < 0.33 else float(
        np.exp(rng.uniform(np.log(300), np.log(20e3))))
    pris = np.array([1 / prf_hz]) if rng.random() < 0.6 else (
        1 / prf_hz * rng.uniform(0.85, 1.15, int(rng.integers(2, 4))))
    width_s = float(np.exp(rng.uniform(np.log(0.5e-6), np.log(20e-6))))
    starts = np.cumsum(np.resize(pris, int(capture_s / pris.min()) + 2)) - rng.uniform(0, pris[0])
    within = t - starts[np.clip(np.searchsorted(starts, t) - 1, 0, len(starts) - 1)]
    on = (within >= 0) & (within < width_s)
    chirp_hz = rng.uniform(0.2e6, 2e6) if rng.random() < 0.5 else 0.0
    phase = 2 * np.pi * (rng.uniform(-0.8e6, 0.8e6) * t
                         + 0.5 * chirp_hz / width_s * (within - width_s / 2) ** 2)
    beam = np.exp(-0.5 * ((np.mod(t + rng.uniform(0, 1), rng.uniform(0.05, 0.5)) - 0.1)
                          / 0.02) ** 2) if rng.random() < 0.4 else 1.0
    return _unit_power(on * beam * np.exp(1j * phase))


def power_supply(rng, capture_s: float) -> np.ndarray:
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    f_sw = rng.uniform(15e3, 16.2e3) * float(rng.choice([1, 1, 2, 3]))
    dither = rng.uniform(0, 0.05) * f_sw  # spread-spectrum switching
    dither_hz = rng.uniform(100, 1000)
    inst = f_sw + dither * scipy.signal.sawtooth(2 * np.pi * dither_hz * t, 0.5)
    cycles = np.cumsum(inst) / CAPTURE_RATE_HZ + rng.uniform(0, 1)
    duty = rng.uniform(0.2, 0.6)
    frac = np.mod(cycles, 1.0)
    edge = np.zeros(n)
    edge[1:] += np.diff(np.floor(cycles)) > 0  # turn-on edges
    edge[1:] += np.diff((frac >= duty).astype(int)) > 0  # turn-off edges
    ring_hz, decay_s = rng.uniform(-1e6, 1e6), rng.uniform(0.5e-6, 5e-6)
    kernel_t = np.arange(int(6 * decay_s * CAPTURE_RATE_HZ) + 1) / CAPTURE_RATE_HZ
    kernel = np.exp(-kernel_t / decay_s + 2j * np.pi * ring_hz * kernel_t)
    x = scipy.signal.fftconvolve(edge, kernel)[:n]
    mains_hz = float(rng.choice([100.0, 120.0]))
    ripple = 1 + rng.uniform(0, 0.5) * np.abs(np.sin(np.pi * mains_hz * t + rng.uniform(0, 3)))
    return _unit_power(x * ripple)


FAMILY = {"DVB-T OFDM": dvbt, "digital FPV OFDM": fpv_ofdm, "DECT bursts": dect,
          "Bluetooth-like hopping": bluetooth, "LoRa chirps": lora,
          "pulsed radar-like bursts": radar, "switch-mode power supply comb": power_supply}
