"""``ansim sites``, ``ansim log`` and the errors a user can meet, through the real command line."""

import csv
import hashlib
import io
import json
import sqlite3

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ansim.cli import main
from detector.engine import checklist
from detector.log.storage import DB_FILENAME, open_store
from tests.support.inspection_doubles import AMBIENT, FakeRestroom, video_emitter

ROOM = FakeRestroom(emitters=(*AMBIENT, video_emitter()), lenses={(1, "vent"): 0.9})


def ansim(capsys, *argv):
    """Run ``ansim --lang en ARGV``: exit code, stdout, stderr."""
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def filled_log(make_service, data_dir):
    """Six signed inspections at two sites (two found, the rest suspicious)."""
    service = make_service(ROOM)
    for i in range(6):
        state = service.start("mapo-7" if i % 2 else "jongno-1", "Kim Inspector", stalls=1)
        service.run_rf_step(state.id)
        if i == 0:
            for zone in checklist.ITEMS:
                service.run_optical_step(state.id, 1, zone)
        service.set_verdict(state.id, "found" if i in (0, 3) else "suspicious")
        service.sign_off(state.id, "Kim Inspector")
    service.close()
    return data_dir


def test_sites_import_list_and_export(capsys, tmp_path):
    data = str(tmp_path / "data")
    code, out, _ = ansim(capsys, "sites", "import", "examples/sites.csv", "--data", data)
    assert code == 0 and "7 added" in out
    code, out, _ = ansim(capsys, "sites", "list", "--data", data, "--json")
    assert {s["id"] for s in json.loads(out)["sites"]} >= {"jongno-001", "gangnam-005"}
    code, out, _ = ansim(capsys, "sites", "export", "--data", data)
    assert list(csv.DictReader(io.StringIO(out)))[0]["name"] == "강남역 공중화장실"


def test_a_bad_sites_file_names_line_and_column_and_imports_nothing(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,lat\ngood-1,Good,37.5\nbad-1,Bad,north\n")
    code, _, err = ansim(capsys, "sites", "import", str(bad), "--data", str(tmp_path))
    assert code == 1
    assert "line 3, column lat: 'north' is not a number" in err
    code, out, _ = ansim(capsys, "sites", "list", "--data", str(tmp_path), "--json")
    assert json.loads(out)["sites"] == []


def test_log_list_pages_and_filters(capsys, filled_log):
    code, out, _ = ansim(capsys, "log", "list", "--data", str(filled_log), "--json",
                         "--limit", "4")
    first = json.loads(out)
    assert len(first["records"]) == 4 and first["next"]
    code, out, _ = ansim(capsys, "log", "list", "--data", str(filled_log), "--json",
                         "--before", first["next"])
    second = json.loads(out)
    assert len(second["records"]) == 2 and second["next"] is None
    everything = first["records"] + second["records"]
    assert [r["signed_at"] for r in everything] == sorted((r["signed_at"] for r in everything),
                                                          reverse=True)
    code, out, _ = ansim(capsys, "log", "list", "--data", str(filled_log), "--json",
                         "--verdict", "found", "--site", "jongno-1")
    assert [r["verdict"] for r in json.loads(out)["records"]] == ["found"]
    code, out, _ = ansim(capsys, "log", "list", "--data", str(filled_log), "--json",
                         "--until", "2000-01-01")
    assert json.loads(out)["records"] == []


def test_log_show_prints_the_record_and_its_corrections(capsys, filled_log):
    _, out, _ = ansim(capsys, "log", "list", "--data", str(filled_log), "--json",
                      "--verdict", "suspicious", "--limit", "1")
    record_id = json.loads(out)["records"][0]["id"]
    code, out, _ = ansim(capsys, "log", "correct", record_id, "--data", str(filled_log),
                         "--verdict", "found", "--reason", "lens visible on review",
                         "--inspector", "Park Supervisor", "--notified", "Mapo police")
    assert code == 0 and record_id in out
    code, out, _ = ansim(capsys, "log", "show", record_id, "--data", str(filled_log))
    assert code == 0
    assert "Corrected by" in out and "lens visible on review" in out
    code, out, _ = ansim(capsys, "log", "show", record_id, "--data", str(filled_log), "--json")
    shown = json.loads(out)
    assert shown["body"]["id"] == record_id and len(shown["corrections"]) == 1


def test_the_json_export_can_be_checked_without_ansim(capsys, filled_log):
    code, out, _ = ansim(capsys, "log", "export", "--format", "json", "--data", str(filled_log))
    assert code == 0
    exported = json.loads(out)
    keys = {d["id"]: Ed25519PublicKey.from_public_bytes(bytes.fromhex(d["public_key"]))
            for d in exported["devices"]}
    assert len(exported["records"]) == 6
    previous = "0" * 64
    for item in exported["records"]:
        # Re-serialise canonically (sorted keys, no spaces) as the format documents.
        data = json.dumps(item["body"], sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()
        assert hashlib.sha256(data).hexdigest() == item["record_hash"]
        keys[item["body"]["device_id"]].verify(bytes.fromhex(item["signature"]), data)
        assert item["body"]["prev_hash"] == previous
        previous = item["record_hash"]


def test_the_csv_export_filters_by_site(capsys, filled_log, tmp_path):
    target = tmp_path / "mapo.csv"
    code, _, err = ansim(capsys, "log", "export", "--site", "mapo-7", "--output", str(target),
                         "--data", str(filled_log))
    assert code == 0 and "3 record(s)" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert {r["site_id"] for r in rows} == {"mapo-7"}
    assert rows[0]["site_name"] == "Mapo station restroom"


def test_verify_exits_non_zero_naming_the_altered_record(capsys, filled_log):
    code, out, _ = ansim(capsys, "log", "verify", "--data", str(filled_log))
    assert code == 0 and "intact: 6 record(s)" in out
    with sqlite3.connect(filled_log / DB_FILENAME) as conn:
        target = conn.execute("SELECT id FROM records WHERE seq = 4").fetchone()[0]
        conn.execute("UPDATE records SET inspector = 'Nobody' WHERE id = ?", (target,))
    code, out, _ = ansim(capsys, "log", "verify", "--data", str(filled_log))
    assert code == 1
    assert "ALTERED" in out and target in out.splitlines()[0]
    code, out, _ = ansim(capsys, "log", "verify", "--data", str(filled_log), "--json")
    assert json.loads(out)["first_broken"] == target


def test_a_missing_evidence_file_fails_verify_by_name(capsys, filled_log):
    evidence = next(p for p in (filled_log / "evidence").rglob("*") if p.is_file()
                    and not p.name.startswith("."))
    evidence.unlink()
    code, out, _ = ansim(capsys, "log", "verify", "--data", str(filled_log))
    assert code == 1 and evidence.name in out and "missing" in out


def test_a_bad_database_file_is_a_clear_error(capsys, tmp_path):
    (tmp_path / DB_FILENAME).write_bytes(b"\x00garbage" * 1000)
    code, _, err = ansim(capsys, "log", "list", "--data", str(tmp_path))
    assert code == 1
    assert err.startswith("Not a log database:") and str(tmp_path / DB_FILENAME) in err


def test_a_foreign_database_is_a_clear_error(capsys, tmp_path):
    with sqlite3.connect(tmp_path / DB_FILENAME) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER)")
    code, _, err = ansim(capsys, "sites", "import", "examples/sites.csv", "--data",
                         str(tmp_path))
    assert code == 1 and "Not this program's log" in err and "moz_places" in err


def test_a_second_writer_is_told_who_holds_the_log(capsys, tmp_path):
    with open_store(tmp_path / DB_FILENAME, write=True):
        code, _, err = ansim(capsys, "sites", "import", "examples/sites.csv", "--data",
                             str(tmp_path))
        assert code == 1 and "The log is in use" in err and "pid" in err
        code, out, _ = ansim(capsys, "log", "list", "--data", str(tmp_path))
        assert code == 0  # reading alongside the writer is fine


def test_csv_export_quotes_free_text_as_csv_readers_expect(capsys, make_service, data_dir):
    service = make_service(ROOM)
    awkward = 'Kim, "Jay"\nInspector'
    state = service.start("jongno-1", awkward, stalls=1)
    service.set_verdict(state.id, "suspicious")
    service.sign_off(state.id, "Kim")
    service.close()
    code, out, _ = ansim(capsys, "log", "export", "--data", str(data_dir))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["inspector"], r["site_name"], r["seq"], r["verdict"]) for r in rows] == [
        (awkward, "Jongno Tower public restroom", "1", "suspicious")]
