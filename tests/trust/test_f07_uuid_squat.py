"""Finding 7: another enrolled device could upload, first, a record under a device's
inspection UUID (visible on the dashboard before it syncs) and block that device's sync for
good. Record ids are now bound to the device that signs them; the hub refuses another
device's record under such an id."""

import pytest

from detector.hub.sync import HubClient, SyncRefused, sync_log
from detector.log import records
from detector.log.records import id_names_another_device, new_record_id
from detector.log.signing import canonical_json, sha256_hex
from detector.log.verify import verify_log
from tests.web.conftest import Browser

pytestmark = pytest.mark.slow


def test_another_device_cannot_squat_an_inspection_id(hub, served, make_device, enrolled):
    victim, squatter = make_device("victim"), make_device("squatter")
    victim_token, squatter_token = enrolled(victim), enrolled(squatter)
    squatter.add_records(1, seed=7)
    sync_log(squatter.data_dir, served.url, squatter_token)
    service = victim.open()
    state = service.start("jongno-1", "Kim Inspector")  # its id is on the dashboard at once
    own = squatter.local_records()[-1]
    stolen = canonical_json({**own.body, "id": state.id, "seq": 2, "prev_hash": own.record_hash,
                             "prev_id": own.id})
    try:
        with pytest.raises(SyncRefused) as refused:
            HubClient(served.url, squatter.key.device_id, squatter_token).post_records([{
                "body_text": stolen.decode(), "record_hash": sha256_hex(stolen),
                "signature": squatter.key.sign(stolen)}])
        assert (refused.value.status, refused.value.code) == (403, "wrong_device")
        service.set_verdict(state.id, "suspicious")
        service.sign_off(state.id, "Kim Inspector")
    finally:
        service.close()
    report = sync_log(victim.data_dir, served.url, victim_token)
    assert (report.stored, report.head_seq) == (1, 1)


def test_bound_ids_name_their_device_and_only_it():
    a, b = "dev-1585cf7722ab319f", "dev-0000cf7722ab319f"
    ids = {new_record_id(a) for _ in range(1000)}
    assert len(ids) == 1000
    assert not any(id_names_another_device(i, a) for i in ids)
    assert all(id_names_another_device(i, b) for i in ids)


def test_a_legacy_id_taken_first_by_another_device_does_not_block_its_owner(
        hub, served, make_device, enrolled):
    """Records signed before ids named their device carry random (version 4) ids, which name
    no device: the hub keys every record by (device, id), so a squatter that uploads one first
    gets a record of its own, and the owner's sync goes through whole."""
    victim, squatter = make_device("victim"), make_device("squatter")
    victim_token, squatter_token = enrolled(victim), enrolled(squatter)
    victim.add_records(3, seed=11)  # legacy records: random version 4 ids
    legacy = victim.local_records()
    squatter.add_records(1, seed=12)
    own = squatter.local_records()[0]
    stolen = canonical_json({**own.body, "id": legacy[0].id})
    answer = HubClient(served.url, squatter.key.device_id, squatter_token).post_records([{
        "body_text": stolen.decode(), "record_hash": sha256_hex(stolen),
        "signature": squatter.key.sign(stolen)}])
    assert [r["outcome"] for r in answer["results"]] == ["stored"]

    report = sync_log(victim.data_dir, served.url, victim_token)

    assert (report.stored, report.head_seq) == (3, 3)
    inspections = hub.extensions["ansim"].inspections
    for device in (victim, squatter):
        verified = verify_log(inspections.store, device_id=device.key.device_id)
        assert verified.ok, verified.problems
    with inspections.store.read() as session:
        assert records.get(session, legacy[0].id, device_id=victim.key.device_id).body_text \
            == legacy[0].body_text
        assert records.get(session, legacy[0].id, device_id=squatter.key.device_id).body_text \
            == stolen.decode()
        with pytest.raises(records.AmbiguousRecord):  # by id alone: say which device's
            records.get(session, legacy[0].id)
    accounts = hub.extensions["ansim"].accounts
    accounts.create_first_admin("admin", "correct horse battery", "Admin Kim")
    accounts.create_user("park", "a long enough password", "supervisor")
    supervisor = Browser(hub)
    assert supervisor.login("park", "a long enough password").status_code == 302
    assert supervisor.page(f"/api/log/{legacy[0].id}").status_code == 409
    shown = supervisor.page(f"/api/log/{legacy[0].id}?device={victim.key.device_id}").get_json()
    assert shown["device_id"] == victim.key.device_id and shown["record_hash"] == \
        legacy[0].record_hash
