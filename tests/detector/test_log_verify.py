"""Any change to a stored record, or a deleted one, makes verification fail and name it."""

import sqlite3

import pytest

from detector.engine import checklist
from detector.log.storage import DB_FILENAME
from detector.log.verify import verify_log
from tests.support.inspection_doubles import AMBIENT, FakeRestroom, video_emitter

ROOM = FakeRestroom(emitters=(*AMBIENT, video_emitter()), lenses={(1, "bin"): 0.8})


@pytest.fixture
def log(make_service, data_dir):
    """A log of five records (one fully scanned with evidence, one correction); the service
    is closed so tests can alter the database underneath it, as an attacker would."""
    service = make_service(ROOM)
    ids = []
    for verdict in ("found", "suspicious", "found"):
        state = service.start("jongno-1", "Kim Inspector")
        service.run_rf_step(state.id)
        if not ids:
            for zone in checklist.ITEMS:
                service.run_optical_step(state.id, 1, zone)
        service.set_verdict(state.id, verdict)
        ids.append(service.sign_off(state.id, "Kim Inspector").id)
    ids.append(service.correct(ids[1], "Park Supervisor", verdict="found",
                               reason="lens confirmed on the crop").id)
    state = service.start("mapo-7", "Kim Inspector")
    service.set_verdict(state.id, "suspicious")
    ids.append(service.sign_off(state.id, "Kim Inspector").id)
    assert verify_log(service.store, evidence=service.evidence).ok
    service.store.close()
    return {"ids": ids, "db": data_dir / DB_FILENAME, "evidence": service.evidence,
            "reopen": lambda: make_service(ROOM)}


def _sql(db, statement, *params):
    with sqlite3.connect(db) as conn:
        conn.execute(statement, params)


def _verify(log):
    service = log["reopen"]()
    return verify_log(service.store, evidence=service.evidence, local_key=service.signer)


TAMPERED_VALUES = {
    "id": "00000000-0000-4000-8000-000000000000",
    "device_id": "dev-0000000000000000",
    "seq": 99,
    "type": "correction",
    "supersedes": "00000000-0000-4000-8000-000000000001",
    "site_id": "mapo-7",
    "inspector": "Someone Else",
    "status": "interrupted",
    "verdict": "clear",
    "max_severity": "info",
    "alert_count": 0,
    "started_at": "2020-01-01T00:00:00.000000Z",
    "signed_at": "2020-01-01T00:00:00.000000Z",
    "prev_hash": "f" * 64,
    "record_hash": "e" * 64,
    "signature": "ab" * 64,
}


@pytest.mark.parametrize("column", sorted(TAMPERED_VALUES))
def test_changing_any_column_of_a_record_is_caught_and_named(log, column):
    target = log["ids"][2]
    _sql(log["db"], f"UPDATE records SET {column} = ? WHERE id = ?", TAMPERED_VALUES[column],
         target)
    report = _verify(log)
    assert not report.ok
    first = str(report.problems[0])
    assert target in first or (column == "id" and "#3 of" in first), first


def test_editing_the_signed_body_is_caught(log):
    target = log["ids"][0]
    with sqlite3.connect(log["db"]) as conn:
        body = conn.execute("SELECT body FROM record_bodies WHERE id = ?",
                            (target,)).fetchone()[0]
        assert '"verdict":"found"' in body
        conn.execute("UPDATE record_bodies SET body = ? WHERE id = ?",
                     (body.replace('"verdict":"found"', '"verdict":"clear"'), target))
    report = _verify(log)
    assert target in str(report.problems[0])
    assert any("hash" in p.problem for p in report.problems)
    assert any("signature" in p.problem for p in report.problems)


@pytest.mark.parametrize("position", [0, 2, 4])
@pytest.mark.parametrize("table", ["records", "record_bodies", "both"])
def test_deleting_a_record_is_caught_and_named(log, position, table):
    target = log["ids"][position]
    for name in (["record_bodies", "records"] if table == "both" else [table]):
        _sql(log["db"], f"DELETE FROM {name} WHERE id = ?", target)
    report = _verify(log)
    assert not report.ok
    assert report.problems[0].record_id == target, report.problems
    assert "missing" in report.problems[0].problem


def test_swapping_the_device_key_in_the_log_is_caught(log):
    _sql(log["db"], "UPDATE devices SET public_key = ?", "11" * 32)
    report = _verify(log)
    assert any("public key" in p.problem for p in report.problems)
    assert any("signature" in p.problem for p in report.problems)


def test_a_missing_evidence_file_is_named_with_its_record(log):
    with sqlite3.connect(log["db"]) as conn:
        sha = conn.execute("SELECT sha256 FROM evidence WHERE kind = 'lens_crop'").fetchone()[0]
    log["evidence"].path_for(sha).unlink()
    report = _verify(log)
    assert report.problems[0].record_id == log["ids"][0]
    assert "missing" in report.problems[0].problem and sha in report.problems[0].problem


def test_a_replaced_evidence_file_is_caught(log):
    with sqlite3.connect(log["db"]) as conn:
        sha = conn.execute("SELECT sha256 FROM evidence WHERE kind = 'lens_crop'").fetchone()[0]
    path = log["evidence"].path_for(sha)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01  # one bit of one pixel
    path.write_bytes(bytes(data))
    report = _verify(log)
    assert "does not match its SHA-256" in report.problems[0].problem


def test_an_untouched_log_verifies_every_record_and_file(log):
    report = _verify(log)
    assert report.ok
    assert report.records_checked == 5
    assert report.evidence_checked >= 2
