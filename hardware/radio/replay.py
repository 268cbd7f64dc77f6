"""The replay radio: a SigMF recording or a raw ``.cu8`` file played back through the radio seam.

``read(n)`` returns exactly the samples the file holds, in order, scaled as every backend scales
them (see ``hardware.radio.sigmf``). A recording holds one band and cannot be retuned: ``tune``
to a frequency inside the recorded band (centre +- sample_rate/2) is accepted and leaves the
samples untouched, reporting how far the asked frequency is from the recorded centre in
``tune_offset_hz``; anything outside the band raises ``TuningError``. At the end of the file
``read`` raises ``RecordingError`` unless the source was opened with ``loop=True``.

Example::

    with ReplaySource("door_hook.sigmf-meta") as radio:
        radio.tune(radio.center_freq_hz)
        iq = radio.read(262_144)
"""

import os
from pathlib import Path

import numpy as np

from hardware.errors import HardwareError, RecordingError, TuningError
from hardware.radio import SampleSource
from hardware.radio.sigmf import DATA_SUFFIX, META_SUFFIX, Recording, read_raw_cu8, read_sigmf


def open_recording(path: str | os.PathLike, sample_rate_hz: float | None = None,
                   center_freq_hz: float | None = None,
                   verify_checksum: bool = True) -> Recording:
    """Open ``path`` as SigMF (by its suffix or a ``.sigmf-meta`` beside it) or as raw cu8.

    For SigMF the rate and frequency come from the metadata; if given, they must agree with
    it. A raw file needs both.
    """
    path = Path(path)
    if path.suffix == ".sigmf":
        raise RecordingError(path, "SigMF archives (.sigmf) are not read directly; extract the "
                                   ".sigmf-meta and .sigmf-data files from it first",
                             code="sigmf_archive")
    is_sigmf = path.suffix in (META_SUFFIX, DATA_SUFFIX) or Path(f"{path}{META_SUFFIX}").exists()
    if not is_sigmf:
        if sample_rate_hz is None or center_freq_hz is None:
            raise RecordingError(path, "a raw cu8 file has no metadata: give its "
                                       "sample_rate_hz and center_freq_hz",
                                 code="raw_needs_rate_and_freq")
        return read_raw_cu8(path, sample_rate_hz, center_freq_hz)
    recording = read_sigmf(path, verify_checksum=verify_checksum)
    _check_agrees(recording, "sample rate", sample_rate_hz, recording.sample_rate_hz,
                  code="metadata_rate_differs")
    _check_agrees(recording, "centre frequency", center_freq_hz, recording.center_freq_hz,
                  code="metadata_freq_differs")
    return recording


def _check_agrees(recording: Recording, name: str, asked, recorded: float, *, code: str) -> None:
    if asked is not None and float(asked) != recorded:
        raise RecordingError(recording.meta_path, f"{name} is {recorded:g} Hz in the metadata, "
                                                  f"not {float(asked):g} Hz as asked",
                             code=code, recorded=f"{recorded:g}", asked=f"{float(asked):g}")


class ReplaySource(SampleSource):
    """A recording behind the ``SampleSource`` seam, read lazily block by block."""

    def __init__(self, path, *, sample_rate_hz: float | None = None,
                 center_freq_hz: float | None = None, loop: bool = False,
                 verify_checksum: bool = True):
        self.recording = open_recording(path, sample_rate_hz, center_freq_hz, verify_checksum)
        self.path = self.recording.meta_path or self.recording.data_path
        self.loop = loop
        self.sample_rate_hz = self.recording.sample_rate_hz
        self.center_freq_hz = self.recording.center_freq_hz
        self.gain_db = self.recording.meta.get("global", {}).get("ansim:gain_db")
        self.tune_offset_hz = 0.0
        self.position = 0
        self._closed = False

    @property
    def samples_left(self) -> int:
        """Samples before the end of the file (reads past it wrap round when looping)."""
        return self.recording.n_samples - self.position

    def tune(self, freq_hz: float) -> None:
        """Accept ``freq_hz`` if the recording's band holds it; the samples stay as recorded."""
        offset_hz = float(freq_hz) - self.center_freq_hz
        if abs(offset_hz) > self.sample_rate_hz / 2:
            low_hz = self.center_freq_hz - self.sample_rate_hz / 2
            high_hz = self.center_freq_hz + self.sample_rate_hz / 2
            raise TuningError(f"{self.path}: a recording cannot be retuned: it holds "
                              f"{low_hz:,.0f}-{high_hz:,.0f} Hz, and {float(freq_hz):,.0f} Hz "
                              f"is outside that band")
        self.tune_offset_hz = offset_hz

    def set_sample_rate(self, rate_hz: float) -> None:
        if float(rate_hz) != self.sample_rate_hz:
            raise TuningError(f"{self.path}: recorded at {self.sample_rate_hz:g} Hz; a "
                              f"recording cannot be resampled to {float(rate_hz):g} Hz")

    def set_gain(self, gain_db: float | None) -> None:
        """Ignored: the gain was fixed when the recording was made (``gain_db`` reports it)."""

    def read(self, n_samples: int) -> np.ndarray:
        """The next ``n_samples`` of the file, in order (wrapping round when looping)."""
        if self._closed:
            raise HardwareError(f"{self.path}: read after close")
        if n_samples <= 0:
            raise ValueError(f"n_samples must be positive, not {n_samples}")
        if not self.loop and n_samples > self.samples_left:
            raise RecordingError(self.path, f"end of recording: {n_samples} samples asked at "
                                            f"sample {self.position}, only {self.samples_left} "
                                            f"left of {self.recording.n_samples}",
                                 code="end_of_recording", asked=n_samples,
                                 position=self.position, left=self.samples_left)
        parts = []
        needed = n_samples
        while needed:
            block = self.recording.block(self.position, needed)
            parts.append(block)
            needed -= block.size
            self.position += block.size
            if self.loop and self.position == self.recording.n_samples:
                self.position = 0
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def close(self) -> None:
        self._closed = True
        self.recording.__dict__.pop("_components", None)  # drop the memory map
