"""``ansim-capture/1`` directories: a written capture replays identically; every kind of bad
capture is refused with the file and the problem named."""

import json
import shutil

import numpy as np
import pytest

from hardware.camera import Frame
from hardware.camera.capture_dir import CaptureDirCamera, CaptureWriter, load_frames
from hardware.errors import RecordingError


def _frames(n=4, width=64, height=48):
    rng = np.random.default_rng(3)
    return [Frame(k, rng.integers(0, 255, (height, width), dtype=np.uint8), k / 30, 8000.0,
                  float(k % 2), float((k + 1) % 2)) for k in range(n)]


@pytest.fixture
def capture(tmp_path):
    path = tmp_path / "scan"
    with CaptureWriter(path, 64, 48, zone="door_hook") as writer:
        for frame in _frames():
            writer.write(frame)
    return path


def test_a_written_capture_replays_frame_for_frame(capture):
    camera = CaptureDirCamera(capture)
    for original in _frames():
        replayed = camera.read_frame()
        assert np.array_equal(replayed.image, original.image)
        assert (replayed.index, replayed.on_axis, replayed.off_axis) == \
            (original.index, original.on_axis, original.off_axis)
        assert replayed.timestamp_s == pytest.approx(original.timestamp_s, abs=1e-6)
    with pytest.raises(RecordingError, match="end of capture"):
        camera.read_frame()


def test_the_metadata_is_the_documented_format(capture):
    meta = json.loads((capture / "capture.json").read_text())
    assert meta["format"] == "ansim-capture/1" and meta["pixel_format"] == "gray8"
    header = (capture / "frames.csv").read_text().splitlines()[0]
    assert header == "index,file,timestamp_s,exposure_us,on_axis,off_axis"


def test_the_writer_refuses_to_overwrite_a_capture(capture):
    with pytest.raises(RecordingError, match="already holds a capture"):
        CaptureWriter(capture, 64, 48)


def test_a_missing_frame_is_named(capture):
    (capture / "000002.png").unlink()
    with pytest.raises(RecordingError, match=r"000002\.png: missing"):
        load_frames(capture)


def test_a_frame_of_the_wrong_size_is_named(capture):
    shutil.copy(capture / "000001.png", capture / "spare.png")
    import cv2
    cv2.imwrite(str(capture / "000001.png"), np.zeros((10, 10), np.uint8))
    with pytest.raises(RecordingError, match=r"000001\.png: 10x10 pixels; capture.json says 64x48"):
        load_frames(capture)


def test_a_corrupt_png_is_named(capture):
    (capture / "000003.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(RecordingError, match=r"000003\.png: not a readable image"):
        load_frames(capture)


def test_a_bad_header_is_named(capture):
    csv_path = capture / "frames.csv"
    lines = csv_path.read_text().splitlines()
    csv_path.write_text("\n".join(["index,file,time,exposure,on,off"] + lines[1:]) + "\n")
    with pytest.raises(RecordingError, match=r"frames\.csv: header must be"):
        load_frames(capture)


def test_an_unknown_format_is_named(capture):
    meta_path = capture / "capture.json"
    meta = json.loads(meta_path.read_text())
    meta["format"] = "ansim-capture/9"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(RecordingError, match=r"capture\.json: unknown format 'ansim-capture/9'"):
        load_frames(capture)


def test_ring_fractions_outside_0_to_1_are_refused(capture):
    csv_path = capture / "frames.csv"
    csv_path.write_text(csv_path.read_text().replace(",1,0\n", ",1.5,0\n", 1))
    with pytest.raises(RecordingError, match="ring fractions"):
        load_frames(capture)


def _with_noise(capture, **overrides):
    meta_path = capture / "capture.json"
    meta = json.loads(meta_path.read_text())
    meta["sensor_noise"] = {"model": "poisson-gaussian-prnu/1", "full_scale_electrons": 6000.0,
                            "read_noise_dn": 1.4, "prnu": 0.006, "seed": 11, **overrides}
    meta_path.write_text(json.dumps(meta))
    return capture


@pytest.fixture
def flat_capture(tmp_path):
    """Flat grey frames (0, 40, 200 and 255 DN in bands) written noise-free."""
    image = np.zeros((48, 64), np.uint8)
    image[12:24], image[24:36], image[36:] = 40, 200, 255
    path = tmp_path / "flat"
    with CaptureWriter(path, 64, 48) as writer:
        for k in range(3):
            writer.write(Frame(k, image.copy(), k / 30, 8000.0, 1.0, 0.0))
    return path


def test_sensor_noise_has_the_documented_shot_and_read_noise(flat_capture):
    frames = load_frames(_with_noise(flat_capture))
    band = np.stack([f.image[24:36].astype(float) for f in frames])
    dark = np.stack([f.image[:12].astype(float) for f in frames])
    # 200 DN: shot noise sqrt(200 * 255 / 6000) = 2.92 DN, read noise 1.4, PRNU 1.2 -> 3.46 DN
    assert band.mean() == pytest.approx(200, abs=0.5)
    assert band.std() == pytest.approx(np.sqrt(200 * 255 / 6000 + 1.4 ** 2 + 1.2 ** 2), rel=0.15)
    assert np.all(frames[0].image[36:] == 255)  # saturation stays saturated
    assert dark.mean() < 1.0  # read noise clipped at zero


def test_sensor_noise_is_the_same_on_every_read_and_differs_between_frames(flat_capture):
    first, second = load_frames(_with_noise(flat_capture)), load_frames(flat_capture)
    assert all(np.array_equal(a.image, b.image) for a, b in zip(first, second))
    assert not np.array_equal(first[0].image, first[1].image)


def test_a_bad_sensor_noise_is_named(flat_capture):
    with pytest.raises(RecordingError, match=r"capture\.json: sensor_noise read_noise_dn"):
        load_frames(_with_noise(flat_capture, read_noise_dn="loud"))
    with pytest.raises(RecordingError, match=r"capture\.json: sensor_noise model"):
        load_frames(_with_noise(flat_capture, model="film-grain"))
