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


def test_errors_are_described_by_their_class_with_their_own_detail():
    from hardware.errors import RecordingError

    text = i18n.describe_error(RecordingError("a.sigmf-data", "truncated"), lang="en")
    assert text == "Bad recording: a.sigmf-data: truncated"
