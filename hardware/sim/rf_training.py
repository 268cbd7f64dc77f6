"""TRAINING material for the video detector: non-video signals with a line-like comb, and moving
pictures that are not the benchmark's. Unit tests and the design of rf/video.py's thresholds use
these; the benchmark does not (its non-video family is ``bench.rf_benchonly``, its moving
pictures are ``signals.MOVING_VIDEOS``).

The confounders are the kinds that put a comb near the TV line rate into a capture, drawn over
their own parameter ranges from the seed block ``TRAINING_SEED_BLOCK``:

- switch-mode supplies: a converter switching at 14.5-17 kHz (or twice or three times that),
  with cycle-to-cycle jitter, a spread-spectrum dither at 30-700 Hz (triangle or sine), and
  the rectified-mains ripple (100/120 Hz) on its amplitude and, in current mode, its timing;
- pulsed radar-like bursts: a PRF of 14.5-17 kHz (or anywhere 0.2-25 kHz), pulses of
  0.3-30 us, staggered PRIs, a dwell or scanning beam;
- DECT-like TDMA: GFSK bursts in 10 ms frames (24 slots), one to six slots busy;
- (``OPEN_FAMILY``, not yet always rejected) bursty switch-mode supplies: the supply comb
  above switching in packets (burst mode at light load, or gated by the mains: a supply that
  switches only near the crest of each half or whole mains cycle), the packets repeated at
  20 Hz-2 kHz or at 50/60/100/120 Hz, on for 30-97 % of each period: once per 20 ms such a
  supply puts a "field" pulse in the line means;
- (``OPEN_FAMILY``, stressing the field test) a supply switching *within 20 Hz of a TV line
  rate*, gated by the mains once per 20 / 16.7 ms (free-running or restarting with every
  packet), and a pulsed radar whose PRF is within 20 Hz of a line rate, its PRIs staggered, its
  beam revisiting every 15-22 ms (its pulse train running on or restarting each dwell). Both
  have a line comb and a field-like pulse at almost a field's rate; neither has a field counted
  out of its lines (312.5 / 262.5 line periods exactly), which is what would tell them apart.

Seeds: every draw above, in tests and in design work, comes from ``TRAINING_SEED_BLOCK``; the
benchmark's blocks are elsewhere (bench/rf.py) and are never drawn here.
"""

from pathlib import Path

import numpy as np
import scipy.ndimage
import scipy.signal

from hardware.sim.signals import CAPTURE_RATE_HZ

#: The seeds of every training draw start here (``np.random.default_rng([TRAINING_SEED_BLOCK,
#: k])``); the benchmark's blocks are elsewhere (bench/rf.py).
TRAINING_SEED_BLOCK = 7_100

#: Moving pictures for training, made with ffmpeg's lavfi sources or drawn
#: (data/rf/training/README.md):
#: an elementary cellular automaton scrolling up (rule 30, every line new every frame), moving
#: colour gradients, a Sierpinski pattern that jumps, and random black and white cells drawn
#: afresh every frame (the worst case for the field test: no two fields alike but for their
#: blanking), a dark picture, and two drawn ones dark over much of the frame (rings flying out of
#: a black centre; a torch beam wandering in a dark room). None of them is a benchmark clip.
TRAINING_VIDEOS = {
    name: Path(__file__).resolve().parents[2] / "data" / "rf" / "training" / f"training_{name}.mp4"
    for name in ("cellauto", "gradients", "sierpinski", "cells", "dark", "tunnel", "spotlight")
}


def _unit_power(x: np.ndarray) -> np.ndarray:
    power = float(np.mean(np.abs(x) ** 2))
    return (x / np.sqrt(power)).astype(np.complex64) if power > 0 else x.astype(np.complex64)


def supply_comb(rng, capture_s: float, switching_hz: float | None = None) -> np.ndarray:
    """A switch-mode converter's ringing edges near the line rate, dithered, jittered, rippled
    (switching at ``switching_hz``, or at a rate drawn from 14.5-17 kHz or twice or three times
    that)."""
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    f_sw = switching_hz or rng.uniform(14.5e3, 17e3) * float(rng.choice([1, 1, 1, 2, 3]))
    mains_hz = float(rng.choice([100.0, 120.0]))
    dither_hz = float(rng.uniform(30, 700))
    shape = (scipy.signal.sawtooth(2 * np.pi * dither_hz * t + rng.uniform(0, 6), 0.5)
             if rng.random() < 0.5 else np.sin(2 * np.pi * dither_hz * t + rng.uniform(0, 6)))
    timing_ripple = rng.uniform(0, 0.02) * np.sin(2 * np.pi * mains_hz * t + rng.uniform(0, 6))
    inst_hz = f_sw * (1 + rng.uniform(0, 0.04) * shape + timing_ripple)
    cycles = np.cumsum(inst_hz) / CAPTURE_RATE_HZ + rng.uniform(0, 1)
    cycles += rng.uniform(0, 0.03) * scipy.ndimage.gaussian_filter1d(
        rng.standard_normal(n), CAPTURE_RATE_HZ / f_sw / 4)  # cycle-to-cycle jitter
    frac = np.mod(cycles, 1.0)
    edge = np.zeros(n)
    edge[1:] += np.diff(np.floor(cycles)) > 0
    edge[1:] += 0.7 * (np.diff((frac >= rng.uniform(0.15, 0.7)).astype(int)) > 0)
    ring_hz, decay_s = rng.uniform(-1.1e6, 1.1e6), rng.uniform(0.3e-6, 8e-6)
    kernel_t = np.arange(int(6 * decay_s * CAPTURE_RATE_HZ) + 1) / CAPTURE_RATE_HZ
    kernel = np.exp(-kernel_t / decay_s + 2j * np.pi * ring_hz * kernel_t)
    x = scipy.signal.fftconvolve(edge, kernel)[:n]
    ripple = 1 + rng.uniform(0, 0.8) * np.abs(np.sin(np.pi * mains_hz * t + rng.uniform(0, 3)))
    return _unit_power(x * ripple)


def radar_bursts(rng, capture_s: float) -> np.ndarray:
    """Pulses at a PRF near the line rate (or anywhere), plain or chirped, staggered, scanned."""
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    prf_hz = rng.uniform(14.5e3, 17e3) if rng.random() < 0.5 else float(
        np.exp(rng.uniform(np.log(200), np.log(25e3))))
    pris_s = np.array([1 / prf_hz]) if rng.random() < 0.5 else (
        rng.uniform(0.8, 1.2, int(rng.integers(2, 6))) / prf_hz)
    width_s = float(np.exp(rng.uniform(np.log(0.3e-6), np.log(30e-6))))
    starts = np.cumsum(np.resize(pris_s, int(capture_s / pris_s.min()) + 2)) - rng.uniform(
        0, pris_s[0])
    within = t - starts[np.clip(np.searchsorted(starts, t) - 1, 0, len(starts) - 1)]
    on = (within >= 0) & (within < width_s)
    sweep_hz = rng.uniform(0.1e6, 2.5e6) if rng.random() < 0.5 else 0.0
    phase = 2 * np.pi * (rng.uniform(-0.9e6, 0.9e6) * t
                         + 0.5 * sweep_hz / width_s * (within - width_s / 2) ** 2)
    beam = 1.0
    if rng.random() < 0.5:  # a rotating antenna sweeps its beam past the handheld
        period_s, beamwidth_s = rng.uniform(0.03, 0.6), rng.uniform(0.003, 0.05)
        beam = 0.05 + np.exp(-0.5 * ((np.mod(t + rng.uniform(0, 1), period_s) - period_s / 2)
                                     / beamwidth_s) ** 2)
    return _unit_power(on * beam * np.exp(1j * phase))


def _gfsk(rng, n: int, bit_rate_hz: float, index: float) -> np.ndarray:
    t = np.arange(n) / CAPTURE_RATE_HZ
    bits = rng.integers(0, 2, int(np.ceil(n * bit_rate_hz / CAPTURE_RATE_HZ)) + 2) * 2 - 1
    nrz = bits[(t * bit_rate_hz).astype(np.int64)].astype(float)
    smooth = scipy.ndimage.gaussian_filter1d(nrz, 0.4 * CAPTURE_RATE_HZ / bit_rate_hz)
    return np.exp(1j * np.pi * index * bit_rate_hz * np.cumsum(smooth) / CAPTURE_RATE_HZ)


def tdma_bursts(rng, capture_s: float) -> np.ndarray:
    """DECT-like TDMA: GFSK bursts of 0.3-0.45 ms in some of a 10 ms frame's 24 slots."""
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ + rng.uniform(0, 0.01)
    frame_s = 0.01 * rng.uniform(0.9995, 1.0005)
    slot_s, burst_s = frame_s / 24, rng.uniform(0.3e-3, 0.45e-3)
    within = np.mod(t, frame_s)
    x = np.zeros(n, np.complex64)
    for _ in range(int(rng.integers(1, 4))):
        on = np.zeros(n, bool)
        for s in rng.choice(24, int(rng.integers(1, 7)), replace=False):
            on |= (within >= s * slot_s) & (within < s * slot_s + burst_s)
        carrier = _gfsk(rng, n, 1.152e6, 0.5) * np.exp(2j * np.pi * rng.uniform(-1e6, 1e6) * t)
        x += carrier * on * rng.uniform(0.2, 1.0)
    return _unit_power(x)


def bursty_supply(rng, capture_s: float) -> np.ndarray:
    """The supply comb switching in packets: burst mode, or gated by the mains."""
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    if rng.random() < 0.5:  # gated by the mains (half- or full-wave), its rate a little off
        rate_hz = float(rng.choice([50.0, 60.0, 100.0, 120.0])) * rng.uniform(0.997, 1.003)
        jitter = 0.0
    else:  # burst mode: a hysteretic controller's packets, their period wandering
        rate_hz, jitter = float(np.exp(rng.uniform(np.log(20), np.log(2000)))), rng.uniform(0, 0.2)
    periods_s = (1 + jitter * rng.uniform(-1, 1, int(capture_s * rate_hz) + 3)) / rate_hz
    starts = np.cumsum(periods_s) - rng.uniform(0, periods_s[0])
    index = np.clip(np.searchsorted(starts, t) - 1, 0, len(starts) - 1)
    on = (t - starts[index]) < rng.uniform(0.3, 0.97) * periods_s[index]
    return _unit_power(supply_comb(rng, capture_s) * on)


def _near_a_line_rate(rng) -> float:
    """A rate within 20 Hz of PAL's or NTSC's line rate (inside the video test's windows)."""
    return float(rng.choice([15_625.0, 15_734.264])) + rng.uniform(-20.0, 20.0)


def _gate(rng, t: np.ndarray, rate_hz: float, on_fraction: float) -> np.ndarray:
    """On for ``on_fraction`` of every period of ``rate_hz``, from a random phase."""
    return np.mod(t * rate_hz + rng.uniform(0, 1), 1.0) < on_fraction


def field_gated_supply(rng, capture_s: float) -> np.ndarray:
    """A supply switching within 20 Hz of a TV line rate, in packets gated by the mains once per
    20 or 16.7 ms (a mains frequency 0.2 % either side of nominal), on for 10-95 % of the
    period: a line comb with a field-like pulse at almost exactly a field's rate. The switching
    runs free through the gaps (its phase continues) or restarts with every packet."""
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    switching_hz = _near_a_line_rate(rng)
    gate_hz = (50.0 if switching_hz < 15_680 else 60.0) * rng.uniform(0.998, 1.002)
    on = _gate(rng, t, gate_hz, rng.uniform(0.1, 0.95))
    if rng.random() < 0.5:
        return _unit_power(supply_comb(rng, capture_s, switching_hz) * on)
    starts = np.flatnonzero(np.diff(on.astype(np.int8)) > 0) + 1
    x = np.zeros(n, np.complex64)
    for a, b in zip(np.concatenate([[0], starts]), np.concatenate([starts, [n]])):
        x[a:b] = supply_comb(rng, (b - a) / CAPTURE_RATE_HZ + 1e-9, switching_hz)[: b - a]
    return _unit_power(x * on)


def scanning_radar(rng, capture_s: float) -> np.ndarray:
    """A pulsed radar whose PRF is within 20 Hz of a TV line rate, its PRIs staggered (2-4 of
    them, up to 3 % apart, cycled), its beam revisiting the handheld every 15-22 ms (an
    electronically scanned beam) for 0.5-6 ms, Gaussian or flat-topped; the PRI clock runs on
    through the scan, or each dwell starts its pulse train afresh."""
    n = int(capture_s * CAPTURE_RATE_HZ)
    t = np.arange(n) / CAPTURE_RATE_HZ
    prf_hz = _near_a_line_rate(rng)
    stagger = rng.uniform(-0.03, 0.03, int(rng.integers(2, 5))) if rng.random() < 0.5 else [0.0]
    pris_s = (1 + np.asarray(stagger) - np.mean(stagger)) / prf_hz
    width_s = float(np.exp(rng.uniform(np.log(0.3e-6), np.log(5e-6))))
    revisit_s, dwell_s = rng.uniform(0.015, 0.022), rng.uniform(0.5e-3, 6e-3)
    if rng.random() < 0.5:  # each dwell's pulse train starts afresh, at a random point of a PRI
        dwell = np.floor((t + rng.uniform(0, revisit_s)) / revisit_s).astype(np.int64)
        dwell -= dwell.min()
        within = np.mod(t - rng.uniform(0, pris_s.mean(), dwell.max() + 1)[dwell], pris_s.mean())
    else:  # the PRI clock runs on through the scan
        starts = np.cumsum(np.resize(pris_s, int(capture_s / pris_s.min()) + 2)) - rng.uniform(
            0, pris_s[0])
        within = t - starts[np.clip(np.searchsorted(starts, t) - 1, 0, len(starts) - 1)]
    on = (within >= 0) & (within < width_s)
    phase_in_scan = np.mod(t + rng.uniform(0, revisit_s), revisit_s) - revisit_s / 2
    if rng.random() < 0.5:
        beam = np.exp(-0.5 * (phase_in_scan / (dwell_s / 2.355)) ** 2)
    else:
        beam = (np.abs(phase_in_scan) < dwell_s / 2).astype(float)
    beam = 0.02 + beam  # sidelobes
    carrier = np.exp(2j * np.pi * rng.uniform(-0.9e6, 0.9e6) * t)
    return _unit_power(on * beam * carrier)


FAMILY = {"supply comb": supply_comb, "radar-like bursts": radar_bursts,
          "DECT-like TDMA": tdma_bursts}
#: Training confounders the detector does NOT yet reject every time (tests/rf bound their rate):
#: a supply gated once per 20 ms (or 16.7 ms) puts a field-like pulse in the line means, and
#: its switching rate may fall within a TV line rate's tolerance; the two stressors below force
#: both (the line rate inside the window, the gate or the radar's revisit near a field).
OPEN_FAMILY = {"bursty supply": bursty_supply, "field-gated supply": field_gated_supply,
               "scanning radar": scanning_radar}
