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
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from hardware.camera import Camera, Frame
from hardware.camera.sensor_noise import SensorNoise
from hardware.errors import RecordingError, json_error, os_reason

FORMAT = "ansim-capture/1"
HEADER = ["index", "file", "timestamp_s", "exposure_us", "on_axis", "off_axis"]
PIXEL_FORMATS = {"gray8": 1, "bgr8": 3}
# Bounds checked before anything is decoded, so a small hostile directory cannot make ansim
# allocate gigabytes (a 24 KB PNG can claim 50000 x 50000 pixels). The largest Pi camera
# sensor is 4608 x 2592; a scan is a few hundred frames; 1 GiB of decoded frames is more than
# a handheld holds for one scan. Reasons and figures in docs/capture-format.md.
MAX_SIDE_PX = 8192
MAX_FRAMES = 20_000
MAX_DECODED_BYTES = 1 << 30
MAX_META_BYTES = 1 << 20
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
        raise RecordingError(path, "not a capture directory", code="not_capture_dir")
    meta = _read_meta(meta_path)
    for key in ("width", "height"):
        value = meta.get(key)
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 0 < value <= MAX_SIDE_PX:
            raise RecordingError(meta_path, f"{key!r} must be a whole number of pixels from 1 "
                                            f"to {MAX_SIDE_PX}",
                                 code="side_px", field=key, high=MAX_SIDE_PX)
    pixel_format = meta.get("pixel_format")
    if not isinstance(pixel_format, str) or pixel_format not in PIXEL_FORMATS:
        raise RecordingError(meta_path, f"pixel_format {str(pixel_format)[:40]!r} is not "
                                        f"one of {sorted(PIXEL_FORMATS)}",
                             code="pixel_format", value=str(pixel_format)[:40],
                             supported=" ".join(sorted(PIXEL_FORMATS)))
    noise = None
    if "sensor_noise" in meta:
        try:
            noise = SensorNoise.from_json(meta["sensor_noise"])
        except ValueError as exc:
            raise RecordingError(meta_path, str(exc), code="sensor_noise") from None
    video = meta.get("video")
    if video is not None and not _is_plain_name(video):
        raise RecordingError(meta_path, "video must be the name of a file in the directory",
                             code="not_a_plain_name", field="video")
    rows = _read_rows(path / "frames.csv")
    frame_bytes = meta["width"] * meta["height"] * PIXEL_FORMATS[pixel_format]
    if frame_bytes * len(rows) > MAX_DECODED_BYTES:
        raise RecordingError(path, f"{len(rows)} frames of {meta['width']}x{meta['height']} "
                                   f"would take more than {MAX_DECODED_BYTES >> 20} MiB",
                             code="too_many_pixels", frames=len(rows), width=meta["width"],
                             height=meta["height"], limit_mib=MAX_DECODED_BYTES >> 20)
    for row in rows:
        if not row.file and not video:
            raise RecordingError(path / "frames.csv",
                                 f"frame {row.index} names no file and capture.json no video",
                                 code="frame_without_image", index=row.index)
    return CaptureInfo(path, meta["width"], meta["height"], pixel_format, video, rows,
                       noise)


def _read_meta(meta_path: Path) -> dict:
    try:
        if meta_path.stat().st_size > MAX_META_BYTES:
            raise RecordingError(meta_path, f"larger than {MAX_META_BYTES} bytes",
                                 code="too_large", limit=MAX_META_BYTES)
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordingError(meta_path, "missing", code="missing") from None
    except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8, nesting, huge integers
        raise json_error(meta_path, exc) from None
    except OSError as exc:
        raise RecordingError(meta_path, f"cannot read: {exc.strerror}", code="unreadable",
                             reason=os_reason(exc)) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        got = str(meta.get("format") if isinstance(meta, dict) else None)[:40]
        raise RecordingError(meta_path, f"unknown format {got!r}; expected {FORMAT!r}",
                             code="capture_format", value=got, expected=FORMAT)
    return meta


def _is_plain_name(name) -> bool:
    """A file name inside the capture directory: no path, no parent, no control characters."""
    return (isinstance(name, str) and 0 < len(name) <= 255 and name not in (".", "..")
            and "/" not in name and "\\" not in name and name.isprintable())


def _read_rows(csv_path: Path) -> list[FrameRow]:
    try:
        with open(csv_path, newline="", encoding="utf-8") as handle:
            lines = []
            for fields in csv.reader(handle):
                lines.append(fields)
                if len(lines) > MAX_FRAMES + 1:
                    raise RecordingError(csv_path, f"more than {MAX_FRAMES} frames",
                                         code="too_many_frames", limit=MAX_FRAMES)
    except FileNotFoundError:
        raise RecordingError(csv_path, "missing", code="missing") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RecordingError(csv_path, f"not UTF-8 CSV text: {str(exc)[:200]}",
                             code="not_csv") from None
    except OSError as exc:
        raise RecordingError(csv_path, f"cannot read: {exc.strerror}", code="unreadable",
                             reason=os_reason(exc)) from None
    if not lines or [h.strip() for h in lines[0]] != HEADER:
        raise RecordingError(csv_path, f"header must be {','.join(HEADER)}",
                             code="csv_header", header=",".join(HEADER))
    rows = []
    for line_no, fields in enumerate(lines[1:], start=2):
        if not fields:
            continue
        if len(fields) != len(HEADER):
            raise RecordingError(csv_path, f"line {line_no}: {len(fields)} fields, expected "
                                           f"{len(HEADER)}", code="field_count", line=line_no,
                                 count=len(fields), expected=len(HEADER))
        rows.append(_frame_row(csv_path, line_no, fields))
    if not rows:
        raise RecordingError(csv_path, "no frames", code="no_frames")
    return rows


def _frame_row(csv_path: Path, line_no: int, fields: list[str]) -> FrameRow:
    try:
        row = FrameRow(int(fields[0]), fields[1].strip(), float(fields[2]),
                       float(fields[3]), float(fields[4]), float(fields[5]))
    except ValueError as exc:
        raise RecordingError(csv_path, f"line {line_no}: {str(exc)[:200]}",
                             code="not_a_number", line=line_no) from None
    if row.file and not _is_plain_name(row.file):
        raise RecordingError(csv_path, f"line {line_no}: file must be the name of a file in "
                                       "the directory", code="line_not_a_plain_name", line=line_no)
    if not all(math.isfinite(v) for v in (row.timestamp_s, row.exposure_us)):
        raise RecordingError(csv_path, f"line {line_no}: timestamp_s and exposure_us must be "
                                       "finite numbers", code="not_finite", line=line_no)
    if not (0.0 <= row.on_axis <= 1.0 and 0.0 <= row.off_axis <= 1.0):
        raise RecordingError(csv_path, f"line {line_no}: ring fractions must be within 0..1",
                             code="ring_fraction", line=line_no)
    if row.exposure_us <= 0:
        raise RecordingError(csv_path, f"line {line_no}: exposure_us must be positive",
                             code="exposure", line=line_no)
    return row


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
        raise RecordingError(file_path, f"missing (frame {row.index})", code="frame_missing",
                             index=row.index)
    _check_png_size(info, file_path)
    flags = cv2.IMREAD_GRAYSCALE if info.pixel_format == "gray8" else cv2.IMREAD_COLOR
    image = cv2.imread(str(file_path), flags | cv2.IMREAD_ANYDEPTH)
    if image is None:
        raise RecordingError(file_path, "not a readable image (corrupt or not a PNG)",
                             code="not_an_image")
    if image.dtype != np.uint8:
        raise RecordingError(file_path, f"{image.dtype} pixels; {info.pixel_format} is 8-bit",
                             code="pixel_depth", dtype=str(image.dtype),
                             pixel_format=info.pixel_format)
    return _checked(info, image, file_path)


def _check_png_size(info: CaptureInfo, file_path: Path) -> None:
    """Compare the PNG header's size with capture.json before decoding a single pixel."""
    try:
        with open(file_path, "rb") as handle:
            head = handle.read(24)
    except OSError as exc:
        raise RecordingError(file_path, f"cannot read: {exc.strerror}", code="unreadable",
                             reason=os_reason(exc)) from None
    if len(head) < 24 or head[:8] != _PNG_SIGNATURE or head[12:16] != b"IHDR":
        raise RecordingError(file_path, "not a readable image (corrupt or not a PNG)",
                             code="not_an_image")
    width, height = struct.unpack(">II", head[16:24])
    if (width, height) != (info.width, info.height):
        raise RecordingError(file_path, f"{width}x{height} pixels; capture.json says "
                                        f"{info.width}x{info.height}", code="frame_size",
                             width=width, height=height, expected_width=info.width,
                             expected_height=info.height)


def _checked(info, image, file_path) -> np.ndarray:
    height, width = image.shape[:2]
    if (width, height) != (info.width, info.height):
        raise RecordingError(file_path, f"{width}x{height} pixels; capture.json says "
                                        f"{info.width}x{info.height}", code="frame_size",
                             width=width, height=height, expected_width=info.width,
                             expected_height=info.height)
    return image


def _video_images(info: CaptureInfo) -> list[np.ndarray]:
    video_path = info.path / info.video
    if not video_path.is_file():
        raise RecordingError(video_path, "missing", code="missing")
    capture = cv2.VideoCapture(str(video_path))
    images = []
    try:
        size = (capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if not capture.isOpened() or size != (info.width, info.height):
            raise RecordingError(video_path, f"not a readable video of {info.width}x"
                                             f"{info.height} frames", code="not_a_video",
                                 width=info.width, height=info.height)
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
                                         f"{len(info.rows)}", code="video_frames",
                             count=len(images), listed=len(info.rows))
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
            raise RecordingError(self.path, f"end of capture after {len(self._frames)} frames",
                                 code="end_of_capture", count=len(self._frames))
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
            raise RecordingError(self.path, "already holds a capture; refusing to overwrite it",
                                 code="capture_exists")
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
            raise RecordingError(self.path / name, "could not be written",
                                 code="not_written")
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
