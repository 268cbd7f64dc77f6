"""Fault injection for the signed log: whatever happens to the files under it, each signed
record is either still there or ``ansim log verify`` fails naming it (its seq, in a range
``records #a-#b``), never "intact" with a record missing.

Faults, on the files a power cut or someone with the SD card leaves while the writer runs
(three records signed, a fourth inspection under way): the WAL deleted, cut at several
points or its header zeroed; an older ``ansim.db`` copied in place; an empty one; the newest
record deleted with the head moved back. Then on real small file systems: a disk that fills
during sign-off, and the card remounted read-only. A clock set back between records is a
warning.
"""

import re
import sqlite3

import pytest

from detector.log.storage import DB_FILENAME, DiskFull
from tests.support.signed_log import (copy_files, fill, listed_ids, new_log, open_device,
                                      remount_read_only, sign, small_tmpfs, verify)

WAL = f"{DB_FILENAME}-wal"


def _assert_nothing_lost_unreported(capsys, data, signed):
    """Every signed record is listed, or verify fails and names its seq."""
    try:
        present = listed_ids(capsys, data)
    except AssertionError:  # the log cannot even be listed: verify must say why
        present = set()
    missing = {r.seq for r in signed if r.id not in present}
    answer = verify(capsys, data)
    if not missing:
        return answer
    assert answer["exit_code"] == 1 and not answer["ok"]
    named = set()
    for problem in answer["problems"]:
        for first, last in re.findall(r"#(\d+)-#(\d+)", problem):
            named |= set(range(int(first), int(last) + 1))
    assert missing <= named, (missing, answer["problems"])
    return answer


@pytest.fixture
def running(tmp_path):
    """(data dir, the three signed records, a copy of the files as the writer runs)."""
    data = new_log(tmp_path / "data")
    service = open_device(data)
    signed = sign(service, 3)
    service.start("mapo-7", "Kim Inspector")  # the inspection under way, in the WAL
    card = copy_files(data, tmp_path / "card", names=(DB_FILENAME, WAL, "chain-head.json",
                                                      "device_key.pem"))
    service.close()
    return data, signed, card


def _drop_wal(card):
    (card / WAL).unlink()


def _cut_wal(fraction):
    def cut(card):
        wal = (card / WAL).read_bytes()
        (card / WAL).write_bytes(wal[:int(len(wal) * fraction)])
    return cut


def _zero_wal_header(card):
    wal = bytearray((card / WAL).read_bytes())
    wal[:32] = bytes(32)
    (card / WAL).write_bytes(bytes(wal))


def _empty_database(card):
    (card / DB_FILENAME).write_bytes(b"")
    (card / WAL).unlink(missing_ok=True)


def _head_moved_back(card):
    with sqlite3.connect(card / DB_FILENAME) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        last_id, = db.execute("SELECT id FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        prev = db.execute("SELECT seq, record_hash, id FROM records WHERE id != ? "
                          "ORDER BY seq DESC LIMIT 1", (last_id,)).fetchone()
        db.execute("DELETE FROM record_bodies WHERE id = ?", (last_id,))
        db.execute("DELETE FROM records WHERE id = ?", (last_id,))
        db.execute("UPDATE devices SET head_seq = ?, head_hash = ?, head_id = ?", prev)
        db.execute("DELETE FROM inspections WHERE record_id = ?", (last_id,))


@pytest.mark.parametrize("fault", [
    _drop_wal, _cut_wal(0.0), _cut_wal(0.02), _cut_wal(0.5), _cut_wal(0.99), _zero_wal_header,
    _empty_database, _head_moved_back,
], ids=["wal-deleted", "wal-empty", "wal-header-only", "wal-half", "wal-last-byte-cut",
        "wal-header-zeroed", "db-empty", "head-moved-back"])
def test_file_faults_lose_nothing_unreported(running, capsys, fault):
    _, signed, card = running
    if fault is not _empty_database and not (card / WAL).exists():
        (card / WAL).write_bytes(b"")
    fault(card)
    _assert_nothing_lost_unreported(capsys, card, signed)


def test_an_older_database_copied_in_place_is_reported(tmp_path, capsys):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        signed = sign(service, 2)
    backup = copy_files(data, tmp_path / "backup", names=(DB_FILENAME,))
    with open_device(data) as service:
        signed += sign(service, 2)
    (data / DB_FILENAME).write_bytes((backup / DB_FILENAME).read_bytes())
    answer = _assert_nothing_lost_unreported(capsys, data, signed)
    assert not answer["ok"]


@pytest.mark.slow
def test_a_disk_that_fills_during_sign_off_loses_nothing_signed(tmp_path, capsys):
    with small_tmpfs(tmp_path / "disk") as disk:
        data = new_log(disk / "data")
        signed = []
        with open_device(data) as service:
            signed += sign(service, 2)
            filler = fill(disk)
            try:
                for _ in range(20):  # until the disk refuses one
                    signed += sign(service, 1)
            except DiskFull:
                pass
        _assert_nothing_lost_unreported(capsys, data, signed)
        filler.unlink()
        with open_device(data) as service:
            signed += sign(service, 1)  # and with space again, work goes on
        assert _assert_nothing_lost_unreported(capsys, data, signed)["ok"]


def test_read_only_media_lose_nothing(tmp_path, capsys):
    with small_tmpfs(tmp_path / "card") as card:
        data = new_log(card / "data")
        with open_device(data) as service:
            signed = sign(service, 3)
        remount_read_only(card)
        assert _assert_nothing_lost_unreported(capsys, data, signed)["ok"]


def test_a_clock_set_back_is_a_warning_not_a_loss(tmp_path, capsys):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        signed = sign(service, 2)
        service.clock = lambda: "2020-01-01T00:00:00.000000Z"
        signed += sign(service, 1)
    answer = _assert_nothing_lost_unreported(capsys, data, signed)
    assert answer["ok"] and len(answer["warnings"]) == 1
