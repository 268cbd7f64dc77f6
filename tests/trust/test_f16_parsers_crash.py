"""Finding 16: hostile files crashed the parsers (TypeError, OverflowError, RecursionError) or
made ansim allocate gigabytes; each now gets the format's own error naming the file."""

import json
import struct
import zlib

import cv2
import numpy as np
import pytest

from detector.appliance.profile import DEFAULT_PROFILE_PATH, ProfileError, load_profile
from detector.engine.sites import SiteImportError, parse_sites
from hardware.camera.capture_dir import load_frames
from hardware.errors import RecordingError
from hardware.radio.replay import open_recording
from hardware.radio.sigmf import read_sigmf, write_sigmf
from rf.rtlpower import RtlPowerError, read_rtl_power_csv


@pytest.fixture
def recording(tmp_path):
    iq = np.exp(2j * np.pi * 0.01 * np.arange(8192)).astype(np.complex64) * 0.5
    meta_path, _ = write_sigmf(tmp_path / "rec", iq, 2.4e6, 1.2e9)
    return meta_path


def _rewrite(meta_path, text):
    meta_path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("datatype", [["cu8"], {"a": 1}, 7])
def test_sigmf_with_a_non_string_datatype(recording, datatype):
    meta = json.loads(recording.read_text())
    meta["global"]["core:datatype"] = datatype
    _rewrite(recording, json.dumps(meta))
    with pytest.raises(RecordingError, match="core:datatype"):
        read_sigmf(recording)


def test_sigmf_with_a_400_digit_sample_rate(recording):
    text = recording.read_text().replace("2400000.0", "9" * 400)
    _rewrite(recording, text)
    with pytest.raises(RecordingError, match="sample rate"):
        read_sigmf(recording)


def test_sigmf_with_a_5000_digit_number(recording):
    _rewrite(recording, recording.read_text().replace("2400000.0", "9" * 5000))
    with pytest.raises(RecordingError, match="invalid JSON"):
        read_sigmf(recording)


def test_sigmf_nested_deeper_than_the_decoder_stack(recording):
    _rewrite(recording, "[" * 200_000 + "]" * 200_000)
    with pytest.raises(RecordingError, match="invalid JSON"):
        read_sigmf(recording)


def test_sigmf_annotations_that_are_not_a_list(recording):
    meta = json.loads(recording.read_text())
    meta["annotations"] = 5
    _rewrite(recording, json.dumps(meta))
    with pytest.raises(RecordingError, match="annotations"):
        read_sigmf(recording)


def test_a_frequency_of_1e300_is_refused_before_analysis(recording, tmp_path):
    meta = json.loads(recording.read_text())
    meta["captures"][0]["core:frequency"] = 1e300
    _rewrite(recording, json.dumps(meta))
    with pytest.raises(RecordingError, match="core:frequency"):
        read_sigmf(recording)
    raw = tmp_path / "x.cu8"
    raw.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(RecordingError, match="centre frequency"):
        open_recording(raw, 2.4e6, 1e300)


@pytest.mark.parametrize("high", ["inf", "nan", "1e400"])
def test_rtl_power_rows_with_an_infinite_or_nan_bin_count(tmp_path, high):
    path = tmp_path / "sweep.csv"
    path.write_text(f"2026-05-09, 07:35:25, 24000000, {high}, 1000000, 2, -40, -41\n")
    with pytest.raises(RtlPowerError, match="sweep.csv:1"):
        read_rtl_power_csv(path)


def test_rtl_power_row_claiming_a_trillion_bins(tmp_path):
    path = tmp_path / "sweep.csv"
    path.write_text("2026-05-09, 07:35:25, 0, 1e10, 0.001, 2, -40, -41\n")
    with pytest.raises(RtlPowerError, match="bins"):
        read_rtl_power_csv(path)


def test_rtl_power_nul_byte(tmp_path):
    path = tmp_path / "sweep.csv"
    path.write_bytes(b"2026-05-09, 07:35:25, 24000000\x00, 25000000, 1000000, 2, -40, -41\n")
    with pytest.raises(RtlPowerError):
        read_rtl_power_csv(path)


def test_superscript_two_as_stalls():
    with pytest.raises(SiteImportError, match="stalls"):
        parse_sites("id,name,stalls\njongno-1,Jongno,²\n")


def _capture(tmp_path, frames_csv: bytes, meta=None, png=None):
    meta = meta or {"format": "ansim-capture/1", "width": 8, "height": 6, "pixel_format": "gray8"}
    (tmp_path / "capture.json").write_text(json.dumps(meta))
    (tmp_path / "frames.csv").write_bytes(frames_csv)
    (tmp_path / "f0.png").write_bytes(
        png if png is not None else cv2.imencode(".png", np.zeros((6, 8), np.uint8))[1].tobytes())
    return tmp_path


_HEADER = b"index,file,timestamp_s,exposure_us,on_axis,off_axis\n"


def test_capture_frames_csv_with_invalid_utf8(tmp_path):
    with pytest.raises(RecordingError, match="frames.csv"):
        load_frames(_capture(tmp_path, _HEADER + b"0,f\xff.png,0,8000,1,0\n"))


@pytest.mark.parametrize("field,value", [("pixel_format", ["gray8"]), ("video", 5),
                                         ("width", 1e300), ("height", True)])
def test_capture_json_with_non_string_or_absurd_fields(tmp_path, field, value):
    meta = {"format": "ansim-capture/1", "width": 8, "height": 6, "pixel_format": "gray8",
            field: value}
    with pytest.raises(RecordingError, match="capture.json"):
        load_frames(_capture(tmp_path, _HEADER + b"0,f0.png,0,8000,1,0\n", meta))


@pytest.mark.parametrize("exposure", [b"inf", b"nan"])
def test_capture_exposure_that_is_not_finite(tmp_path, exposure):
    with pytest.raises(RecordingError, match="exposure_us"):
        load_frames(_capture(tmp_path, _HEADER + b"0,f0.png,0," + exposure + b",1,0\n"))


def test_capture_file_outside_the_directory(tmp_path):
    with pytest.raises(RecordingError, match="file must be the name"):
        load_frames(_capture(tmp_path, _HEADER + b"0,../../f0.png,0,8000,1,0\n"))


def _png_claiming(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                          zlib.crc32(kind + data))
    rows = zlib.compress(b"\x00" * (width + 1) * 64, 9)  # a little of a huge all-black image
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                              0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def test_a_small_capture_claiming_gigapixel_frames_is_refused_before_decoding(tmp_path):
    """capture.json and the PNG both claim 50000 x 50000: 2.5 GB once decoded."""
    meta = {"format": "ansim-capture/1", "width": 50_000, "height": 50_000,
            "pixel_format": "gray8"}
    with pytest.raises(RecordingError, match="width"):
        load_frames(_capture(tmp_path, _HEADER + b"0,f0.png,0,8000,1,0\n", meta,
                             _png_claiming(50_000, 50_000)))


def test_a_small_png_claiming_a_gigapixel_is_refused_before_decoding(tmp_path):
    with pytest.raises(RecordingError, match="50000x50000 pixels; capture.json says 8x6"):
        load_frames(_capture(tmp_path, _HEADER + b"0,f0.png,0,8000,1,0\n",
                             png=_png_claiming(50_000, 50_000)))


def test_many_frames_of_a_large_size_are_refused_before_decoding(tmp_path):
    meta = {"format": "ansim-capture/1", "width": 4608, "height": 2592, "pixel_format": "bgr8"}
    rows = b"".join(b"%d,f0.png,0,8000,1,0\n" % i for i in range(100))
    with pytest.raises(RecordingError, match="MiB"):
        load_frames(_capture(tmp_path, _HEADER + rows, meta))


@pytest.mark.parametrize("key,value", [("fps", "inf"), ("exposure_us", "inf"),
                                       ("width", "9" * 40), ("fps", "nan")])
def test_device_profile_with_infinite_or_absurd_camera_values(tmp_path, key, value):
    text = DEFAULT_PROFILE_PATH.read_text(encoding="utf-8")
    lines = [f"{key} = {value}" if line.startswith(f"{key} ") else line
             for line in text.splitlines()]
    path = tmp_path / "profile.toml"
    path.write_text("\n".join(lines))
    with pytest.raises(ProfileError, match=f"camera.{key}"):
        load_profile(path)


def test_device_profile_nested_deeper_than_the_parser_stack(tmp_path):
    path = tmp_path / "profile.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ProfileError):
        load_profile(path)


def test_rtl_power_row_with_a_subnormal_step(tmp_path):
    """Found by the 10,000-case fuzz run: (1 - 0) / 5e-324 is infinite."""
    path = tmp_path / "sweep.csv"
    path.write_text("2026-05-09, 07:35:25, 0, 1.0, 5e-324, 2, 0\n")
    with pytest.raises(RtlPowerError, match="bins"):
        read_rtl_power_csv(path)
