"""Finding 3: signed records disappeared while ``ansim log verify`` said "intact": the WAL
deleted or truncated, an empty or older ``ansim.db`` put in place, the newest records deleted
and the head moved back, a verdict changed in the working table the live lists read.

Each attack is made on the files as a power cut or someone holding the SD card leaves them
(the writer still running, so its WAL has not been folded into the database on close)."""

import sqlite3

from detector.log.storage import DB_FILENAME
from tests.support.signed_log import copy_files, listed_ids, new_log, open_device, sign, verify


def _running_device(tmp_path, count=3):
    data = new_log(tmp_path / "data")
    service = open_device(data)
    return data, service, sign(service, count)


def test_deleting_the_wal_loses_no_signed_record(tmp_path, capsys):
    data, service, signed = _running_device(tmp_path)
    try:
        card = copy_files(data, tmp_path / "card")  # ansim.db without its -wal
    finally:
        service.close()
    assert listed_ids(capsys, card) == {r.id for r in signed}
    assert verify(capsys, card)["ok"]


def test_a_truncated_wal_loses_no_signed_record(tmp_path, capsys):
    data, service, signed = _running_device(tmp_path)
    try:
        card = copy_files(data, tmp_path / "card")
        wal = (data / f"{DB_FILENAME}-wal").read_bytes()
        (card / f"{DB_FILENAME}-wal").write_bytes(wal[:len(wal) // 3])
    finally:
        service.close()
    assert listed_ids(capsys, card) == {r.id for r in signed}


def test_an_empty_database_put_in_place_is_reported_with_what_is_gone(tmp_path, capsys):
    data, service, signed = _running_device(tmp_path)
    service.close()
    (data / DB_FILENAME).write_bytes(b"")
    answer = verify(capsys, data)
    assert answer["exit_code"] == 1 and not answer["ok"]
    assert "records #1-#3" in answer["problems"][0] and "are gone" in answer["problems"][0]
    assert signed[0].body["signed_at"] in answer["problems"][0]


def test_an_older_copy_of_the_database_is_reported(tmp_path, capsys):
    data, service, first = _running_device(tmp_path, count=2)
    service.close()
    old = copy_files(data, tmp_path / "backup", names=(DB_FILENAME,))
    service = open_device(data)
    later = sign(service, 2)
    service.close()
    (data / DB_FILENAME).write_bytes((old / DB_FILENAME).read_bytes())
    answer = verify(capsys, data)
    assert not answer["ok"]
    assert any(f"records #3-#4, signed {later[0].body['signed_at']}" in p
               for p in answer["problems"])


def test_an_older_copy_that_went_on_signing_is_still_reported(tmp_path, capsys):
    data, service, _ = _running_device(tmp_path, count=2)
    service.close()
    old = copy_files(data, tmp_path / "backup", names=(DB_FILENAME,))
    service = open_device(data)
    gone = sign(service, 2)
    service.close()
    (data / DB_FILENAME).write_bytes((old / DB_FILENAME).read_bytes())
    service = open_device(data)
    sign(service, 3)  # the device goes on from the old copy: #3-#5 are new records
    service.close()
    answer = verify(capsys, data)
    assert not answer["ok"]
    assert any("records #3-#4" in p and "older log was put in place" in p
               and gone[0].body["signed_at"] in p for p in answer["problems"])


def test_deleting_the_newest_records_and_moving_the_head_back_is_reported(tmp_path, capsys):
    data, service, signed = _running_device(tmp_path, count=3)
    service.close()
    with sqlite3.connect(data / DB_FILENAME) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("DELETE FROM record_bodies WHERE id = ?", (signed[2].id,))
        db.execute("DELETE FROM records WHERE id = ?", (signed[2].id,))
        db.execute("UPDATE devices SET head_seq = 2, head_hash = ?, head_id = ?",
                   (signed[1].record_hash, signed[1].id))
        db.execute("UPDATE inspections SET status = 'in_progress', record_id = NULL, "
                   "verdict = NULL WHERE record_id = ?", (signed[2].id,))
    answer = verify(capsys, data)
    assert not answer["ok"]
    assert any(f"records #3-#3, signed {signed[2].body['signed_at']}" in p
               for p in answer["problems"])


def test_a_verdict_changed_in_the_working_table_is_reported(tmp_path, capsys):
    data, service, signed = _running_device(tmp_path, count=1)
    service.close()
    with sqlite3.connect(data / DB_FILENAME) as db:
        db.execute("UPDATE inspections SET verdict = 'clear'")
    answer = verify(capsys, data)
    assert not answer["ok"]
    assert any("verdict clear, the signed record says suspicious" in p
               for p in answer["problems"])


def test_records_the_hub_acknowledged_are_missed_even_without_the_witness(tmp_path, capsys):
    import json
    data, service, signed = _running_device(tmp_path, count=3)
    service.close()
    (data / "hub-sync.json").write_text(json.dumps({"https://hub.example": {
        "device_id": signed[-1].device_id, "acked_seq": 3, "acked_hash": signed[-1].record_hash,
        "acked_id": signed[-1].id, "synced_at": "2026-05-09T09:00:00.000000Z"}}))
    (data / "chain-head.json").unlink(missing_ok=True)
    (data / DB_FILENAME).write_bytes(b"")
    answer = verify(capsys, data)
    assert not answer["ok"]
    assert any("records #1-#3 are gone: the hub https://hub.example acknowledged #3" in p
               for p in answer["problems"])
