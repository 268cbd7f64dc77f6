"""rtl_power CSV in (and soapy_power's variant), spectrum CSV and JSON out.

An rtl_power row is ``date, time, Hz low, Hz high, Hz step, samples, dB, dB, ...``. rtl_power
writes one more dB value than there are bins ((high - low) / step): its last value is the first
bin of the next row, and is dropped. soapy_power writes exactly one value per bin. Rows sharing a
timestamp form one sweep; a sweep cut short (the tool stopped mid-sweep) is left out.

Example::

    spectrum = read_rtl_power_csv("site.csv")
    Path("site.json").write_text(spectrum_json_text(spectrum))
"""

import csv
import errno
import io
import json
from pathlib import Path

import numpy as np

from rf.errors import ProblemError
from rf.spectrum import Spectrum, combine_sweeps

_FIXED_COLUMNS = 6
# rtl_power rows hold at most a few thousand bins (its FFT is at most 2^21 points but it splits
# a range into hops); a row claiming more is malformed, and counting on it would allocate
# absurdly before the value count is even compared.
MAX_BINS_PER_ROW = 1 << 21
MAX_FREQ_HZ = 100e9  # far above any RTL-SDR, even behind a downconverter
MAX_ABS_DB = 500.0  # dB relative to full scale; anything beyond is not a measurement


class RtlPowerError(ProblemError):
    """A malformed rtl_power CSV, naming the file, the line and the problem."""

    def __init__(self, path, line: int, problem: str, *, code: str, **params):
        super().__init__(problem, code=code, where=f"{path}:{line}", **params)


def read_rtl_power_csv(path) -> Spectrum:
    """The spectrum of an rtl_power or soapy_power CSV file, over all its complete sweeps."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RtlPowerError(path, 1, "not a text file", code="not_utf8") from None
    except OSError as exc:
        raise RtlPowerError(path, 1, f"cannot read: {exc.strerror}", code="unreadable",
                            reason=errno.errorcode.get(exc.errno, "EIO")) from None
    sweeps: dict[str, list] = {}
    reader = csv.reader(io.StringIO(text))
    try:
        for line_no, row in enumerate(reader, start=1):
            if not row or not "".join(row).strip():
                continue
            stamp, low_hz, step_hz, values = _parse_row(path, line_no, row)
            sweeps.setdefault(stamp, []).append((low_hz, step_hz, values))
    except csv.Error as exc:  # a NUL byte, a field beyond the csv module's limit
        raise RtlPowerError(path, reader.line_num, f"not CSV: {exc}", code="not_csv") from None
    if not sweeps:
        raise RtlPowerError(path, 1, "no data rows", code="no_rows")
    stitched = [_stitch(rows) for rows in sweeps.values()]
    complete = [s for s in stitched if len(s[0]) == len(stitched[0][0])
                and np.allclose(s[0], stitched[0][0])]
    return combine_sweeps(complete)


def _parse_row(path, line_no, row):
    cells = [c.strip() for c in row]
    if len(cells) < _FIXED_COLUMNS + 1:
        raise RtlPowerError(path, line_no, f"{len(cells)} columns; expected date, time, Hz low, "
                                           "Hz high, Hz step, samples and dB values",
                            code="rtl_power_columns", count=len(cells))
    try:
        low_hz, high_hz, step_hz = (float(c) for c in cells[2:5])
        values = np.array([float(c) for c in cells[_FIXED_COLUMNS:]], dtype=np.float64)
    except ValueError as exc:
        raise RtlPowerError(path, line_no, f"not a number: {exc}", code="rtl_power_number") from None
    if not all(0 <= f <= MAX_FREQ_HZ for f in (low_hz, high_hz, step_hz)):
        raise RtlPowerError(path, line_no, f"frequencies must be finite, from 0 to "
                                           f"{MAX_FREQ_HZ:g} Hz", code="rtl_power_frequency",
                            high=f"{MAX_FREQ_HZ:g}")
    if step_hz <= 0 or high_hz <= low_hz:
        raise RtlPowerError(path, line_no, f"bad range {low_hz:g}-{high_hz:g} Hz, step "
                                           f"{step_hz:g}", code="rtl_power_range",
                            low=f"{low_hz:g}", high=f"{high_hz:g}", step=f"{step_hz:g}")
    span_bins = (high_hz - low_hz) / step_hz  # infinite for a subnormal step
    if not 0.5 <= span_bins < MAX_BINS_PER_ROW + 0.5:
        raise RtlPowerError(path, line_no, f"{low_hz:g}-{high_hz:g} Hz in steps of {step_hz:g} "
                                           f"is {span_bins:g} bins; a row holds 1 to "
                                           f"{MAX_BINS_PER_ROW}", code="rtl_power_bins",
                            bins=f"{span_bins:g}", limit=MAX_BINS_PER_ROW)
    bins = round(span_bins)
    if len(values) == bins + 1:  # rtl_power: the last value is the next row's first bin
        values = values[:-1]
    elif len(values) != bins:
        raise RtlPowerError(path, line_no, f"{len(values)} dB values for {bins} bins "
                                           f"(rtl_power writes {bins + 1}, soapy_power {bins})",
                            code="rtl_power_values", count=len(values), bins=bins)
    if not np.all(np.abs(values) <= MAX_ABS_DB):  # also refuses NaN and infinities
        raise RtlPowerError(path, line_no, f"dB values must be finite, within "
                                           f"±{MAX_ABS_DB:g} dB", code="rtl_power_db",
                            limit=f"{MAX_ABS_DB:g}")
    return f"{cells[0]} {cells[1]}", low_hz, step_hz, values.astype(np.float32)


def _stitch(rows):
    rows = sorted(rows, key=lambda r: r[0])
    freqs_hz = np.concatenate([low + step * np.arange(len(v)) for low, step, v in rows])
    power_db = np.concatenate([v for _, _, v in rows])
    variation = np.ones(len(power_db), dtype=np.float32)  # rtl_power keeps only the mean
    return freqs_hz, power_db, variation, np.zeros(len(power_db), dtype=np.float32)


_EXPORT_COLUMNS = ("freq_hz", "power_db", "noise_floor_db", "threshold_db", "max_hold_db",
                   "occupancy")
_FIELDS = {"freq_hz": "freqs_hz"}  # the column is one frequency; the Spectrum field holds all


def spectrum_csv_text(spectrum: Spectrum) -> str:
    """The spectrum as CSV: a header row, then one row per bin."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_EXPORT_COLUMNS)
    columns = [_column(spectrum, c) for c in _EXPORT_COLUMNS]
    for row in zip(*columns):
        writer.writerow([f"{row[0]:.0f}"] + [f"{v:.2f}" if c != "occupancy" else f"{v:.3f}"
                                             for c, v in zip(_EXPORT_COLUMNS[1:], row[1:])])
    return out.getvalue()


def spectrum_json_text(spectrum: Spectrum) -> str:
    """The spectrum as one JSON object of equal-length arrays, plus the sweep count."""
    data = {c: np.round(_column(spectrum, c), 3).tolist() for c in _EXPORT_COLUMNS}
    data["n_sweeps"] = spectrum.n_sweeps
    return json.dumps(data)


def _column(spectrum: Spectrum, name: str) -> np.ndarray:
    return np.asarray(getattr(spectrum, _FIELDS.get(name, name)), dtype=np.float64)
