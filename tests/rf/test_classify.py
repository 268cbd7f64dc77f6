"""Classification against independent material: hacktv's real PAL/NTSC television, and the
confounders video must not be confused with. SNR is in-band, impairments are an RTL-SDR's."""

import pytest

from hardware.sim import signals as sig
from rf.classify import analyze_capture
from rf.video import detect_video

CAPTURE_S = 0.12


def _video_calls(iq):
    return [e for e in analyze_capture(iq, sig.CAPTURE_RATE_HZ, 1.2e9) if e.kind == "analog_video"]


@pytest.mark.parametrize("name", [m.name for m in sig.HACKTV_MODES])
def test_hacktv_video_is_found_and_its_standard_named_at_0_db(hacktv_slices, name, rng):
    mode, slices = hacktv_slices[name]
    for _ in range(4):
        iq = sig.through_rtl_sdr(sig.capture_from(slices, rng, 200e3, CAPTURE_S), 0.0, rng)
        calls = _video_calls(iq)
        assert len(calls) == 1, name
        expected_hz = 15_625.0 if mode.standard == "PAL" else 15_734.264
        assert calls[0].video_standard == mode.standard
        assert abs(calls[0].line_rate_hz - expected_hz) < 1.0


def test_hacktv_video_buried_in_noise_is_not_called(hacktv_slices, rng):
    _, slices = hacktv_slices["hacktv PAL AM (I)"]
    iq = sig.through_rtl_sdr(sig.capture_from(slices, rng, 0.0, CAPTURE_S), -25.0, rng)
    assert not detect_video(iq, sig.CAPTURE_RATE_HZ).is_video


@pytest.mark.parametrize("make", [
    lambda r: sig.simulated_capture(sig.emitter("carrier", 1e3), r, 2e5, CAPTURE_S),
    lambda r: sig.simulated_capture(sig.emitter("ofdm", 10e6), r, 0.0, CAPTURE_S),
    lambda r: sig.simulated_capture(sig.emitter("ofdm", 1.5e6), r, 0.0, CAPTURE_S,
                                    spacing_hz=16.667e3, symbol_rate_hz=15.625e3),
    lambda r: sig.simulated_capture(sig.emitter("fm_broadcast", 2e5), r, 1e5, CAPTURE_S),
    lambda r: sig.display_comb(r, CAPTURE_S, 31_469.0, 525, 1e5),
    lambda r: sig.display_comb(r, CAPTURE_S, 15_625.0, None, 1e5),
    lambda r: sig.am_tone(r, CAPTURE_S, 15_625.0, 1e5),
    lambda r: sig.simulated_capture(sig.emitter("burst", 5e4, duty_cycle=0.05), r, 1e5,
                                    CAPTURE_S),
], ids=["carrier", "lte_ofdm", "ofdm_at_line_rate", "fm_pilot", "vga_comb",
        "comb_without_fields", "line_rate_tone", "bursts_at_25_hz"])
def test_confounders_are_never_called_video(make, rng):
    for snr_db in (10.0, 30.0):
        assert _video_calls(sig.through_rtl_sdr(make(rng), snr_db, rng)) == []


def test_kinds_of_non_video_emitters(rng):
    carrier = analyze_capture(sig.through_rtl_sdr(sig.simulated_capture(
        sig.emitter("carrier", 1e3), rng, 3e5, CAPTURE_S), 30.0, rng), sig.CAPTURE_RATE_HZ, 1.2e9)
    assert [e.kind for e in carrier] == ["carrier"]
    assert abs(carrier[0].freq_hz - 1.2003e9) < 30e3  # within the dongle's ppm error
    bursts = analyze_capture(sig.through_rtl_sdr(sig.simulated_capture(
        sig.emitter("burst", 5e4, duty_cycle=0.2), rng, -3e5, CAPTURE_S), 30.0, rng),
        sig.CAPTURE_RATE_HZ, 433.92e6)
    assert [e.kind for e in bursts] == ["digital_burst"]
    fm = analyze_capture(sig.through_rtl_sdr(sig.simulated_capture(
        sig.emitter("fm_broadcast", 2e5), rng, 4e5, CAPTURE_S), 30.0, rng),
        sig.CAPTURE_RATE_HZ, 95.5e6, region="KR")
    assert [(e.kind, e.service) for e in fm] == [("broadcast", "FM radio")]
