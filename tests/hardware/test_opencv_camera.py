"""OpenCVCamera on real video files written by OpenCV's own VideoWriter."""

import cv2
import numpy as np
import pytest

from hardware.camera import Camera
from hardware.camera.opencv import OpenCVCamera
from hardware.clock import SimulatedClock
from hardware.errors import RecordingError
from hardware.gpio.illuminator import Illuminator

FPS = 25.0
N_FRAMES = 12


def write_video(path, fourcc):
    """Frames whose brightness steps by 20 per frame, with the frame number as a bright bar."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FPS, (96, 64))
    assert writer.isOpened(), f"this OpenCV cannot write {fourcc}"
    for i in range(N_FRAMES):
        image = np.full((64, 96, 3), 10 + 20 * i, np.uint8)
        writer.write(image)
    writer.release()
    return path


@pytest.mark.parametrize("name,fourcc", [("scan.mp4", "mp4v"), ("scan.avi", "MJPG")])
def test_a_video_file_plays_in_order_with_its_own_timestamps(tmp_path, name, fourcc):
    path = write_video(tmp_path / name, fourcc)
    with OpenCVCamera(path, exposure_us=8000) as camera:
        assert isinstance(camera, Camera)
        assert (camera.width, camera.height) == (96, 64)
        frames = [camera.read_frame() for _ in range(N_FRAMES)]
    assert [f.index for f in frames] == list(range(N_FRAMES))
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(N_FRAMES) / FPS)
    brightness = [f.image.mean() for f in frames]
    np.testing.assert_allclose(brightness, 10 + 20 * np.arange(N_FRAMES), atol=6)  # lossy codecs; steps are 20
    assert all(f.pixel_format == "bgr8" and f.exposure_us == 8000 for f in frames)
    assert all(f.on_axis == 0 and f.off_axis == 0 for f in frames)  # no rings in a recording


def test_led_fractions_come_from_the_illuminator_over_each_exposure(tmp_path, mock_factory):
    path = write_video(tmp_path / "scan.avi", "MJPG")
    clock = SimulatedClock()
    rings = Illuminator(17, 27, pin_factory=mock_factory, clock=clock)
    clock.advance(0.042)  # the on-axis ring lights 2 ms into frame 1's 8 ms exposure
    rings.set_rings(on_axis=True, off_axis=False)
    camera = OpenCVCamera(path, exposure_us=8000, illuminator=rings)
    fractions = [(f.on_axis, f.off_axis) for f in (camera.read_frame() for _ in range(3))]
    np.testing.assert_allclose(fractions, [(0.0, 0.0), (0.75, 0.0), (1.0, 0.0)])


def test_reading_past_the_end_names_the_file(tmp_path):
    camera = OpenCVCamera(write_video(tmp_path / "short.avi", "MJPG"))
    for _ in range(N_FRAMES):
        camera.read_frame()
    with pytest.raises(RecordingError, match=f"short.avi: end of video after {N_FRAMES} frames"):
        camera.read_frame()


def test_a_missing_video_is_refused_naming_it(tmp_path):
    with pytest.raises(RecordingError, match="gone.mp4: video file is missing"):
        OpenCVCamera(tmp_path / "gone.mp4")


def test_a_file_that_is_not_a_video_is_refused_naming_it(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_bytes(b"this is not a video\n" * 50)
    with pytest.raises(RecordingError, match="notes.mp4: OpenCV cannot open this video"):
        OpenCVCamera(path)
