"""Finding 14: on a full disk, or on read-only media (a card mounted read-only to be
examined), the log could not even be read or verified: opening tried to recover cut-off
inspections and to create a lock file. Now both read and verify."""

from tests.support.signed_log import (fill, listed_ids, new_log, open_device, remount_read_only,
                                      sign, small_tmpfs, verify)


def test_a_log_on_read_only_media_can_be_listed_and_verified(tmp_path, capsys):
    with small_tmpfs(tmp_path / "card") as card:
        data = new_log(card / "data")
        with open_device(data) as service:
            signed = sign(service, 2)
        (data / "ansim.db.lock").unlink()  # a card examined elsewhere has no lock file
        remount_read_only(card)
        assert listed_ids(capsys, data) == {r.id for r in signed}
        answer = verify(capsys, data)
        assert answer["ok"] and answer["records_checked"] == 2


def test_a_log_on_a_full_disk_with_a_cut_off_inspection_can_be_verified(tmp_path, capsys):
    with small_tmpfs(tmp_path / "disk") as disk:
        data = new_log(disk / "data")
        service = open_device(data)
        signed = sign(service, 2)
        service.start("mapo-7", "Kim Inspector")  # cut off: recovery would need to write
        fill(disk)
        service.store.engine.dispose()  # the process dies without sealing it
        service.store._lock_file.close()
        assert listed_ids(capsys, data) == {r.id for r in signed}
        assert verify(capsys, data)["ok"]
