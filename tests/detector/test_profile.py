from pathlib import Path

import pytest

from detector.appliance.profile import DEFAULT_PROFILE_PATH, ProfileError, load_profile


def _write(tmp_path, text) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return path


def _default_text():
    return DEFAULT_PROFILE_PATH.read_text()


def test_the_shipped_profile_loads():
    profile = load_profile()
    assert profile.radio.sample_rate_hz == 2_400_000
    assert profile.pins.on_axis_ring != profile.pins.off_axis_ring


def test_auto_gain_means_none(tmp_path):
    text = _default_text().replace("gain_db = 40.2", 'gain_db = "auto"')
    assert load_profile(_write(tmp_path, text)).radio.gain_db is None


@pytest.mark.parametrize(
    "old, new, named",
    [
        ("gain_db = 40.2", 'gain_db = "loud"', "radio.gain_db"),
        ("ppm = 0", "ppm = 1000", "radio.ppm"),
        ('region = "KR"', 'region = "XX"', "device.region"),
        ("buzzer = 18", "buzzer = 17", "pins.buzzer"),
        ("width = 1280", "width = -5", "camera.width"),
        ("fps = 30", "fps = true", "camera.fps"),
        ("exposure_us = 8000", "exposure_us = 8000\nshutter = 1", "camera.shutter"),
    ],
)
def test_a_wrong_key_is_named_in_the_error(tmp_path, old, new, named):
    text = _default_text()
    assert old in text
    with pytest.raises(ProfileError, match=named.replace(".", r"\.")):
        load_profile(_write(tmp_path, text.replace(old, new)))


def test_broken_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "[radio\n")
    with pytest.raises(ProfileError, match="not valid TOML") as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "nope.toml")


HANDHELD = '\n[handheld]\nsite_id = "jongno-1"\ninspector = "Kim Inspector"\n'


def test_the_buttons_are_off_without_a_handheld_table():
    assert load_profile().handheld is None


def test_a_handheld_table_says_whose_inspections_the_buttons_start(tmp_path):
    handheld = load_profile(_write(tmp_path, _default_text() + HANDHELD)).handheld
    assert (handheld.site_id, handheld.inspector, handheld.stalls) == (
        "jongno-1", "Kim Inspector", None)
    text = _default_text() + HANDHELD + "stalls = 3\n"
    assert load_profile(_write(tmp_path, text)).handheld.stalls == 3


@pytest.mark.parametrize(
    "table, named",
    [
        ('[handheld]\ninspector = "Kim"\n', "handheld.site_id: missing"),
        ('[handheld]\nsite_id = "  "\ninspector = "Kim"\n', "handheld.site_id: must not be empty"),
        ('[handheld]\nsite_id = "s"\ninspector = 7\n', "handheld.inspector: must be a string"),
        ('[handheld]\nsite_id = "s"\ninspector = "Kim"\nstalls = 0\n', "handheld.stalls"),
        ('[handheld]\nsite_id = "s"\ninspector = "Kim"\npin = 4\n', "handheld.pin: unknown"),
        ('handheld = "jongno-1"\n', r"\[handheld\]: missing table"),
    ],
)
def test_a_wrong_handheld_table_is_named(tmp_path, table, named):
    text = table + _default_text() if not table.startswith("[") else _default_text() + table
    with pytest.raises(ProfileError, match=named):
        load_profile(_write(tmp_path, text))
