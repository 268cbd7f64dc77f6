"""Fuzzing ``ansim-capture/1`` directories: capture.json, frames.csv and the PNG headers.
Only frames or ``RecordingError`` are acceptable, and nothing is decoded before its size is
known to fit (a 24 KB directory once made ansim allocate 2.5 GiB)."""

import json
import struct
import tempfile
import zlib
from pathlib import Path

import cv2
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hardware.camera.capture_dir import HEADER, load_frames
from hardware.errors import RecordingError
from tests.fuzz.strategies import HOSTILE_NUMBERS, HOSTILE_TEXT, mutated_object

VALID_META = {"format": "ansim-capture/1", "width": 8, "height": 6, "pixel_format": "gray8"}


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` but holds one tiny compressed stream."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


_GOOD_PNG = cv2.imencode(".png", np.zeros((6, 8), np.uint8))[1].tobytes()
_FILES = st.one_of(
    st.just(_GOOD_PNG),
    st.builds(png_header_only, st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1)),
    st.binary(max_size=64),
)
_CELL = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBERS.map(repr),
                  st.sampled_from(["0", "1", "f0.png", "0.5", "8000", "inf", "nan", "1e999"]))


@st.composite
def frames_csv(draw):
    header = draw(st.just(",".join(HEADER)) | HOSTILE_TEXT)
    rows = [header]
    for index in range(draw(st.integers(0, 4))):
        cells = [str(index), "f0.png", f"{index / 30:.6f}", "8000", "1", "0"]
        for _ in range(draw(st.integers(0, 2))):
            cells[draw(st.integers(0, 5))] = draw(_CELL).replace("\n", " ")
        rows.append(",".join(cells))
    text = "\n".join(rows).encode("utf-8", "surrogatepass")
    return text if draw(st.booleans()) else text + draw(st.binary(max_size=8))


@given(meta=mutated_object(VALID_META), csv_bytes=frames_csv(), png=_FILES)
def test_capture_dir_gives_frames_or_a_recording_error(meta, csv_bytes, png):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        (path / "capture.json").write_text(json.dumps(meta), encoding="utf-8")
        (path / "frames.csv").write_bytes(csv_bytes)
        (path / "f0.png").write_bytes(png)
        try:
            frames = load_frames(path)
        except RecordingError:
            return
        for frame in frames:
            assert frame.image.shape[:2] == (meta["height"], meta["width"])
            assert np.isfinite(frame.exposure_us) and frame.exposure_us > 0
