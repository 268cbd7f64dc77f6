"""``ansim-capture/1`` directories: recorded optical scans, read (replay) and written.

A capture directory holds (documented in docs/capture-format.md):
- ``capture.json``: ``{"format": "ansim-capture/1", "width": W, "height": H,
  "pixel_format": "gray8" | "bgr8", ...}`` (other keys are kept and ignored);
- ``frames.csv`` with the header ``index,file,timestamp_s,exposure_us,on_axis,off_axis``, one
  row per frame (``on_axis``/``off_axis``: the fraction of the exposure each ring was lit);
- the frames, one PNG per row (``file``), or one video file named in ``capture.json``'s
  ``"video"`` with ``file`` left empty in every row;
- optionally ``capture.json``'s ``"sensor_noise"``: the frames are noise-free renders and the
  reader adds that sensor's seeded noise (``hardware.camera.sensor_noise``) on every load.

Reading checks everything up front and raises ``RecordingError`` naming the file and the
problem; a replay never stops half-way through a capture on a bad frame.

Example::

    with CaptureDirCamera("scan-001") as camera:
        frame = camera.read_frame()
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from hardware.camera import Camera, Frame
from hardware.camera.sensor_noise import SensorNoise
from hardware.errors import RecordingError

FORMAT = "ansim-capture/1"
HEADER = ["index", "file", "timestamp_s", "exposure_us", "on_axis", "off_axis"]
PIXEL_FORMATS = {"gray8": 1, "bgr8": 3}


@dataclass(frozen=True)
class FrameRow:
    index: int
    file: str
    timestamp_s: float
    exposure_us: float
    on_axis: float
    off_axis: float


@dataclass(frozen=True)
class CaptureInfo:
    path: Path
    width: int
    height: int
    pixel_format: str
    video: str | None
    rows: list[FrameRow]
    sensor_noise: SensorNoise | None = None


def read_capture_info(path) -> CaptureInfo:
    """Read and check ``capture.json`` and ``frames.csv`` (not the images yet)."""
    path = Path(path)
    meta_path = path / "capture.json"
    if not path.is_dir():
        raise RecordingError(path, "not a capture directory")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordingError(meta_path, "missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordingError(meta_path, f"not valid JSON: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        got = meta.get("format") if isinstance(meta, dict) else None
        raise RecordingError(meta_path, f"unknown format {got!r}; expected {FORMAT!r}")
    for key in ("width", "height"):
        if not isinstance(meta.get(key), int) or meta[key] <= 0:
            raise RecordingError(meta_path, f"{key!r} must be a positive integer")
    if meta.get("pixel_format") not in PIXEL_FORMATS:
        raise RecordingError(meta_path, f"pixel_format {meta.get('pixel_format')!r} is not "
                                        f"one of {sorted(PIXEL_FORMATS)}")
    noise = None
    if "sensor_noise" in meta:
        try:
            noise = SensorNoise.from_json(meta["sensor_noise"])
        except ValueError as exc:
            raise RecordingError(meta_path, str(exc)) from None
    rows = _read_rows(path / "frames.csv")
    video = meta.get("video")
    for row in rows:
        if not row.file and not video:
            raise RecordingError(path / "frames.csv",
                                 f"frame {row.index} names no file and capture.json no video")
    return CaptureInfo(path, meta["width"], meta["height"], meta["pixel_format"], video, rows,
                       noise)


def _read_rows(csv_path: Path) -> list[FrameRow]:
    try:
        with open(csv_path, newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
    except FileNotFoundError:
        raise RecordingError(csv_path, "missing") from None
    if not lines or [h.strip() for h in lines[0]] != HEADER:
        raise RecordingError(csv_path, f"header must be {','.join(HEADER)}")
    rows = []
    for line_no, fields in enumerate(lines[1:], start=2):
        if not fields:
            continue
        if len(fields) != len(HEADER):
            raise RecordingError(csv_path, f"line {line_no}: {len(fields)} fields, expected "
                                           f"{len(HEADER)}")
        try:
            row = FrameRow(int(fields[0]), fields[1].strip(), float(fields[2]),
                           float(fields[3]), float(fields[4]), float(fields[5]))
        except ValueError as exc:
            raise RecordingError(csv_path, f"line {line_no}: {exc}") from None
        if not (0.0 <= row.on_axis <= 1.0 and 0.0 <= row.off_axis <= 1.0):
            raise RecordingError(csv_path, f"line {line_no}: ring fractions must be within 0..1")
        if row.exposure_us <= 0:
            raise RecordingError(csv_path, f"line {line_no}: exposure_us must be positive")
        rows.append(row)
    if not rows:
        raise RecordingError(csv_path, "no frames")
    return rows


def load_frames(path) -> list[Frame]:
    """Every frame of a capture, checked (sizes, pixel format, decodable images)."""
    info = read_capture_info(path)
    images = _video_images(info) if info.video else None
    frames = []
    for k, row in enumerate(info.rows):
        image = images[k] if images is not None else _read_png(info, row)
        if info.sensor_noise is not None:
            image = info.sensor_noise.apply(image, row.index)
        frames.append(Frame(row.index, image, row.timestamp_s, row.exposure_us, row.on_axis,
                            row.off_axis))
    return frames


def _read_png(info: CaptureInfo, row: FrameRow) -> np.ndarray:
    file_path = info.path / row.file
    if not file_path.is_file():
        raise RecordingError(file_path, f"missing (frame {row.index})")
    flags = cv2.IMREAD_GRAYSCALE if info.pixel_format == "gray8" else cv2.IMREAD_COLOR
    image = cv2.imread(str(file_path), flags | cv2.IMREAD_ANYDEPTH)
    if image is None:
        raise RecordingError(file_path, "not a readable image (corrupt or not a PNG)")
    if image.dtype != np.uint8:
        raise RecordingError(file_path, f"{image.dtype} pixels; {info.pixel_format} is 8-bit")
    return _checked(info, image, file_path)


def _checked(info, image, file_path) -> np.ndarray:
    height, width = image.shape[:2]
    if (width, height) != (info.width, info.height):
        raise RecordingError(file_path, f"{width}x{height} pixels; capture.json says "
                                        f"{info.width}x{info.height}")
    return image


def _video_images(info: CaptureInfo) -> list[np.ndarray]:
    video_path = info.path / info.video
    if not video_path.is_file():
        raise RecordingError(video_path, "missing")
    capture = cv2.VideoCapture(str(video_path))
    images = []
    try:
        while len(images) < len(info.rows):
            ok, image = capture.read()
            if not ok:
                break
            if info.pixel_format == "gray8":
                image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            images.append(_checked(info, image, video_path))
    finally:
        capture.release()
    if len(images) < len(info.rows):
        raise RecordingError(video_path, f"{len(images)} frames; frames.csv lists "
                                         f"{len(info.rows)}")
    return images


class CaptureDirCamera(Camera):
    """Replays a capture directory frame by frame (checked in full when opened)."""

    def __init__(self, path):
        self.path = Path(path)
        self._frames = load_frames(self.path)
        self.width = self._frames[0].image.shape[1]
        self.height = self._frames[0].image.shape[0]
        self._next = 0

    def read_frame(self) -> Frame:
        if self._next >= len(self._frames):
            raise RecordingError(self.path, f"end of capture after {len(self._frames)} frames")
        frame = self._frames[self._next]
        self._next += 1
        return frame

    def __len__(self) -> int:
        return len(self._frames)


class CaptureWriter:
    """Writes frames as they come into a new ``ansim-capture/1`` directory (PNG per frame).

    ``frames.csv`` is written row by row and flushed, so an interrupted scan keeps every frame
    already recorded.
    """

    def __init__(self, path, width: int, height: int, pixel_format: str = "gray8", **extra):
        if pixel_format not in PIXEL_FORMATS:
            raise ValueError(f"pixel_format must be one of {sorted(PIXEL_FORMATS)}")
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        if (self.path / "frames.csv").exists():
            raise RecordingError(self.path, "already holds a capture; refusing to overwrite it")
        self.width, self.height, self.pixel_format = width, height, pixel_format
        meta = {"format": FORMAT, "width": width, "height": height,
                "pixel_format": pixel_format, **extra}
        (self.path / "capture.json").write_text(json.dumps(meta, indent=2) + "\n",
                                                encoding="utf-8")
        self._csv = open(self.path / "frames.csv", "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._csv)
        self._writer.writerow(HEADER)
        self._csv.flush()

    def write(self, frame: Frame) -> None:
        image = frame.image
        if image.shape[:2] != (self.height, self.width):
            raise ValueError(f"frame {frame.index} is {image.shape[1]}x{image.shape[0]}, the "
                             f"capture {self.width}x{self.height}")
        if frame.pixel_format != self.pixel_format:
            raise ValueError(f"frame {frame.index} is {frame.pixel_format}, the capture "
                             f"{self.pixel_format}")
        name = f"{frame.index:06d}.png"
        if not cv2.imwrite(str(self.path / name), image):
            raise RecordingError(self.path / name, "could not be written")
        self._writer.writerow([frame.index, name, f"{frame.timestamp_s:.6f}",
                               f"{frame.exposure_us:g}", f"{frame.on_axis:.6g}",
                               f"{frame.off_axis:.6g}"])
        self._csv.flush()

    def close(self) -> None:
        self._csv.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
