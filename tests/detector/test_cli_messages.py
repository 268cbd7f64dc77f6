"""Every error an inspector can meet on the command line, in Korean, with no English sentence
left in it (argparse's own usage and errors included), and each refused before any hardware
is looked for or any new log is made."""

import re

import pytest

from detector import i18n
from ansim.cli import main

SITES_CSV = "id,name,stalls,schedule\nS1,역전 공중화장실,1,daily\nS2,시장 화장실,,\n"
#: Words that are names, not sentences: commands and options people type as they are.
NAMES = re.compile(r"ansim|sites|import|list|--?[a-z-]+|COMMAND|ACTION|FILE|ID|DIR|NAME|[A-Z]:"
                   r"|\S*/\S*|'[^']*'|\{[^}]*\}|usage|int")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")


def english_sentences(text: str) -> list[str]:
    return ENGLISH_SENTENCE.findall(NAMES.sub(" ", text))


@pytest.fixture
def data_dir(tmp_path):
    data = tmp_path / "data"
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV, encoding="utf-8")
    assert main(["--lang", "ko", "sites", "import", str(sites), "--data", str(data)]) == 0
    return data


@pytest.fixture(autouse=True)
def no_hardware_detection(monkeypatch):
    """Refusing a mistake must not wait for the radio, camera and pins to be looked for."""
    def looked_for_hardware(*args, **kwargs):
        raise AssertionError("the hardware was looked for before the input was checked")
    monkeypatch.setattr("detector.appliance.backends.open_hardware", looked_for_hardware)


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("argv", [
    ["inspect", "--site", "nowhere-999"],
    ["inspect", "--site", "S1", "--stalls", "0"],
    ["inspect", "--site", "S1", "--stalls", "two"],
    ["inspect"],
    ["inspect", "--site", "S1", "--bogus"],
    ["inspcet", "--site", "S1"],
    ["log", "show", "#99"],
    ["log", "list", "--verdict", "maybe"],
], ids=lambda argv: " ".join(argv))
def test_each_inspector_error_is_korean_through_and_through(capsys, data_dir, argv):
    code, text = run(capsys, "--lang", "ko", *argv, "--data", str(data_dir))
    assert code != 0
    assert re.search("[가-힣]", text), text
    assert english_sentences(text) == [], text


def test_a_mistyped_data_folder_makes_no_new_log_or_key(capsys, data_dir, tmp_path):
    typo = tmp_path / "dta"
    code, text = run(capsys, "--lang", "ko", "inspect", "--site", "S1", "--data", str(typo))
    assert code == 2
    assert str(typo) in text and english_sentences(text) == []
    assert not typo.exists()
    code, _ = run(capsys, "--lang", "ko", "log", "list", "--data", str(typo))
    assert code == 2 and not typo.exists()


def test_an_unsupported_language_is_refused_in_the_default_one(capsys, monkeypatch):
    monkeypatch.delenv("ANSIM_LANG", raising=False)
    code, text = run(capsys, "--lang", "fr", "doctor")
    assert code == 2
    assert "'fr'" in text and "ko, en" in text and re.search("[가-힣]", text)


def test_help_is_korean_from_the_usage_line_to_the_options(capsys):
    code, text = run(capsys, "--lang", "ko", "inspect", "--help")
    assert code == 0
    assert text.startswith(i18n.t("cli.argparse.usage", "ko"))
    assert i18n.t("cli.argparse.options", "ko") in text
    assert english_sentences(text) == [], text


def test_importing_sites_without_a_stall_count_or_schedule_warns(capsys, tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV, encoding="utf-8")
    code, text = run(capsys, "--lang", "ko", "sites", "import", str(sites),
                     "--data", str(tmp_path / "d"))
    assert code == 0
    warning = [line for line in text.splitlines() if "S2" in line]
    assert warning and "칸 수" in warning[0] and "점검 주기" in warning[0]
    assert not [line for line in text.splitlines() if "S1" in line]
