"""Welch spectra, DC-spike removal, stitching, the noise floor and emitter grouping, checked
against signals whose frequencies and powers are known."""

import numpy as np

from hardware.sim import signals as sig
from rf.emitters import find_emitters
from rf.hopplan import plan_hops
from rf.spectrum import combine_sweeps, estimate_noise_floor_db, hop_spectrum, stitch

RATE_HZ = 2.4e6


def _tone(n, offset_hz, power_db, rng, noise_db=-50.0):
    t = np.arange(n) / RATE_HZ
    sigma = np.sqrt(10 ** (noise_db / 10) / 2)
    noise = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * sigma
    return (np.sqrt(10 ** (power_db / 10)) * np.exp(2j * np.pi * offset_hz * t) + noise).astype(
        np.complex64)


def _sweep(plan, signals, rng, n=32768):
    """Hops of noise plus (rf_hz, power_db) tones, each hop seeing the tones in its band."""
    hops = []
    for hop in plan.hops:
        iq = _tone(n, 0.0, -200.0, rng)
        for rf_hz, power_db in signals:
            if abs(rf_hz - hop.tuner_hz) < RATE_HZ / 2:
                iq += _tone(n, rf_hz - hop.tuner_hz, power_db, rng, noise_db=-300)
        iq += 0.05  # the DC leak
        hops.append(hop_spectrum(iq, hop, RATE_HZ, plan.fft_size))
    return stitch(hops)


def test_stitched_sweep_is_ordered_and_continuous(rng):
    plan = plan_hops(["100-110"], RATE_HZ)
    freqs_hz, power_db, _, _ = _sweep(plan, [], rng)
    steps = np.diff(freqs_hz)
    assert np.allclose(steps, plan.bin_hz)
    assert freqs_hz[0] >= 100e6 - plan.bin_hz and freqs_hz[-1] <= plan.hops[-1].keep_hi_hz


def test_the_dc_spike_is_removed_and_the_floor_is_the_noise(rng):
    plan = plan_hops(["100-110"], RATE_HZ)
    freqs_hz, power_db, _, gain_db = _sweep(plan, [], rng)
    floor_db, sigma_db = estimate_noise_floor_db(freqs_hz, power_db, gain_db)
    expected_db = -50 - 10 * np.log10(plan.fft_size)  # noise power per bin
    assert abs(np.median(floor_db) - expected_db) < 0.5
    assert np.max(power_db) < expected_db + 3  # no DC spikes left at the hop centres
    assert 0.05 < sigma_db < 1.5


def test_tones_become_emitters_at_their_frequency_and_power(rng):
    plan = plan_hops(["100-110"], RATE_HZ)
    truth = [(101.3e6, -30.0), (104.05e6, -45.0), (108.7e6, -20.0)]
    spectrum = combine_sweeps([_sweep(plan, truth, rng)])
    emitters = find_emitters(spectrum)
    assert len(emitters) == len(truth)
    for e, (rf_hz, power_db) in zip(emitters, truth):
        assert abs(e.freq_hz - rf_hz) < 3 * plan.bin_hz
        assert abs(e.power_db - power_db) < 2.5  # Hann window: scalloping and ENBW
        assert e.bandwidth_hz < 6 * plan.bin_hz


def test_a_wide_signal_next_to_a_narrow_one_stays_two_emitters(rng):
    plan = plan_hops(["1190-1210"], RATE_HZ)
    hops = []
    e = sig.emitter("ofdm", 1.5e6, freq_hz=1200e6)
    for hop in plan.hops:
        iq = _tone(65536, 0.0, -200.0, rng)
        if abs(hop.tuner_hz - 1200e6) < 2.0e6:
            iq += 0.1 * sig.simulated_capture(e, rng, 1200e6 - hop.tuner_hz, 65536 / RATE_HZ)
        if abs(hop.tuner_hz - 1203e6) < 1.2e6:
            iq += _tone(65536, 1203e6 - hop.tuner_hz, -40, rng, -300)
        hops.append(hop_spectrum(iq, hop, RATE_HZ, plan.fft_size))
    emitters = find_emitters(combine_sweeps([stitch(hops)]))
    assert len(emitters) == 2
    wide, narrow = emitters
    assert abs(wide.freq_hz - 1200e6) < 100e3 and 1.3e6 < wide.bandwidth_hz < 1.8e6
    assert abs(narrow.freq_hz - 1203e6) < 10e3


def test_occupancy_counts_the_sweeps_an_emitter_was_in(rng):
    plan = plan_hops(["100-104"], RATE_HZ)
    sweeps = [_sweep(plan, [(102e6, -30.0)] if i < 2 else [], rng) for i in range(4)]
    emitters = find_emitters(combine_sweeps(sweeps))
    assert len(emitters) == 1
    assert emitters[0].occupancy == 0.5
