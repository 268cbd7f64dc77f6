import json
import re
from pathlib import Path

import pytest

from detector import i18n

LOCALE = Path(i18n.__file__).with_name("locale")


def test_korean_and_english_hold_the_same_keys():
    assert set(i18n.catalogue("ko")) == set(i18n.catalogue("en"))


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_file_has_its_twin_in_the_other_language(lang):
    other = "en" if lang == "ko" else "ko"
    for path in (LOCALE / lang).glob("*.json"):
        twin = LOCALE / other / path.name
        assert twin.exists(), f"{path.name} has no {other} twin"
        assert set(json.loads(path.read_text())) == set(json.loads(twin.read_text())), path.name


def test_placeholders_match_between_languages():
    ko, en = i18n.catalogue("ko"), i18n.catalogue("en")
    for key in en:
        assert set(re.findall(r"{(\w+)}", ko[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_translation_fills_parameters_in_the_chosen_language():
    assert "rf, log" in i18n.t("bench.help.area", lang="ko", areas="rf, log")
    assert i18n.t("part.radio", lang="ko") != i18n.t("part.radio", lang="en")


def test_a_missing_key_is_an_error_not_a_silent_fallback():
    with pytest.raises(i18n.MissingTranslation):
        i18n.t("no.such.key", lang="en")


def test_errors_are_described_by_their_class_and_their_named_problem():
    from hardware.errors import RecordingError

    text = i18n.describe_error(RecordingError("a.sigmf-data", "truncated", code="no_samples"),
                               lang="en")
    assert text == "Bad recording: a.sigmf-data: holds zero samples"


def test_a_file_readers_problem_is_said_in_the_language_asked(tmp_path):
    """rtl_power CSV has no command of its own yet its reader's errors translate like every
    reader's: the file and line, then the problem in the user's language."""
    from rf.rtlpower import RtlPowerError, read_rtl_power_csv

    path = tmp_path / "site.csv"
    path.write_text("2026-12-05, 02:00:00, 1e9, 1.1e9, 1e300, 10, -50\n", encoding="utf-8")
    with pytest.raises(RtlPowerError) as caught:
        read_rtl_power_csv(path)
    korean = i18n.describe_error(caught.value, lang="ko")
    assert korean.startswith(f"{i18n.t('error.RtlPowerError', 'ko')}: {path}:1: ")
    assert "주파수" in korean and "frequencies" not in korean
    assert "frequencies must be finite" in i18n.describe_error(caught.value, lang="en")


def test_an_os_error_is_said_by_its_errno(tmp_path):
    try:
        (tmp_path / "gone.csv").read_text()
    except OSError as exc:
        error = exc
    assert i18n.describe_error(error, lang="ko").endswith(f"{tmp_path / 'gone.csv'}: "
                                                          + i18n.t("problem.os.ENOENT", "ko"))


def test_an_error_of_many_problems_says_each_in_the_language_asked():
    """A file with many bad rows: its problem, then each row's, joined in the user's language,
    the first ``MAX_PARTS_SAID`` of them and then how many more."""
    from detector.engine.sites import SiteImportError, parse_sites

    rows = "".join(f"s-{i},Site {i},,,{'x' if i % 2 else 99}\n"
                   for i in range(i18n.MAX_PARTS_SAID + 3))
    with pytest.raises(SiteImportError) as caught:
        parse_sites("id,name,lat,lon,stalls\n" + rows, "sites.csv")
    for lang in i18n.LANGUAGES:
        text = i18n.describe_problem(caught.value, lang)
        lead = i18n.t("problem.sites_not_imported", lang, count=i18n.MAX_PARTS_SAID + 3)
        assert text.startswith(f"sites.csv: {lead}: ")
        said = text.split(": ", 2)[2].split(i18n.t("problem.parts.separator", lang))
        assert len(said) == i18n.MAX_PARTS_SAID + 1
        assert said[0] == i18n.t("problem.site_stalls", lang, line=2, column="stalls",
                                 value="'99'", max=50)
        assert said[-1] == i18n.t("problem.parts.more", lang, count=3)
    assert "column" not in i18n.describe_problem(caught.value, "ko")
