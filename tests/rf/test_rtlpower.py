"""rtl_power CSV (with its N+1 quirk) and soapy_power's variant in; spectrum CSV/JSON out."""

import csv
import io
import json

import numpy as np
import pytest

from rf.emitters import find_emitters
from rf.rtlpower import (
    RtlPowerError,
    read_rtl_power_csv,
    spectrum_csv_text,
    spectrum_json_text,
)

LOW_HZ, STEP_HZ, BINS, ROWS = 430_000_000, 10_000, 100, 3


def _csv(path, *, quirk: bool, sweeps=2, carrier_hz=431_500_000, rng=None):
    rng = rng or np.random.default_rng(3)
    lines = []
    for s in range(sweeps):
        for r in range(ROWS):
            low = LOW_HZ + r * BINS * STEP_HZ
            freqs = low + STEP_HZ * np.arange(BINS + (1 if quirk else 0))
            db = -60 + rng.normal(0, 0.3, len(freqs))
            db[np.abs(freqs - carrier_hz) < STEP_HZ / 2] = -20
            lines.append(f"2026-01-0{s + 1}, 10:00:0{s}, {low}, {low + BINS * STEP_HZ}, "
                         f"{STEP_HZ:.2f}, 4096, " + ", ".join(f"{v:.2f}" for v in db))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("quirk", [True, False], ids=["rtl_power", "soapy_power"])
def test_both_variants_read_to_the_same_grid_and_find_the_carrier(tmp_path, quirk):
    spectrum = read_rtl_power_csv(_csv(tmp_path / "scan.csv", quirk=quirk))
    assert len(spectrum.freqs_hz) == ROWS * BINS
    assert np.allclose(np.diff(spectrum.freqs_hz), STEP_HZ)
    assert spectrum.n_sweeps == 2
    emitters = find_emitters(spectrum)
    assert [round(e.peak_freq_hz) for e in emitters] == [431_500_000]
    assert abs(np.median(spectrum.noise_floor_db) + 60) < 0.5


def test_a_sweep_cut_short_is_left_out(tmp_path):
    path = _csv(tmp_path / "scan.csv", quirk=True, sweeps=2)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # the second sweep lost its last row
    assert read_rtl_power_csv(path).n_sweeps == 1


@pytest.mark.parametrize("mangle, problem", [
    (lambda row: row[:5], "columns"),
    (lambda row: row[:6] + ["-50.0"] * 7, "7 dB values for 100 bins"),
    (lambda row: row[:2] + ["x"] + row[3:], "not a number"),
    (lambda row: row[:4] + ["0"] + row[5:], "bad range"),
    (lambda row: row[:7] + ["nan"] + row[8:], "finite"),
])
def test_malformed_rows_name_the_file_and_line(tmp_path, mangle, problem):
    path = _csv(tmp_path / "bad.csv", quirk=True)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[3] = mangle([c.strip() for c in rows[3]])
    path.write_text("\n".join(", ".join(r) for r in rows) + "\n")
    with pytest.raises(RtlPowerError, match=rf"bad\.csv:4: .*{problem}"):
        read_rtl_power_csv(path)


def test_empty_and_binary_files_are_refused(tmp_path):
    (tmp_path / "empty.csv").write_text("\n")
    with pytest.raises(RtlPowerError, match="empty.csv:1: no data rows"):
        read_rtl_power_csv(tmp_path / "empty.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(RtlPowerError, match="bin.csv:1"):
        read_rtl_power_csv(tmp_path / "bin.csv")


def test_export_round_trips_the_values(tmp_path):
    spectrum = read_rtl_power_csv(_csv(tmp_path / "scan.csv", quirk=True))
    rows = list(csv.DictReader(io.StringIO(spectrum_csv_text(spectrum))))
    assert len(rows) == len(spectrum.freqs_hz)
    i = int(np.argmax(spectrum.power_db))
    assert float(rows[i]["freq_hz"]) == spectrum.freqs_hz[i]
    assert float(rows[i]["power_db"]) == pytest.approx(spectrum.power_db[i], abs=0.01)
    data = json.loads(spectrum_json_text(spectrum))
    assert data["n_sweeps"] == 2
    assert len(data["max_hold_db"]) == len(spectrum.freqs_hz)
    assert data["occupancy"][i] == 1.0
