"""SigMF recordings and raw ``.cu8`` files: the radio's replayable evidence format.

A SigMF recording is two files: ``NAME.sigmf-meta`` (JSON: ``global``, ``captures``,
``annotations``) and ``NAME.sigmf-data`` (the samples, interleaved I/Q, no header). A raw
``.cu8`` file is what ``rtl_sdr`` writes: the same bytes as a ``cu8`` dataset, with no metadata,
so its sample rate and centre frequency must be given.

Sample scaling (the same for every ansim radio backend, so ``rf`` never needs to know where the
samples came from):

- ``cu8`` (the RTL-SDR's native bytes): b -> (b - 127.5) / 127.5, as pyrtlsdr and librtlsdr's
  own tools do, so 0 and 255 map to -1 and +1 symmetrically. Writing inverts it with rounding
  and clipping, so reading a cu8 file and writing it back gives the same bytes.
  (sigmf-python's autoscale uses (b - 128) / 128 instead; the bytes on disk are identical.)
- ``ci16_le``: v -> v / 32768, as sigmf-python does.
- ``cf32_le``: stored as is.

Reading memory-maps the data file: ``Recording.block(start, n)`` converts only the samples
asked for, so a recording of several gigabytes costs nothing until it is read.

Example::

    meta_path, data_path = write_sigmf("cap", iq, 2.4e6, 1.2e9, description="door hook")
    recording = read_sigmf(meta_path)
    first = recording.block(0, 1024)
"""

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import numpy as np

from hardware.errors import RecordingError, json_error, os_reason

SIGMF_VERSION = "1.2.6"
META_SUFFIX = ".sigmf-meta"
DATA_SUFFIX = ".sigmf-data"
DEFAULT_HW = "RTL-SDR (RTL2832U)"
DEFAULT_AUTHOR = "ansim"
# Bounds on what a recording may claim, so a hostile metadata file gets an error rather than a
# float overflow downstream. 100 GHz is far above anything an RTL-SDR reaches even behind a
# downconverter; 1 GHz of sample rate is far above any SDR ansim could replay from, and below
# 1 kHz a recording holds no radio signal ansim looks for (its durations would overflow).
MAX_FREQ_HZ = 100e9
MIN_SAMPLE_RATE_HZ = 1e3
MAX_SAMPLE_RATE_HZ = 1e9
# A SigMF metadata file is a few kilobytes; one with thousands of annotations is still far
# below this, and reading it whole stays cheap.
MAX_META_BYTES = 16 << 20


@dataclass(frozen=True)
class Datatype:
    """How one SigMF datatype sits on disk and maps to complex64 in [-1, 1]."""

    name: str
    component: np.dtype  # one I or Q value
    offset: float  # subtracted from each component before scaling
    scale: float  # divides each component after the offset
    low: float  # the smallest storable component
    high: float  # the largest storable component

    @property
    def bytes_per_sample(self) -> int:
        return 2 * self.component.itemsize

    def to_complex(self, components: np.ndarray) -> np.ndarray:
        """Interleaved raw components -> complex64 samples."""
        values = components.astype(np.float32)
        if self.offset or self.scale != 1.0:
            values = (values - np.float32(self.offset)) / np.float32(self.scale)
        return values.view(np.complex64)

    def from_complex(self, samples: np.ndarray) -> np.ndarray:
        """complex samples -> interleaved raw components, rounded and clipped for integers."""
        values = np.ascontiguousarray(samples, dtype=np.complex128).view(np.float64)
        if self.component.kind == "f":
            return values.astype(self.component)
        stored = np.rint(values * self.scale + self.offset)
        return np.clip(stored, self.low, self.high).astype(self.component)


DATATYPES = {
    "cu8": Datatype("cu8", np.dtype("u1"), 127.5, 127.5, 0, 255),
    "ci16_le": Datatype("ci16_le", np.dtype("<i2"), 0.0, 32768.0, -32768, 32767),
    "cf32_le": Datatype("cf32_le", np.dtype("<f4"), 0.0, 1.0, -np.inf, np.inf),
}


@dataclass
class Recording:
    """One recording: where its samples are, how to read them, and what was recorded.

    ``samples`` converts the whole recording (fine for short captures); ``block`` converts only
    a slice, which is what replay uses for long ones.
    """

    data_path: Path
    sample_rate_hz: float
    center_freq_hz: float
    datatype: str
    n_samples: int
    meta: dict = field(default_factory=dict)
    meta_path: Path | None = None

    @cached_property
    def _components(self) -> np.ndarray:
        dtype = DATATYPES[self.datatype]
        return np.memmap(self.data_path, dtype=dtype.component, mode="r",
                         shape=(2 * self.n_samples,))

    def block(self, start: int, count: int) -> np.ndarray:
        """Samples ``start`` .. ``start + count`` (fewer at the end) as complex64."""
        if start < 0 or count < 0:
            raise ValueError(f"block({start}, {count}): start and count must be >= 0")
        stop = min(start + count, self.n_samples)
        raw = self._components[2 * start : 2 * max(stop, start)]
        return DATATYPES[self.datatype].to_complex(np.asarray(raw))

    @property
    def samples(self) -> np.ndarray:
        """Every sample of the recording as complex64."""
        return self.block(0, self.n_samples)

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sample_rate_hz

    @property
    def annotations(self) -> list[dict]:
        return list(self.meta.get("annotations", []))


# ---------------------------------------------------------------------------------------------
# Reading


def sigmf_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """The (meta, data) pair for a base name or either file of a recording."""
    path = Path(path)
    if path.suffix in (META_SUFFIX, DATA_SUFFIX):
        path = path.with_suffix("")
    return Path(f"{path}{META_SUFFIX}"), Path(f"{path}{DATA_SUFFIX}")


def read_sigmf(path: str | os.PathLike, *, verify_checksum: bool = True) -> Recording:
    """Open a SigMF recording (give the base name, the ``.sigmf-meta`` or the ``.sigmf-data``).

    Raises ``RecordingError`` naming the file and the problem for anything ansim cannot replay
    faithfully: a missing file, bad JSON, a datatype or version it does not support, a data
    file that is not a whole number of samples, no samples at all, a missing capture frequency,
    or (when ``verify_checksum``) a ``core:sha512`` that does not match the data.
    """
    meta_path, data_path = sigmf_paths(path)
    meta = _load_meta(meta_path)
    global_ = meta["global"]
    _check_annotations(meta_path, meta.get("annotations", []))
    datatype = _check_datatype(meta_path, global_)
    _check_version(meta_path, global_)
    _check_single_channel(meta_path, global_)
    sample_rate_hz = _check_sample_rate(meta_path, global_.get("core:sample_rate"))
    center_freq_hz = _capture_frequency(meta_path, meta.get("captures"))
    n_samples = _count_samples(data_path, datatype)
    if verify_checksum and "core:sha512" in global_:
        _check_sha512(data_path, global_["core:sha512"])
    return Recording(data_path=data_path, sample_rate_hz=sample_rate_hz,
                     center_freq_hz=center_freq_hz, datatype=datatype, n_samples=n_samples,
                     meta=meta, meta_path=meta_path)


def read_raw_cu8(path: str | os.PathLike, sample_rate_hz: float,
                 center_freq_hz: float) -> Recording:
    """Open a headerless ``rtl_sdr``-style ``.cu8`` file recorded at the given rate and frequency."""
    path = Path(path)
    sample_rate_hz = _check_sample_rate(path, sample_rate_hz)
    if not _is_number(center_freq_hz) or not 0 <= center_freq_hz <= MAX_FREQ_HZ:
        raise RecordingError(path, f"a raw cu8 file needs its centre frequency in Hz "
                                   f"(0 to {MAX_FREQ_HZ:g}), not {center_freq_hz!r}",
                             code="frequency_range", field="center_freq_hz", high=f"{MAX_FREQ_HZ:g}",
                             value=_short(center_freq_hz))
    n_samples = _count_samples(path, "cu8")
    return Recording(data_path=path, sample_rate_hz=float(sample_rate_hz),
                     center_freq_hz=float(center_freq_hz), datatype="cu8", n_samples=n_samples)


def _load_meta(meta_path: Path) -> dict:
    try:
        if meta_path.stat().st_size > MAX_META_BYTES:
            raise RecordingError(meta_path, f"metadata larger than {MAX_META_BYTES} bytes",
                                 code="too_large", limit=MAX_META_BYTES)
        text = meta_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordingError(meta_path, "metadata file is missing", code="missing") from None
    except UnicodeDecodeError:
        raise RecordingError(meta_path, "metadata is not UTF-8 text", code="not_utf8") from None
    except OSError as exc:
        raise RecordingError(meta_path, f"cannot read metadata: {exc}", code="unreadable",
                             reason=os_reason(exc)) from None
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and integers of more digits than Python converts;
        # RecursionError is nesting deeper than the decoder's stack.
        raise json_error(meta_path, exc) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("global"), dict):
        raise RecordingError(meta_path, 'not SigMF metadata: no "global" object',
                             code="not_sigmf")
    return meta


def _check_datatype(meta_path: Path, global_: dict) -> str:
    datatype = global_.get("core:datatype")
    if datatype is None:
        raise RecordingError(meta_path, "core:datatype is missing", code="field_missing",
                             field="core:datatype")
    if not isinstance(datatype, str) or datatype not in DATATYPES:
        raise RecordingError(meta_path, f"unsupported core:datatype {_short(datatype)} "
                                        f"(ansim reads {', '.join(DATATYPES)})",
                             code="unsupported_datatype", value=_short(datatype),
                             supported=" ".join(DATATYPES))
    return datatype


def _check_version(meta_path: Path, global_: dict) -> None:
    version = global_.get("core:version")
    if version is None:
        raise RecordingError(meta_path, "core:version is missing", code="field_missing",
                             field="core:version")
    if not isinstance(version, str) or not re.fullmatch(r"1\.\d+\.\d+", version):
        raise RecordingError(meta_path, f"unsupported core:version {_short(version)} "
                                        f"(ansim reads SigMF 1.x.y)",
                             code="unsupported_version", value=_short(version))


def _check_single_channel(meta_path: Path, global_: dict) -> None:
    channels = global_.get("core:num_channels", 1)
    if channels != 1:
        raise RecordingError(meta_path, f"core:num_channels is {_short(channels)}; ansim "
                                        f"replays single-channel recordings only",
                             code="several_channels", value=_short(channels))


def _check_sample_rate(path: Path, rate) -> float:
    if rate is None:
        raise RecordingError(path, "core:sample_rate is missing", code="field_missing",
                             field="core:sample_rate")
    if not _is_number(rate) or not MIN_SAMPLE_RATE_HZ <= rate <= MAX_SAMPLE_RATE_HZ:
        raise RecordingError(path, f"sample rate must be {MIN_SAMPLE_RATE_HZ:g} to "
                                   f"{MAX_SAMPLE_RATE_HZ:g} Hz, not {_short(rate)}",
                             code="sample_rate_range", low=f"{MIN_SAMPLE_RATE_HZ:g}",
                             high=f"{MAX_SAMPLE_RATE_HZ:g}", value=_short(rate))
    return float(rate)


def _capture_frequency(meta_path: Path, captures) -> float:
    """The centre frequency of the recording; every capture segment must share it."""
    if not isinstance(captures, list) or not captures:
        raise RecordingError(meta_path, "no captures: the centre frequency is unknown",
                             code="no_captures")
    frequencies = set()
    for i, capture in enumerate(captures):
        freq_hz = capture.get("core:frequency") if isinstance(capture, dict) else None
        if freq_hz is None:
            raise RecordingError(meta_path, f"captures[{i}]: core:frequency is missing",
                                 code="field_missing", field=f"captures[{i}].core:frequency")
        if not _is_number(freq_hz) or not 0 <= freq_hz <= MAX_FREQ_HZ:
            raise RecordingError(meta_path, f"captures[{i}]: core:frequency must be a "
                                            f"frequency in Hz (0 to {MAX_FREQ_HZ:g}), "
                                            f"not {_short(freq_hz)}",
                                 code="frequency_range", field=f"captures[{i}].core:frequency",
                                 high=f"{MAX_FREQ_HZ:g}", value=_short(freq_hz))
        frequencies.add(float(freq_hz))
    if len(frequencies) > 1:
        listed = " ".join(f"{f:g}" for f in sorted(frequencies))
        raise RecordingError(meta_path, f"captures at several frequencies ({listed} Hz) "
                                        f"cannot be replayed as one source",
                             code="several_frequencies", frequencies=listed)
    return frequencies.pop()


def _check_annotations(meta_path: Path, annotations) -> None:
    if not isinstance(annotations, list) or not all(isinstance(a, dict) for a in annotations):
        raise RecordingError(meta_path, "annotations must be a list of objects",
                             code="annotations_not_objects")


def _count_samples(data_path: Path, datatype: str) -> int:
    try:
        size = data_path.stat().st_size
    except FileNotFoundError:
        raise RecordingError(data_path, "data file is missing", code="missing") from None
    bytes_per_sample = DATATYPES[datatype].bytes_per_sample
    if size % bytes_per_sample:
        raise RecordingError(data_path, f"truncated: {size} bytes is not a whole number of "
                                        f"{datatype} samples ({bytes_per_sample} bytes each)",
                             code="partial_sample", size=size, datatype=datatype,
                             sample_bytes=bytes_per_sample)
    if size == 0:
        raise RecordingError(data_path, "holds zero samples", code="no_samples")
    return size // bytes_per_sample


def _check_sha512(data_path: Path, expected: str) -> None:
    if _sha512(data_path) != str(expected).lower():
        raise RecordingError(data_path, "core:sha512 does not match the data: the file was "
                                        "changed or damaged after recording",
                             code="checksum_mismatch")


def _sha512(path: Path) -> str:
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_number(value) -> bool:
    """A finite int or float (JSON allows integers of any size; those beyond a float are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _short(value) -> str:
    """``repr`` cut short, so an error about a 400-digit number stays one line."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


# ---------------------------------------------------------------------------------------------
# Writing


def write_sigmf(
    base_path: str | os.PathLike,
    samples: np.ndarray,
    sample_rate_hz: float,
    center_freq_hz: float,
    datatype: str = "cu8",
    *,
    description: str = "",
    hw: str = DEFAULT_HW,
    author: str = DEFAULT_AUTHOR,
    datetime_utc: datetime | None = None,
    annotations: list[dict] | None = None,
    extra_global: dict | None = None,
) -> tuple[Path, Path]:
    """Write ``samples`` (complex, scaled to [-1, 1]) as a SigMF recording; return (meta, data).

    Integer datatypes are quantised with rounding and clipped at full scale. The metadata holds
    the datatype, rate, SigMF version, hardware, author, description, a ``core:sha512`` of the
    data, one capture (frequency and start time) and any ``annotations`` (SigMF annotation
    objects). ``extra_global`` adds keys to ``global`` (e.g. ``{"ansim:gain_db": 40.2}``).
    An existing recording of the same name is refused, never overwritten: evidence is kept.
    """
    if datatype not in DATATYPES:
        raise ValueError(f"datatype must be one of {list(DATATYPES)}, not {datatype!r}")
    if not _is_number(sample_rate_hz) or sample_rate_hz <= 0:
        raise ValueError(f"sample_rate_hz must be positive, not {sample_rate_hz!r}")
    samples = np.asarray(samples).ravel()
    if samples.size == 0:
        raise ValueError("refusing to write a recording with zero samples")
    meta_path, data_path = sigmf_paths(base_path)
    for path in (meta_path, data_path):
        if path.exists():
            raise FileExistsError(f"{path}: already exists; recordings are never overwritten")
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_bytes(DATATYPES[datatype].from_complex(samples).tobytes())
    when = (datetime_utc or datetime.now(timezone.utc)).astimezone(timezone.utc)
    meta = {
        "global": {
            "core:datatype": datatype,
            "core:sample_rate": float(sample_rate_hz),
            "core:version": SIGMF_VERSION,
            "core:num_channels": 1,
            "core:sha512": _sha512(data_path),
            "core:hw": hw,
            "core:author": author,
            "core:recorder": "ansim",
            "core:description": description,
            **(extra_global or {}),
        },
        "captures": [{
            "core:sample_start": 0,
            "core:frequency": float(center_freq_hz),
            "core:datetime": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }],
        "annotations": list(annotations or []),
    }
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta_path, data_path
