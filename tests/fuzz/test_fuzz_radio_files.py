"""Fuzzing the radio's file readers: SigMF metadata and raw ``.cu8`` recordings, down to the
first analysis ``ansim rf analyze`` makes of them. Only a result or ``RecordingError`` is
acceptable."""

import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hardware.errors import RecordingError
from hardware.radio.replay import open_recording
from hardware.radio.sigmf import DATATYPES, read_sigmf
from tests.fuzz.strategies import HOSTILE_NUMBERS, JSON_VALUES, deeply_nested, mutated_object

VALID_META = {
    "global": {"core:datatype": "cu8", "core:sample_rate": 2.4e6, "core:version": "1.2.6",
               "core:num_channels": 1},
    "captures": [{"core:sample_start": 0, "core:frequency": 1.2e9}],
    "annotations": [],
}


def _meta_texts():
    structured = mutated_object(VALID_META).map(lambda m: json.dumps(m))
    nested_global = st.builds(
        lambda g, c: json.dumps({"global": g, "captures": c, "annotations": []}),
        mutated_object(VALID_META["global"]),
        st.lists(mutated_object(VALID_META["captures"][0]), max_size=3) | JSON_VALUES)
    raw = JSON_VALUES.map(json.dumps)
    nesting = st.integers(min_value=1, max_value=200_000).map(deeply_nested)
    return st.one_of(structured, nested_global, raw, nesting, st.text(max_size=200))


def _read_everything(recording) -> None:
    """What replay and analysis do with a recording: sizes, annotations, the first block."""
    assert recording.n_samples > 0 and recording.sample_rate_hz > 0
    assert np.isfinite(recording.center_freq_hz) and np.isfinite(recording.duration_s)
    recording.annotations
    block = recording.block(0, 4096)
    assert block.dtype == np.complex64


@given(meta_text=_meta_texts(), data=st.binary(min_size=0, max_size=64))
def test_sigmf_metadata_gives_a_recording_or_a_recording_error(meta_text, data):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "rec"
        Path(f"{base}.sigmf-meta").write_bytes(meta_text.encode("utf-8", "surrogatepass"))
        Path(f"{base}.sigmf-data").write_bytes(data)
        try:
            recording = read_sigmf(base)
        except RecordingError:
            return
        assert recording.datatype in DATATYPES
        _read_everything(recording)


@given(data=st.binary(max_size=256), rate=HOSTILE_NUMBERS | st.none(),
       freq=HOSTILE_NUMBERS | st.none())
def test_raw_cu8_gives_a_recording_or_a_recording_error(data, rate, freq):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "capture.cu8"
        path.write_bytes(data)
        try:
            recording = open_recording(path, rate, freq)
        except RecordingError:
            return
        _read_everything(recording)
