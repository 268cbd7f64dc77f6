"""Finding 4: a display name with a NUL reached a signed record, PostgreSQL refused it on the
hub (a 500), and every later ``ansim log sync`` stopped at that record.

Now every input refuses control characters (one check, ``detector.textcheck``), and the hub
keeps a record signed before that (its signed text unchanged, U+FFFD in its listing columns)
so the device's queue moves on; a malformed record gets a 4xx the device reports."""

import pytest

from detector.log import records
from web.accounts import AccountError, AccountService
from detector.engine.inspection_rules import InspectionError
from detector.engine.sites import SiteImportError, parse_sites
from detector.log.storage.models import Record
from detector.hub.sync import SyncRefused, sync_log
from detector.log.verify import verify_log
from tests.support.signed_log import new_log, open_device, sign

pytestmark = pytest.mark.slow

NASTY = ["Kim\x00", "Kim\x1b[2J", "Kim\u202eeman", "Kim\x7f", "Ki\x85m", "Kim\ud800"]


@pytest.mark.parametrize("name", NASTY)
def test_the_engine_refuses_control_characters_in_names_notes_and_reasons(tmp_path, name):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        with pytest.raises(InspectionError, match="control character"):
            service.start("mapo-7", name)
        state = service.start("mapo-7", "Kim")
        with pytest.raises(InspectionError, match="control character"):
            service.mark(state.id, 1, "door_hook", "checked", note=name)
        with pytest.raises(InspectionError, match="control character"):
            service.set_verdict(state.id, "suspicious", {"notified": name})
        service.set_verdict(state.id, "suspicious")
        with pytest.raises(InspectionError, match="control character"):
            service.sign_off(state.id, name)
        record = service.sign_off(state.id, "Kim")
        with pytest.raises(InspectionError, match="control character"):
            service.correct(record.id, "Park", reason=name, verdict="found")
        with pytest.raises(InspectionError, match="control character"):
            service.cancel(service.start("mapo-7", "Kim").id, reason=name)


@pytest.mark.parametrize("name", NASTY)
def test_accounts_and_sites_refuse_control_characters(tmp_path, name):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        accounts = AccountService(service.store)
        with pytest.raises(AccountError):
            accounts.create_user("kim", "a long enough password", "inspector", name)
    with pytest.raises(SiteImportError, match="control character"):
        parse_sites(f"id,name\nmapo-7,{name}\n")


def test_a_record_signed_with_a_nul_before_the_fix_does_not_block_the_sync(
        hub, served, make_device, enrolled):
    device = make_device("old-handheld")
    with device.open() as service, service.store.write() as session:
        records.append_many(session, service.signer, [
            {"type": "inspection", "id": f"0b8e8c7e-0000-4000-8000-00000000000{i}",
             "status": "signed_off", "site": {"id": "mapo-7", "name": "Mapo\x00"},
             "inspector": "Kim\x00" if i == 1 else "Kim", "signed_by": "Kim", "stalls": 1,
             "steps": [], "checklist": [], "alerts": [], "coverage": {}, "verdict": "clear",
             "escalation": None, "evidence": [], "software": "ansim 0.0.9"}
            for i in range(1, 4)], "2026-05-09T07:35:25.000000Z")
    report = sync_log(device.data_dir, served.url, enrolled(device))
    assert (report.stored, report.head_seq) == (3, 3)
    inspections = hub.extensions["ansim"].inspections
    with inspections.store.read() as session:
        assert session.get(Record, (device.key.device_id,
                                    "0b8e8c7e-0000-4000-8000-000000000001")).inspector == \
            "Kim\ufffd"
    assert verify_log(inspections.store, device_id=device.key.device_id).ok


def test_a_malformed_record_is_a_4xx_the_device_reports(hub, served, make_device, enrolled):
    device = make_device("bad-handheld")
    with device.open() as service, service.store.write() as session:
        records.append_many(session, service.signer, [
            {"type": "inspection", "id": "0b8e8c7e-0000-4000-8000-000000000009",
             "status": "signed_off", "site": {"id": "mapo-7", "name": "Mapo"},
             "evidence": "not a list", "verdict": "clear"}], "2026-05-09T07:35:25.000000Z")
    with pytest.raises(SyncRefused) as refused:
        sync_log(device.data_dir, served.url, enrolled(device))
    assert 400 <= refused.value.status < 500 and refused.value.code == "bad_record"
    assert "evidence" in str(refused.value)
    assert refused.value.record_id == "0b8e8c7e-0000-4000-8000-000000000009"
