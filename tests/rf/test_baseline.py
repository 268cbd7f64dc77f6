"""The site baseline: new, stronger, vanished and friendly emitters across inspections."""

import numpy as np
import pytest

from rf.baseline import BaselineError, SiteBaseline, compare
from rf.classify import ClassifiedEmitter
from rf.spectrum import Spectrum


def _emitter(freq_hz, power_db, kind="unknown", bandwidth_hz=200e3):
    return ClassifiedEmitter(freq_hz=freq_hz, bandwidth_hz=bandwidth_hz, power_db=power_db,
                             kind=kind, video_standard=None, line_rate_hz=None, confidence=0.5,
                             occupancy=1.0, burstiness=0.0, snr_db=20.0)


def _spectrum(level_db):
    freqs = np.arange(900e6, 960e6, 4687.5)
    power = np.full(len(freqs), level_db, dtype=np.float32)
    zeros = np.zeros(len(freqs), dtype=np.float32)
    return Spectrum(freqs, power, power - 1, power + 3, power, zeros, zeros + 1)


def _site(inspections=3):
    baseline = SiteBaseline.empty()
    for i in range(inspections):
        baseline = baseline.updated_with(_spectrum(-90 + i), [
            _emitter(915.0e6, -40 - i), _emitter(940.0e6 + i * 0.3e6, -55)])
    return baseline


def test_the_same_emitters_again_are_unchanged():
    result = compare(_site(), [_emitter(915.2e6, -41), _emitter(940.5e6, -54)])
    assert (result.new, result.stronger, result.vanished) == ([], [], [])
    assert len(result.unchanged) == 2


def test_new_stronger_and_vanished_are_told_apart():
    result = compare(_site(), [_emitter(915.0e6, -30), _emitter(1200.0e6, -20, "analog_video")])
    assert [e["freq_hz"] for e in result.new] == [1200.0e6]
    assert [e["freq_hz"] for e in result.stronger] == [915.0e6]
    assert result.stronger[0]["baseline_max_power_db"] == -40
    assert [round(e["freq_hz"]) for e in result.vanished] == [940_600_000]


def test_a_friendly_mark_survives_json_and_is_reported_as_friendly():
    baseline = _site().mark_friendly(940.5e6, 200e3, "the cafe's wireless doorbell")
    restored = SiteBaseline.from_json(baseline.to_json())
    assert restored == baseline
    result = restored.compare([_emitter(940.4e6, -50)])
    assert result.friendly[0]["note"] == "the cafe's wireless doorbell"
    assert result.new == []


def test_the_reference_spectrum_keeps_median_max_and_counts():
    freqs, median_db, max_db, counts = _site(3).spectrum_reference()
    assert len(freqs) == 240  # 60 MHz in 250 kHz bins
    assert np.allclose(median_db, -89) and np.allclose(max_db, -88) and np.all(counts == 3)


def test_a_first_inspection_finds_everything_new():
    result = compare(SiteBaseline.empty(), [_emitter(915.0e6, -40)])
    assert len(result.new) == 1 and result.vanished == []


@pytest.mark.parametrize("text, problem", [
    ("{", "not JSON"), ('{"format": "other"}', "format"),
    ('{"format": "ansim-rf-baseline/1", "inspections": 1, "spectrum": {}, '
     '"emitters": [{"freq_hz": 1}]}', "malformed"),
])
def test_bad_baseline_files_are_refused_clearly(text, problem):
    with pytest.raises(BaselineError, match=problem):
        SiteBaseline.from_json(text)
