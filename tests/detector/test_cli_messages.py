"""Every error an inspector can meet on the command line, in Korean, with no English sentence
left in it (argparse's own usage and errors included), and each refused before any hardware
is looked for or any new log is made."""

import json
import re
from pathlib import Path

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


#: Hostile inputs an inspector may hand a command: device profiles, site lists, baselines.
#: Each file is written under the test's folder; ``{tmp}`` in a command line names that folder.
_PROFILE = Path(__file__).resolve().parents[2] / "detector" / "appliance" / "default_profile.toml"
_HANDHELD = '\n[handheld]\nsite_id = "  "\ninspector = "김민지"\n'


def _profile(old: str, new: str) -> str:
    text = _PROFILE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


HOSTILE_INPUTS = {
    "gain.toml": lambda: _profile("gain_db = 40.2", 'gain_db = "loud"'),
    "ppm.toml": lambda: _profile("ppm = 0", "ppm = 1000"),
    "region.toml": lambda: _profile('region = "KR"', 'region = "XX"'),
    "language.toml": lambda: _profile('language = "ko"', 'language = "fr"'),
    "rate.toml": lambda: _profile("sample_rate_hz = 2_400_000", "sample_rate_hz = 100"),
    "pins.toml": lambda: _profile("buzzer = 18", "buzzer = 17"),
    "shutter.toml": lambda: _profile("exposure_us = 8000", "exposure_us = 8000\nshutter = 1"),
    "fps.toml": lambda: _profile("fps = 30", "fps = inf"),
    "width.toml": lambda: _profile("width = 1280", 'width = "wide"'),
    "handheld.toml": lambda: _profile("button_mark = 26", "button_mark = 26" + _HANDHELD),
    "no-handheld.toml": lambda: 'handheld = "jongno-1"\n' + _PROFILE.read_text(encoding="utf-8"),
    "broken.toml": lambda: "[radio\n",
    "sites-rows.csv": lambda: ("id,name,lat,lon,stalls,risk,schedule\n"
                               "S 1,,91,,0,huge,hourly\n"
                               "S3,Ok,abc,,x,,\n"
                               "S4,Half,10,,,,\n"
                               "S5,Fine,,,,,\n"
                               "S5,Again,,,,,\n"
                               "S6,Too,,,,,,,\n"),
    "sites-header.csv": lambda: "name,colour,name\nX,red,Y\n",
    "sites-empty.csv": lambda: "",
    "sites-control.csv": lambda: "id,name,address\nS7,역전\x07화장실,종로구 \x1b1\n",
    "baseline.json": lambda: '{"format": "ansim-rf-baseline/1", ',
    "baseline-format.json": lambda: '{"format": "something-else"}',
    "baseline-entry.json": lambda: '{"format": "ansim-rf-baseline/1", "inspections": 1}',
}


def write_hostile_inputs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in HOSTILE_INPUTS.items():
        (folder / name).write_text(text(), encoding="utf-8")
    (folder / "sites-binary.csv").write_bytes(b"id,name\n\xff\xfe\x80\xff,\x81\n")


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
    ["log", "bundle", "nope-record"],
    ["sites", "fixtures", "S1", "--remove", "9"],
    ["sites", "fixtures", "nowhere-999"],
    ["log", "list", "--verdict", "maybe"],
    ["log", "list", "--since", "yesterday"],
    ["log", "export", "--until", "2026-13-45"],
    ["log", "correct", "nope-record", "--reason", "오기", "--inspector", "김민지"],
    ["log", "correct", "nope-record", "--reason", "오기\x07", "--inspector", "김민지",
     "--verdict", "found"],
    ["log", "correct", "nope-record", "--reason", "오기", "--inspector", "김민지",
     "--notified", "관리소\x01"],
    ["log", "sync", "--hub", "http://127.0.0.1:9", "--token-file", "/nonexistent/token"],
    ["log", "sync", "--hub", "http://127.0.0.1:9", "--token", "t0ken", "--batch", "0"],
    ["serve", "--trusted-proxy", "nope"],
    # a device profile that is wrong, on every command that loads one
    ["inspect", "--site", "S1", "--profile", "{tmp}/gain.toml"],
    ["inspect", "--site", "S1", "--profile", "{tmp}/ppm.toml"],
    ["inspect", "--site", "S1", "--profile", "{tmp}/handheld.toml"],
    ["log", "list", "--profile", "{tmp}/pins.toml"],
    ["sites", "list", "--profile", "{tmp}/language.toml"],
    ["sites", "import", "{tmp}/sites-rows.csv", "--profile", "{tmp}/fps.toml"],
    ["serve", "--profile", "{tmp}/broken.toml"],
    ["serve", "--profile", "{tmp}/rate.toml"],
    ["inspect", "--site", "S1", "--profile", "{tmp}/nowhere.toml"],
    ["sweep", "--profile", "{tmp}/width.toml"],
    ["doctor", "--profile", "{tmp}/region.toml"],
    # a site list that cannot be imported: every row's problem said
    ["sites", "import", "{tmp}/sites-rows.csv"],
    ["sites", "import", "{tmp}/sites-header.csv"],
    ["sites", "import", "{tmp}/sites-empty.csv"],
    ["sites", "import", "{tmp}/sites-control.csv"],
    ["sites", "import", "{tmp}/nowhere.csv"],
    # a site's RF baseline that cannot be read
    ["sweep", "--baseline", "{tmp}/baseline.json"],
    ["sweep", "--baseline", "{tmp}/baseline-format.json"],
], ids=lambda argv: " ".join(argv).replace("\x07", "^G").replace("\x01", "^A"))
def test_each_inspector_error_is_korean_through_and_through(capsys, data_dir, tmp_path, argv):
    inputs = tmp_path / "inputs"
    write_hostile_inputs(inputs)
    argv = [arg.replace("{tmp}", str(inputs)) for arg in argv]
    code, text = run(capsys, "--lang", "ko", *argv, "--data", str(data_dir))
    assert code != 0
    assert re.search("[가-힣]", text), text
    assert english_sentences(text) == [], text


@pytest.mark.parametrize("argv, problem", [
    (["inspect", "--site", "S1", "--profile", "{tmp}/shutter.toml"], "camera.shutter: 알 수 없는"),
    (["sites", "list", "--profile", "{tmp}/no-handheld.toml"], "[handheld] 표가 없습니다"),
    (["sites", "import", "{tmp}/sites-binary.csv"], "CP949 텍스트가 아닙니다"),
    (["sweep", "--baseline", "{tmp}/baseline-entry.json"], "항목"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else "")
def test_a_short_refusal_says_its_problem_in_korean(capsys, data_dir, tmp_path, argv, problem):
    """Refusals too short to read as an English sentence (``camera.shutter: unknown key``) are
    still said in Korean: the problem's own Korean words are there."""
    inputs = tmp_path / "inputs"
    write_hostile_inputs(inputs)
    argv = [arg.replace("{tmp}", str(inputs)) for arg in argv]
    code, text = run(capsys, "--lang", "ko", *argv, "--data", str(data_dir))
    assert code != 0
    assert problem in text, text
    assert english_sentences(text) == [], text


def test_the_hotspot_refusals_are_korean(capsys, tmp_path, monkeypatch):
    """The hotspot's screen (``python -m detector.appliance.hotspot``) refuses a device with no
    serial number, and a password file that is no WPA2 passphrase, in Korean."""
    from detector.appliance.hotspot import main as hotspot

    monkeypatch.delenv("ANSIM_LANG", raising=False)
    root = tmp_path / "root"
    root.mkdir()
    assert hotspot(["up", "--root", str(root)]) == 1
    (root / "etc").mkdir()
    (root / "etc" / "machine-id").write_text("0123456789abcdef\n", encoding="ascii")
    psk = root / "var" / "lib" / "ansim" / "hotspot" / "psk"
    psk.parent.mkdir(parents=True)
    psk.write_text("short\n", encoding="ascii")
    assert hotspot(["up", "--root", str(root)]) == 1
    text = capsys.readouterr().err
    lines = text.strip().splitlines()
    assert len(lines) == 2 and all(re.search("[가-힣]", line) for line in lines), text
    assert "WPA2" in lines[1] and english_sentences(text) == [], text


def _key_readable_by_others(data_dir):
    from detector.log.signing import KEY_FILENAME

    (data_dir / KEY_FILENAME).chmod(0o644)


def _log_held_by_another_writer(data_dir):
    """The writer's lock taken on another open file, as another ansim process would hold it."""
    import fcntl

    from detector.log.storage import DB_FILENAME

    holder = (data_dir / f"{DB_FILENAME}.lock").open("a+", encoding="ascii")
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return holder


@pytest.mark.parametrize("spoil", [_key_readable_by_others, _log_held_by_another_writer])
def test_a_log_that_cannot_be_written_is_refused_in_korean(capsys, data_dir, spoil):
    """The data folder's own state (its key, another process writing) refuses a correction:
    said wholly in Korean, names and paths aside."""
    kept = spoil(data_dir)
    code, text = run(capsys, "--lang", "ko", "log", "correct", "nope-record", "--reason", "오기",
                     "--inspector", "김민지", "--verdict", "found", "--data", str(data_dir))
    if kept is not None:
        kept.close()
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


# -- the file-analysis commands, given hostile files --------------------------------------------

def _write_sigmf_meta(path, text):
    path.with_suffix(".sigmf-data").write_bytes(bytes(8192))
    path.write_text(text, encoding="utf-8")
    return path


def _pcapng(tmp_path, name, frames=3):
    from hardware.wifi.pcapfile import write_pcapng

    path = tmp_path / name
    write_pcapng(path, [(1733300000.0 + i, bytes(40)) for i in range(frames)])
    return path


def _capture_dir(tmp_path, name, meta):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "capture.json").write_text(meta, encoding="utf-8")
    (folder / "frames.csv").write_text("index,file,timestamp_s,exposure_us,on_axis,off_axis\n"
                                       "0,000000.png,0.0,1000,1,0\n", encoding="utf-8")
    return folder


def hostile_files(tmp_path):
    """(command, files) pairs, each refused with its own problem."""
    text = tmp_path / "hostname"
    text.write_text("inspector-laptop\n", encoding="utf-8")
    whole = _pcapng(tmp_path, "whole.pcapng").read_bytes()
    truncated = tmp_path / "cut.pcapng"
    truncated.write_bytes(whole[:-10])
    huge = tmp_path / "huge.pcapng"
    # the second block claims 2 GiB (a hostile length, not a big frame)
    huge.write_bytes(whole[:28] + whole[28:32] + (2**31).to_bytes(4, "little") + whole[36:])
    gz = tmp_path / "survey.pcapng.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00" + bytes(40))
    bad_json = _write_sigmf_meta(tmp_path / "bad.sigmf-meta", '{"global": {"core:datatype": ')
    list_type = _write_sigmf_meta(tmp_path / "list.sigmf-meta", json.dumps(
        {"global": {"core:datatype": ["cu8"], "core:version": "1.2.0",
                    "core:sample_rate": 2.4e6}, "captures": [{"core:frequency": 1.2e9}]}))
    long_number = _write_sigmf_meta(tmp_path / "long.sigmf-meta", '{"global": {"core:sample_rate'
                                    '": ' + "9" * 5000 + "}}")
    deep = _write_sigmf_meta(tmp_path / "deep.sigmf-meta", "[" * 100_000)
    huge_dir = _capture_dir(tmp_path, "huge-capture", json.dumps(
        {"format": "ansim-capture/1", "width": 50_000, "height": 50_000,
         "pixel_format": "gray8"}))
    bad_dir = _capture_dir(tmp_path, "bad-capture", "{not json")
    return [
        (["rf", "analyze", str(text)], "메타데이터가 없는"),
        (["rf", "analyze", str(text), "--rate", "2.4e6", "--freq", "1e300"], "주파수"),
        (["rf", "analyze", str(text), "--rate", "2.4e6", "--freq", "1.2e9"], "샘플"),
        (["rf", "analyze", str(bad_json)], "JSON"),
        (["rf", "analyze", str(list_type)], "데이터 형식"),
        (["rf", "analyze", str(long_number)], "숫자"),
        (["rf", "analyze", str(deep)], "중첩"),
        (["rf", "analyze", str(tmp_path / "nowhere.cu8"), "--rate", "2.4e6", "--freq", "1e9"],
         "없습니다"),
        (["wifi", "analyze", str(text)], "캡처 파일이 아닙니다"),
        (["wifi", "analyze", str(truncated)], "끊겼습니다"),
        (["wifi", "analyze", str(huge)], "손상"),
        (["wifi", "analyze", str(gz)], "압축"),
        (["wifi", "analyze", str(_pcapng(tmp_path, "ok.pcapng")), "--stimulus", str(text)],
         "첫 줄"),
        (["optics", "compare", str(text), str(huge_dir)], "캡처 폴더가 아닙니다"),
        (["optics", "compare", str(huge_dir), str(huge_dir)], "픽셀"),
        (["optics", "compare", str(bad_dir), str(huge_dir)], "JSON"),
        (["optics", "analyze", str(huge_dir)], "픽셀"),
    ]


def test_file_analysis_errors_are_korean_through_and_through(capsys, tmp_path):
    for argv, problem in hostile_files(tmp_path):
        code, text = run(capsys, "--lang", "ko", *argv, "--data", str(tmp_path / "data"))
        where = " ".join(argv)
        assert problem in text, (where, text)
        assert english_sentences(text) == [], (where, text)
        if "cut.pcapng" not in where:  # a capture cut short is analysed up to the cut
            assert code != 0, (where, text)


#: How a problem is named in the source: a file reader's ``code="..."``, a ``DetectorError``'s
#: ``problem="..."``, or an error class that sets ``problem_code = "..."`` itself.
PROBLEM_CODE = re.compile(r'\b(?:code|problem)="([a-z_]+)"|\bproblem_code = "([a-z_]+)"')


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_problem_the_source_names_has_both_translations():
    """Every refusal named by a problem code, in every layer a user's error can come from, has
    its sentence in Korean and in English, with the same placeholders to fill."""
    root = Path(__file__).resolve().parents[2]
    sources = [p for folder in ("hardware", "rf", "optics", "ansim", "detector", "web") for p in
               (root / folder).rglob("*.py")]
    codes = {a or b for p in sources
             for a, b in PROBLEM_CODE.findall(p.read_text(encoding="utf-8"))}
    assert len(codes) > 100
    for lang in i18n.LANGUAGES:
        missing = sorted(c for c in codes if f"problem.{c}" not in i18n.catalogue(lang))
        assert missing == [], lang
    ko, en = i18n.catalogue("ko"), i18n.catalogue("en")
    differ = sorted(c for c in codes if placeholders(ko[f"problem.{c}"])
                    != placeholders(en[f"problem.{c}"]))
    assert differ == []
