"""SigMF and raw cu8 files: the bytes on disk, the scaling, and the errors for bad files.

Expected sample values are computed here from the bytes with the RTL-SDR convention
(b - 127.5) / 127.5, independently of the module under test; sigmf-python, the reference
implementation, checks the metadata and reads the same bytes.
"""

import json
from datetime import datetime, timezone

import numpy as np
import pytest

from hardware.errors import RecordingError
from hardware.radio.sigmf import read_raw_cu8, read_sigmf, sigmf_paths, write_sigmf

RATE_HZ = 2_400_000.0
FREQ_HZ = 1_200_000_000.0


def random_cu8_bytes(n_samples, seed=7):
    return np.random.default_rng(seed).integers(0, 256, 2 * n_samples, dtype=np.uint8)


def cu8_to_complex(raw):
    values = (raw.astype(np.float64) - 127.5) / 127.5
    return values[0::2] + 1j * values[1::2]


def write_by_hand(base, data: bytes, global_=None, captures=None):
    """A recording written without the module under test."""
    meta = {
        "global": {"core:datatype": "cu8", "core:sample_rate": RATE_HZ, "core:version": "1.0.0",
                   **(global_ or {})},
        "captures": captures if captures is not None else [{"core:sample_start": 0,
                                                             "core:frequency": FREQ_HZ}],
        "annotations": [],
    }
    meta_path, data_path = sigmf_paths(base)
    meta_path.write_text(json.dumps(meta))
    data_path.write_bytes(data)
    return meta_path, data_path


def test_reading_a_hand_made_cu8_recording_gives_the_rtl_sdr_scaling(tmp_path):
    raw = random_cu8_bytes(5000)
    meta_path, _ = write_by_hand(tmp_path / "rec", raw.tobytes())
    recording = read_sigmf(meta_path)
    assert recording.n_samples == 5000
    assert recording.sample_rate_hz == RATE_HZ and recording.center_freq_hz == FREQ_HZ
    assert recording.samples.dtype == np.complex64
    np.testing.assert_allclose(recording.samples, cu8_to_complex(raw), atol=1e-6)


@pytest.mark.parametrize("name", ["rec", "rec.sigmf-meta", "rec.sigmf-data"])
def test_a_recording_opens_from_its_base_name_or_either_file(tmp_path, name):
    write_by_hand(tmp_path / "rec", random_cu8_bytes(10).tobytes())
    assert read_sigmf(tmp_path / name).n_samples == 10


def test_writing_cu8_gives_back_the_very_same_bytes(tmp_path):
    raw = random_cu8_bytes(4096)
    _, data_path = write_sigmf(tmp_path / "rec", cu8_to_complex(raw), RATE_HZ, FREQ_HZ)
    assert data_path.read_bytes() == raw.tobytes()
    again = read_sigmf(tmp_path / "rec").samples
    _, copy_path = write_sigmf(tmp_path / "copy", again, RATE_HZ, FREQ_HZ)
    assert copy_path.read_bytes() == raw.tobytes()


def test_writing_cu8_rounds_to_the_nearest_level_and_clips_at_full_scale(tmp_path):
    level = lambda b: (b - 127.5) / 127.5  # noqa: E731
    samples = np.array([
        complex(level(100) + 0.3 / 127.5, level(200) - 0.3 / 127.5),  # rounds to 100, 200
        complex(1.7, -3.0),                                            # clips to 255, 0
        complex(level(0), level(255)),
    ])
    _, data_path = write_sigmf(tmp_path / "rec", samples, RATE_HZ, FREQ_HZ)
    assert list(data_path.read_bytes()) == [100, 200, 255, 0, 0, 255]


@pytest.mark.parametrize("datatype,dtype,full_scale", [("ci16_le", "<i2", 32768.0),
                                                       ("cf32_le", "<f4", 1.0)])
def test_ci16_and_cf32_are_stored_little_endian_and_read_back(tmp_path, datatype, dtype,
                                                              full_scale):
    rng = np.random.default_rng(3)
    samples = (rng.uniform(-0.9, 0.9, 300) + 1j * rng.uniform(-0.9, 0.9, 300))
    _, data_path = write_sigmf(tmp_path / "rec", samples, RATE_HZ, FREQ_HZ, datatype)
    on_disk = np.frombuffer(data_path.read_bytes(), dtype=dtype).astype(np.float64) / full_scale
    np.testing.assert_allclose(on_disk[0::2] + 1j * on_disk[1::2], samples, atol=1 / full_scale
                               if datatype == "ci16_le" else 1e-7)
    recording = read_sigmf(tmp_path / "rec")
    assert recording.datatype == datatype
    np.testing.assert_allclose(recording.samples, on_disk[0::2] + 1j * on_disk[1::2], atol=1e-6)


def test_metadata_records_what_was_recorded_and_how(tmp_path):
    when = datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)
    annotation = {"core:sample_start": 10, "core:sample_count": 20, "core:label": "PAL video"}
    meta_path, _ = write_sigmf(tmp_path / "rec", np.zeros(64, complex), RATE_HZ, FREQ_HZ,
                               description="door hook, stall 2", datetime_utc=when,
                               annotations=[annotation], extra_global={"ansim:gain_db": 40.2})
    meta = json.loads(meta_path.read_text())
    assert meta["global"]["core:description"] == "door hook, stall 2"
    assert meta["global"]["ansim:gain_db"] == 40.2
    assert meta["captures"][0]["core:datetime"] == "2024-05-01T09:30:00.000000Z"
    assert read_sigmf(meta_path).annotations == [annotation]


def test_an_existing_recording_is_never_overwritten(tmp_path):
    write_sigmf(tmp_path / "rec", np.zeros(8, complex), RATE_HZ, FREQ_HZ)
    with pytest.raises(FileExistsError, match="never overwritten"):
        write_sigmf(tmp_path / "rec", np.ones(8, complex), RATE_HZ, FREQ_HZ)


def test_a_raw_cu8_file_reads_with_the_rate_and_frequency_given(tmp_path):
    raw = random_cu8_bytes(1000)
    path = tmp_path / "capture.cu8"
    path.write_bytes(raw.tobytes())
    recording = read_raw_cu8(path, RATE_HZ, FREQ_HZ)
    assert (recording.sample_rate_hz, recording.center_freq_hz) == (RATE_HZ, FREQ_HZ)
    np.testing.assert_allclose(recording.samples, cu8_to_complex(raw), atol=1e-6)


def test_a_big_file_is_memory_mapped_and_read_in_blocks(tmp_path):
    path = tmp_path / "long.cu8"
    n_samples = 512 * 1024 * 1024  # 1 GiB of cu8, sparse on disk: only read blocks are touched
    with open(path, "wb") as f:
        f.truncate(2 * n_samples)
    recording = read_raw_cu8(path, RATE_HZ, FREQ_HZ)
    assert recording.n_samples == n_samples
    tail = recording.block(n_samples - 4, 100)
    assert tail.size == 4
    np.testing.assert_allclose(tail, -1 - 1j)


def _bad(tmp_path, **changes):
    meta_path, data_path = write_by_hand(tmp_path / "bad", random_cu8_bytes(100).tobytes(),
                                         changes.get("global_"), changes.get("captures"))
    return meta_path, data_path


@pytest.mark.parametrize("damage,file,problem", [
    (lambda m, d: d.unlink(), "bad.sigmf-data", "data file is missing"),
    (lambda m, d: m.unlink(), "bad.sigmf-meta", "metadata file is missing"),
    (lambda m, d: m.write_text("{not json"), "bad.sigmf-meta", "invalid JSON"),
    (lambda m, d: m.write_text("[]"), "bad.sigmf-meta", 'no "global" object'),
    (lambda m, d: d.write_bytes(d.read_bytes()[:-1]), "bad.sigmf-data",
     "truncated: 199 bytes is not a whole number of cu8 samples"),
    (lambda m, d: d.write_bytes(b""), "bad.sigmf-data", "zero samples"),
])
def test_damaged_files_are_refused_naming_the_file_and_the_problem(tmp_path, damage, file,
                                                                   problem):
    meta_path, data_path = _bad(tmp_path)
    damage(meta_path, data_path)
    with pytest.raises(RecordingError) as caught:
        read_sigmf(meta_path)
    assert caught.value.path.endswith(file)
    assert problem in str(caught.value) and file in str(caught.value)


@pytest.mark.parametrize("global_,captures,problem", [
    ({"core:datatype": None}, None, "core:datatype is missing"),
    ({"core:datatype": "ri16_le"}, None, "unsupported core:datatype 'ri16_le'"),
    ({"core:version": "2.0.0"}, None, "unsupported core:version '2.0.0'"),
    ({"core:version": None}, None, "core:version is missing"),
    ({"core:sample_rate": None}, None, "core:sample_rate is missing"),
    ({"core:sample_rate": -5}, None, "sample rate must be 1000 to 1e+09 Hz, not -5"),
    ({"core:num_channels": 2}, None, "core:num_channels is 2"),
    ({}, [], "no captures"),
    ({}, [{"core:sample_start": 0}], "captures[0]: core:frequency is missing"),
    ({}, [{"core:sample_start": 0, "core:frequency": 1e9},
          {"core:sample_start": 50, "core:frequency": 2e9}], "several frequencies"),
    ({"core:sha512": "0" * 128}, None, "core:sha512 does not match"),
])
def test_wrong_metadata_is_refused_naming_the_key(tmp_path, global_, captures, problem):
    global_ = {k: v for k, v in global_.items()}
    meta_path, _ = _bad(tmp_path, global_=global_, captures=captures)
    if None in global_.values():  # remove keys set to None rather than writing null
        meta = json.loads(meta_path.read_text())
        meta["global"] = {k: v for k, v in meta["global"].items() if v is not None}
        meta_path.write_text(json.dumps(meta))
    with pytest.raises(RecordingError) as caught:
        read_sigmf(meta_path)
    assert problem in str(caught.value)
    assert "bad.sigmf-" in str(caught.value)


def test_a_truncated_raw_file_is_refused(tmp_path):
    path = tmp_path / "odd.cu8"
    path.write_bytes(b"\x01\x02\x03")
    with pytest.raises(RecordingError, match="odd.cu8: truncated: 3 bytes"):
        read_raw_cu8(path, RATE_HZ, FREQ_HZ)


class TestAgainstSigmfPython:
    """sigmf-python, the format's reference implementation, agrees with what we write and read."""

    sigmf = pytest.importorskip("sigmf", reason="sigmf-python (test extra) is not installed")

    def test_our_metadata_validates_and_our_bytes_read_back(self, tmp_path):
        from sigmf import sigmffile, validate

        raw = random_cu8_bytes(2048, seed=11)
        meta_path, _ = write_sigmf(tmp_path / "ours", cu8_to_complex(raw), RATE_HZ, FREQ_HZ,
                                   description="reference check")
        validate.validate(json.loads(meta_path.read_text()))  # the SigMF schema
        theirs = sigmffile.fromfile(str(meta_path))  # also checks core:sha512
        assert theirs.get_global_field("core:sample_rate") == RATE_HZ
        assert theirs.get_captures()[0]["core:frequency"] == FREQ_HZ
        unscaled = sigmffile.fromfile(str(meta_path), autoscale=False).read_samples()
        np.testing.assert_array_equal(unscaled, raw[0::2] + 1j * raw[1::2])
        # Same bytes, two scalings: theirs (b - 128) / 128, ours (b - 127.5) / 127.5.
        ours = read_sigmf(meta_path).samples
        np.testing.assert_allclose(theirs.read_samples() * 128 + (128 + 128j),
                                   ours * 127.5 + (127.5 + 127.5j), atol=1e-3)

    def test_a_recording_written_by_sigmf_python_reads_the_same(self, tmp_path):
        from sigmf import SigMFFile

        rng = np.random.default_rng(5)
        samples = (rng.normal(0, 0.3, 1000) + 1j * rng.normal(0, 0.3, 1000)).astype(np.complex64)
        data_path = tmp_path / "theirs.sigmf-data"
        samples.tofile(data_path)
        meta = SigMFFile(data_file=str(data_path), global_info={
            "core:datatype": "cf32_le", "core:sample_rate": RATE_HZ,
            "core:version": self.sigmf.__specification__})
        meta.add_capture(0, metadata={"core:frequency": FREQ_HZ})
        meta.tofile(str(tmp_path / "theirs.sigmf-meta"))
        recording = read_sigmf(tmp_path / "theirs")
        assert recording.center_freq_hz == FREQ_HZ
        np.testing.assert_array_equal(recording.samples, samples)
