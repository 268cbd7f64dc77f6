"""Replaying recordings through the radio seam returns exactly what the file holds."""

import numpy as np
import pytest

from hardware.errors import RecordingError, TuningError
from hardware.radio import SampleSource
from hardware.radio.replay import ReplaySource
from hardware.radio.sigmf import write_sigmf

RATE_HZ = 2_048_000.0
FREQ_HZ = 1_080_000_000.0


@pytest.fixture
def cu8_bytes():
    return np.random.default_rng(21).integers(0, 256, 2 * 10_000, dtype=np.uint8)


def expected(raw):
    values = (raw.astype(np.float64) - 127.5) / 127.5
    return values[0::2] + 1j * values[1::2]


@pytest.fixture
def recording(tmp_path, cu8_bytes):
    meta_path, data_path = write_sigmf(tmp_path / "rec", expected(cu8_bytes), RATE_HZ, FREQ_HZ,
                                       extra_global={"ansim:gain_db": 40.2})
    assert data_path.read_bytes() == cu8_bytes.tobytes()  # the file holds these very bytes
    return meta_path


def test_reads_in_any_chunking_return_the_file_in_order(recording, cu8_bytes):
    with ReplaySource(recording) as radio:
        assert isinstance(radio, SampleSource)
        chunks = [radio.read(n) for n in (1, 999, 4096, 3000, 1904)]
        assert radio.samples_left == 0
    got = np.concatenate(chunks)
    assert got.dtype == np.complex64
    np.testing.assert_allclose(got, expected(cu8_bytes), atol=1e-6)
    requantised = np.rint(got.view(np.float32).astype(np.float64) * 127.5 + 127.5)
    assert requantised.astype(np.uint8).tobytes() == cu8_bytes.tobytes()


def test_a_raw_cu8_file_replays_with_its_rate_and_frequency(tmp_path, cu8_bytes):
    path = tmp_path / "rtl_sdr.cu8"
    path.write_bytes(cu8_bytes.tobytes())
    radio = ReplaySource(path, sample_rate_hz=RATE_HZ, center_freq_hz=FREQ_HZ)
    assert (radio.sample_rate_hz, radio.center_freq_hz) == (RATE_HZ, FREQ_HZ)
    np.testing.assert_allclose(radio.read(10_000), expected(cu8_bytes), atol=1e-6)


def test_a_raw_file_without_rate_and_frequency_is_refused(tmp_path, cu8_bytes):
    path = tmp_path / "rtl_sdr.cu8"
    path.write_bytes(cu8_bytes.tobytes())
    with pytest.raises(RecordingError, match="rtl_sdr.cu8: a raw cu8 file has no metadata"):
        ReplaySource(path)


def test_settings_that_disagree_with_the_metadata_are_refused(recording):
    with pytest.raises(RecordingError, match="sample rate is 2.048e\\+06 Hz in the metadata"):
        ReplaySource(recording, sample_rate_hz=2.4e6)


def test_the_recorded_gain_is_reported_and_cannot_be_changed(recording):
    radio = ReplaySource(recording)
    radio.set_gain(10.0)
    assert radio.gain_db == 40.2


def test_tuning_within_the_recorded_band_keeps_the_samples_and_reports_the_offset(recording,
                                                                                  cu8_bytes):
    radio = ReplaySource(recording)
    radio.tune(FREQ_HZ + 500_000)
    assert radio.tune_offset_hz == 500_000
    assert radio.center_freq_hz == FREQ_HZ
    np.testing.assert_allclose(radio.read(100), expected(cu8_bytes)[:100], atol=1e-6)


@pytest.mark.parametrize("freq_hz", [FREQ_HZ + RATE_HZ / 2 + 1, FREQ_HZ - 5e6, 433.92e6])
def test_tuning_outside_the_recorded_band_is_refused(recording, freq_hz):
    radio = ReplaySource(recording)
    with pytest.raises(TuningError, match="rec.sigmf-meta: a recording cannot be retuned"):
        radio.tune(freq_hz)


def test_a_recording_cannot_be_resampled(recording):
    radio = ReplaySource(recording)
    radio.set_sample_rate(RATE_HZ)
    with pytest.raises(TuningError, match="cannot be resampled"):
        radio.set_sample_rate(1e6)


def test_reading_past_the_end_is_an_error_naming_the_file(recording):
    radio = ReplaySource(recording)
    radio.read(9_000)
    with pytest.raises(RecordingError, match="rec.sigmf-meta: end of recording: 2000 samples "
                                             "asked at sample 9000, only 1000 left"):
        radio.read(2_000)
    assert radio.read(1_000).size == 1_000  # the failed read consumed nothing


def test_looping_wraps_round_to_the_start(recording, cu8_bytes):
    radio = ReplaySource(recording, loop=True)
    got = radio.read(25_000)
    truth = expected(cu8_bytes)
    np.testing.assert_allclose(got, np.concatenate([truth, truth, truth[:5_000]]), atol=1e-6)
    assert radio.position == 5_000


def test_a_damaged_recording_is_refused_when_opened(recording):
    data_path = recording.with_suffix(".sigmf-data")
    data_path.write_bytes(data_path.read_bytes()[:-3])
    with pytest.raises(RecordingError, match="rec.sigmf-data: truncated"):
        ReplaySource(recording)


def test_reading_after_close_is_an_error(recording):
    radio = ReplaySource(recording)
    radio.close()
    with pytest.raises(Exception, match="read after close"):
        radio.read(10)
