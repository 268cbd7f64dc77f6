"""Finding 15: a record signed earlier than the record before it (the clock was set back
between them) was accepted silently. Verify now warns, naming the record and both times; the
chain itself is intact, so the log is still reported unbroken."""

from tests.support.signed_log import new_log, open_device, sign, verify


def test_a_backwards_clock_jump_between_records_is_a_warning(tmp_path, capsys):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        sign(service, 1)
        service.clock = lambda: "2026-01-01T00:00:00.000000Z"
        jumped = sign(service, 1)[0]
    answer = verify(capsys, data)
    assert answer["ok"]
    assert len(answer["warnings"]) == 1
    warning = answer["warnings"][0]
    assert "record #2 was signed at 2026-01-01T00:00:00.000000Z" in warning
    assert "the clock was set back" in warning and jumped.seq == 2


def test_time_going_forward_gives_no_warning(tmp_path, capsys):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        sign(service, 3)
    assert verify(capsys, data)["warnings"] == []
