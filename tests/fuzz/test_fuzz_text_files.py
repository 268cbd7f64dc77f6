"""Fuzzing the text formats people bring to ansim: rtl_power CSV, the sites CSV and the device
profile (TOML). Only a result or the format's own error is acceptable."""

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from detector.appliance.profile import DEFAULT_PROFILE_PATH, ProfileError, load_profile
from detector.engine.sites import SiteImportError, parse_sites, read_sites_csv
from rf.rtlpower import RtlPowerError, read_rtl_power_csv
from rf.spectrum import SpectrumError
from tests.fuzz.strategies import HOSTILE_NUMBERS, HOSTILE_TEXT

_CELLS = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBERS.map(repr), st.sampled_from(
    ["2026-05-09", "07:35:25", "24000000", "25000000", "1000000", "2", "-40.5", "inf", "nan",
     "1e400", "²"]))


@st.composite
def rtl_power_rows(draw):
    """rows that look like rtl_power's, with hostile cells anywhere."""
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        low = draw(HOSTILE_NUMBERS | st.sampled_from([24e6, 25e6]))
        high = draw(HOSTILE_NUMBERS | st.sampled_from([25e6, 26e6]))
        step = draw(HOSTILE_NUMBERS | st.sampled_from([1e5, 2.5e5, 1e6]))
        values = draw(st.lists(HOSTILE_NUMBERS | st.floats(-120, 20), max_size=12))
        stamp = draw(st.sampled_from(["07:35:25", "07:35:26"]))
        cells = ["2026-05-09", stamp, repr(low), repr(high), repr(step), "2",
                 *(repr(v) for v in values)]
        if draw(st.booleans()):
            cells[draw(st.integers(0, len(cells) - 1))] = draw(_CELLS)
        rows.append(", ".join(cells))
    return "\n".join(rows)


@given(text=rtl_power_rows() | st.text(max_size=300))
def test_rtl_power_csv_gives_a_spectrum_or_its_own_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.csv"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            spectrum = read_rtl_power_csv(path)
        except (RtlPowerError, SpectrumError):
            return
        assert len(spectrum.freqs_hz) == len(spectrum.power_db) > 0
        assert np.all(np.isfinite(spectrum.freqs_hz))


@st.composite
def sites_csv(draw):
    columns = draw(st.lists(st.sampled_from(
        ["id", "name", "address", "lat", "lon", "stalls", "risk", "schedule"]) | HOSTILE_TEXT,
        min_size=1, max_size=9))
    rows = [",".join(columns)]
    for _ in range(draw(st.integers(0, 5))):
        rows.append(",".join(draw(_CELLS).replace("\n", " ") for _ in columns))
    return "\n".join(rows)


@given(text=sites_csv() | st.text(max_size=300))
def test_sites_csv_text_gives_sites_or_a_site_import_error(text):
    try:
        sites = parse_sites(text)
    except SiteImportError:
        return
    for site in sites:
        assert site.id and site.name
        assert site.stalls is None or 1 <= site.stalls <= 50


@given(raw=st.binary(max_size=300))
def test_sites_csv_bytes_give_sites_or_a_site_import_error(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sites.csv"
        path.write_bytes(raw)
        try:
            read_sites_csv(path)
        except SiteImportError:
            return


_DEFAULT_LINES = DEFAULT_PROFILE_PATH.read_text(encoding="utf-8").splitlines()
_TOML_VALUES = st.one_of(
    st.sampled_from(['"auto"', "inf", "-inf", "nan", "1e308", "0", "-1", "true", "[]",
                     '["video_900"]', '"\\u0000"', '"ko"', '""', "9" * 400, "2_400_000",
                     '"/tmp/x"', "{}", "[" * 400 + "]" * 400]),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


@st.composite
def profile_text(draw):
    """The shipped profile with a few values replaced, lines dropped or tables added."""
    lines = list(_DEFAULT_LINES)
    if draw(st.booleans()):
        lines += ["[handheld]", 'site_id = "jongno-001"', 'inspector = "Kim"']
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(lines) - 1))
        line = lines[k]
        if "=" in line and draw(st.booleans()):
            lines[k] = f"{line.split('=', 1)[0]}= {draw(_TOML_VALUES)}"
        elif draw(st.booleans()):
            del lines[k]
        else:
            lines[k] = draw(HOSTILE_TEXT).replace("\n", " ")
    return "\n".join(lines)


@given(text=profile_text() | st.text(max_size=200))
def test_device_profile_gives_a_profile_or_a_profile_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            profile = load_profile(path)
        except ProfileError:
            return
        assert 0 < profile.camera.width <= 8192 and 0 < profile.camera.fps <= 240
        assert np.isfinite(profile.camera.exposure_us)
