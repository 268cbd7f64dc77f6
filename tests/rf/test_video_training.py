"""The video detector against its TRAINING material (``hardware.sim.rf_training``): non-video
signals with a comb near the TV line rate, and moving pictures that are not the benchmark's.
The benchmark's own non-video family and clips never appear in a test."""

import numpy as np
import pytest

from hardware.sim import rf_training as training
from hardware.sim import signals as sig
from rf.video import detect_video

CAPTURE_S = 0.12


@pytest.mark.parametrize("name", list(training.FAMILY))
def test_training_confounders_are_never_called_video(name):
    rng = np.random.default_rng([training.TRAINING_SEED_BLOCK, 90, len(name)])
    make = training.FAMILY[name]
    for k in range(12):
        iq = sig.through_rtl_sdr(make(rng, CAPTURE_S), (10.0, 20.0, 30.0)[k % 3], rng)
        evidence = detect_video(iq, sig.CAPTURE_RATE_HZ)
        assert not evidence.is_video, (name, k, evidence)


def test_a_supply_comb_at_the_line_rate_has_no_field_comb():
    """A comb as strong as video's, with mains ripple and dither: the line comb is there, the
    field comb (the fundamental, odd and even multiples, above what lies between) is not."""
    rng = np.random.default_rng([training.TRAINING_SEED_BLOCK, 91])
    found = [detect_video(sig.through_rtl_sdr(training.supply_comb(rng, CAPTURE_S), 30.0, rng),
                          sig.CAPTURE_RATE_HZ) for _ in range(8)]
    assert not any(e.is_video for e in found)
    assert max(e.harmonics for e in found) >= 6  # the line-like comb was seen and weighed


@pytest.fixture(scope="module")
def moving_training_slices():
    """A training clip (a scrolling cellular automaton) through hacktv in narrow FM and in AM."""
    if not sig.hacktv_available():
        pytest.skip("hacktv is not installed (scripts/system-packages installs it)")
    video = training.TRAINING_VIDEOS["cellauto"]
    return {mode.name: (mode, sig.hacktv_slices(sig.hacktv_clip(mode, 0.2, video), [0.0]))
            for mode in sig.HACKTV_MODES if mode.name in ("hacktv PAL FM narrow",
                                                           "hacktv NTSC AM (M)")}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["hacktv PAL FM narrow", "hacktv NTSC AM (M)"])
def test_moving_training_pictures_are_found_at_minus_6_db(moving_training_slices, name):
    mode, slices = moving_training_slices[name]
    rng = np.random.default_rng([training.TRAINING_SEED_BLOCK, 92])
    found = []
    for _ in range(8):
        iq = sig.through_rtl_sdr(sig.capture_from(slices, rng, 200e3, CAPTURE_S), -6.0, rng)
        evidence = detect_video(iq, sig.CAPTURE_RATE_HZ)
        found.append(evidence.is_video and evidence.standard == mode.standard)
        assert evidence.field_harmonics >= 6 or not evidence.is_video
    assert sum(found) >= 7, found  # 0.94 of the training clips at -6 dB


@pytest.fixture(scope="module")
def dark_training_slices():
    """A dark training clip (sparse white cells on near-black, new every frame) through hacktv
    in AM, where black lies within a quarter of the carrier of the blanking level."""
    if not sig.hacktv_available():
        pytest.skip("hacktv is not installed (scripts/system-packages installs it)")
    mode = next(m for m in sig.HACKTV_MODES if m.name == "hacktv PAL AM (I)")
    return mode, sig.hacktv_slices(sig.hacktv_clip(mode, 0.2, training.TRAINING_VIDEOS["dark"]),
                                   [0.0])


@pytest.mark.slow
def test_a_dark_picture_is_found_by_its_vertical_sync(dark_training_slices):
    """With a dark picture the field comb fades; the broad pulses of the vertical sync remain."""
    mode, slices = dark_training_slices
    rng = np.random.default_rng([training.TRAINING_SEED_BLOCK, 93])
    found = []
    for _ in range(8):
        iq = sig.through_rtl_sdr(sig.capture_from(slices, rng, 200e3, CAPTURE_S), -3.0, rng)
        evidence = detect_video(iq, sig.CAPTURE_RATE_HZ)
        found.append(evidence.is_video and evidence.standard == mode.standard)
    assert sum(found) >= 6, found
