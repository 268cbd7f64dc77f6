"""Devices syncing their signed logs to the hub: a real PostgreSQL server, the hub app served by
waitress on 127.0.0.1, and the device's urllib client, as in the field."""

import hashlib
import json
import random

import pytest
from sqlalchemy import func, select

from detector.hub import devices
from detector.hub.devices import revoke_device
from detector.hub.sync import (
    HubClient,
    HubUnreachable,
    LogDiverged,
    SyncRefused,
    load_state,
    sync_log,
)
from detector.log import records
from detector.log.signing import DeviceKey, canonical_json, sha256_hex
from detector.log.storage.models import RECORD_BODY, Evidence, Record, RecordBody, Site
from detector.log.verify import verify_log
from tests.hub.conftest import hub_app
from tests.hub.lossy_proxy import LossyProxy
from web.server import ServerThread

pytestmark = pytest.mark.slow


def hub_records(app, device_id: str) -> list[tuple[int, str, str]]:
    """(seq, id, body text) of each record of ``device_id`` the hub holds, in chain order."""
    with app.extensions["ansim"].inspections.store.read() as session:
        return [tuple(r) for r in session.execute(
            select(Record.seq, Record.id, RecordBody.body)
            .join(RecordBody, RECORD_BODY)
            .where(Record.device_id == device_id).order_by(Record.seq))]


def as_uploads(signed: list[records.SignedRecord]) -> list[dict]:
    return [{"body_text": r.body_text, "record_hash": r.record_hash, "signature": r.signature}
            for r in signed]


def resealed(key: DeviceKey, original: records.SignedRecord, **changes) -> dict:
    """``original`` with ``changes``, properly hashed and signed by ``key``."""
    data = canonical_json({**original.body, **changes})
    return {"body_text": data.decode(), "record_hash": sha256_hex(data),
            "signature": key.sign(data)}


def test_a_device_log_syncs_whole_and_the_hub_copy_verifies(hub, served, make_device,
                                                             enrolled):
    device = make_device("jongno-handheld")
    found = device.inspect("jongno-1")
    device.correct(found.id)
    device.add_records(120, seed=1)
    token = enrolled(device, "Jongno handheld 1")
    batches = []

    report = sync_log(device.data_dir, served.url, token, batch_records=25,
                      on_batch=lambda r: batches.append(r.head_seq))

    local = device.local_records()
    assert batches == [25, 50, 75, 100, 122]
    assert (report.stored, report.duplicates, report.head_seq) == (122, 0, 122)
    assert report.evidence_unavailable == []
    assert hub_records(hub, device.key.device_id) == [(r.seq, r.id, r.body_text) for r in local]
    inspections = hub.extensions["ansim"].inspections
    verified = verify_log(inspections.store, evidence=inspections.evidence,
                          device_id=device.key.device_id)
    assert verified.ok, verified.problems
    named = {ref["sha256"] for r in local for ref in r.body.get("evidence", [])}
    assert verified.evidence_checked >= len(named) > 12  # the inspection's and every tenth
    with inspections.store.read() as session:
        assert set(session.scalars(select(Evidence.sha256))) == named
        assert session.get(Site, "jongno-1").name == "Jongno Tower public restroom"
    assert load_state(device.data_dir)[served.url]["acked_seq"] == 122

    again = sync_log(device.data_dir, served.url, token)
    assert (again.stored, again.duplicates, again.batches, again.evidence_sent) == (0, 0, 0, 0)


def test_a_resend_is_accepted_once_and_a_different_record_under_its_uuid_is_refused(
        hub, served, make_device, enrolled):
    device, other = make_device("a"), make_device("b")
    device.add_records(6, seed=2)
    other.add_records(2, seed=3)
    token, other_token = enrolled(device), enrolled(other)
    sync_log(device.data_dir, served.url, token)
    local = device.local_records()
    client = HubClient(served.url, device.key.device_id, token)

    answer = client.post_records(as_uploads(local[2:5]))
    assert [r["outcome"] for r in answer["results"]] == ["duplicate"] * 3
    assert answer["head_seq"] == 6

    changed = resealed(device.key, local[3], verdict="found")
    with pytest.raises(SyncRefused) as refused:
        client.post_records([changed])
    assert (refused.value.status, refused.value.code) == (409, "uuid_conflict")
    assert refused.value.record_id == local[3].id and local[3].id in str(refused.value)

    # Another device reusing the UUID (its own chain's next record, properly signed): a record
    # of its own, which leaves this device's record under that id as it was.
    mine = other.local_records()
    reused_id = resealed(other.key, mine[0], id=local[0].id)
    answer = HubClient(served.url, other.key.device_id, other_token).post_records([reused_id])
    assert [r["outcome"] for r in answer["results"]] == ["stored"]

    # A new UUID at a place of the chain the hub already holds: a fork.
    fork = resealed(device.key, local[5], id="0b8e8c7e-0000-4000-8000-000000000001")
    with pytest.raises(SyncRefused) as refused:
        client.post_records([fork])
    assert (refused.value.status, refused.value.code) == (409, "chain_conflict")
    assert [r[1] for r in hub_records(hub, device.key.device_id)] == [r.id for r in local]


def test_tampered_and_foreign_records_are_refused_and_nothing_is_stored(
        hub, served, make_device, enrolled, tmp_path):
    device = make_device("a")
    device.add_records(3, seed=4)
    token = enrolled(device)
    client = HubClient(served.url, device.key.device_id, token)
    first, second, _ = device.local_records()

    edited = {**as_uploads([first])[0],
              "body_text": first.body_text.replace('"verdict":"clear"', '"verdict":"found"')}
    with pytest.raises(SyncRefused) as refused:
        client.post_records([edited])
    assert (refused.value.status, refused.value.code) == (400, "hash_mismatch")

    rehashed = {**edited, "record_hash": sha256_hex(edited["body_text"].encode())}
    with pytest.raises(SyncRefused) as refused:
        client.post_records([rehashed])
    assert (refused.value.status, refused.value.code, refused.value.record_id) == (
        400, "bad_signature", first.id)

    stranger = DeviceKey.load_or_create(tmp_path / "stranger")
    with pytest.raises(SyncRefused) as refused:
        client.post_records([resealed(stranger, first)])
    assert refused.value.code == "bad_signature"

    # Records before a refused one are taken; the refused one and those after it are not.
    with pytest.raises(SyncRefused) as refused:
        client.post_records([*as_uploads([first]), rehashed, *as_uploads([second])])
    assert refused.value.code == "bad_signature"
    assert [r["outcome"] for r in refused.value.answer["results"]] == ["stored"]
    assert [r[0] for r in hub_records(hub, device.key.device_id)] == [1]

    with pytest.raises(SyncRefused) as refused:
        client.post_records(as_uploads(device.local_records()[2:]))
    assert refused.value.code == "out_of_order" and "#1" in str(refused.value)


def test_unknown_devices_wrong_tokens_and_revoked_devices_cannot_upload(
        hub, served, make_device, enrolled):
    device = make_device("a")
    device.add_records(2, seed=5)
    with pytest.raises(SyncRefused) as refused:
        sync_log(device.data_dir, served.url, "a guessed token")
    assert (refused.value.status, refused.value.code) == (401, "unknown_device")
    token = enrolled(device)
    with pytest.raises(SyncRefused) as refused:
        sync_log(device.data_dir, served.url, token[:-2] + "xx")
    assert refused.value.code == "unknown_device"
    revoke_device(hub.extensions["ansim"].inspections.store, device.key.device_id)
    with pytest.raises(SyncRefused) as refused:
        sync_log(device.data_dir, served.url, token)
    assert (refused.value.status, refused.value.code) == (403, "device_revoked")
    assert hub_records(hub, device.key.device_id) == []


def test_a_sync_cut_off_when_the_hub_stops_resumes_without_loss_or_duplicates(
        hub, postgres_url, tmp_path, make_device, enrolled):
    device = make_device("a")
    device.add_records(100, seed=6)
    token = enrolled(device)
    running = ServerThread(hub).__enter__()

    def stop_after_second(report):
        if report.batches == 2:
            running.__exit__(None, None, None)  # the hub goes down between batches

    with pytest.raises(HubUnreachable):
        sync_log(device.data_dir, running.url, token, batch_records=20, timeout_s=10,
                 on_batch=stop_after_second)
    assert len(hub_records(hub, device.key.device_id)) == 40

    restarted = hub_app(postgres_url, tmp_path / "hub")  # the hub's process starts again
    try:
        with ServerThread(restarted) as again:
            report = sync_log(device.data_dir, again.url, token, batch_records=20)
    finally:
        restarted.extensions["ansim"].inspections.close()
    assert (report.stored, report.duplicates, report.head_seq) == (60, 0, 100)
    assert [r[1] for r in hub_records(hub, device.key.device_id)] == \
        [r.id for r in device.local_records()]


def test_an_upload_whose_answer_is_lost_is_neither_lost_nor_duplicated(
        hub, served, make_device, enrolled):
    device = make_device("a")
    device.add_records(60, seed=7)
    token = enrolled(device)

    def lose_third_batch_answer(method, path, n):
        return (method, path, n) == ("POST", "/api/hub/records", 3)

    with LossyProxy(served.url, lose_third_batch_answer) as proxy:
        with pytest.raises(HubUnreachable):
            sync_log(device.data_dir, proxy.url, token, batch_records=10)
        assert load_state(device.data_dir)[proxy.url]["acked_seq"] == 20  # as far as it heard
        assert len(hub_records(hub, device.key.device_id)) == 30  # the hub took the third
        report = sync_log(device.data_dir, proxy.url, token, batch_records=10)
    assert (report.stored, report.head_seq) == (30, 60)
    seqs = [r[0] for r in hub_records(hub, device.key.device_id)]
    assert seqs == list(range(1, 61))


def test_a_device_log_restored_from_an_old_backup_is_not_forked_onto_the_hub(
        served, make_device, enrolled, tmp_path):
    device = make_device("a")
    device.add_records(5, seed=8)
    backup = device.copy_to(tmp_path / "backup")
    device.add_records(5, seed=9)
    token = enrolled(device)
    sync_log(device.data_dir, served.url, token)
    backup.add_records(2, seed=10)  # the restored device goes on inspecting from #5
    with pytest.raises(LogDiverged, match="#10"):
        sync_log(backup.data_dir, served.url, token)


def _hub_admin(hub):
    """A browser session of the hub's first admin, made through the first-run page."""
    client = hub.test_client()
    page = client.get("/setup")
    csrf = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/setup", data={"csrf_token": csrf, "username": "admin",
                                "setup_code": hub.extensions["ansim"].setup_code,
                                "password": "correct horse battery",
                                "password_again": "correct horse battery",
                                "display_name": "Admin Kim"})
    return client


def test_supervisors_see_the_city_in_the_same_views(hub, served, make_device, enrolled):
    a, b = make_device("a"), make_device("b")
    a.add_records(4, seed=11)
    b.add_records(3, seed=12)
    for device in (a, b):
        sync_log(device.data_dir, served.url, enrolled(device))
    client = _hub_admin(hub)
    all_rows = client.get("/api/log").get_json()["records"]
    assert len(all_rows) == 7
    only_b = client.get(f"/api/log?device_id={b.key.device_id}").get_json()["records"]
    assert {r["id"] for r in only_b} == {r.id for r in b.local_records()}
    listed = {d["id"]: d for d in client.get("/api/hub/devices").get_json()["devices"]}
    assert (listed[a.key.device_id]["records"], listed[b.key.device_id]["head_seq"]) == (4, 3)
    assert client.get(f"/api/hub/devices/{a.key.device_id}/verify").get_json()["ok"]
    with hub.extensions["ansim"].inspections.store.read() as session:
        assert session.scalar(select(func.count(Record.id))) == 7


def test_admins_enrol_devices_through_the_api_and_tokens_work_once_issued(
        hub, served, make_device):
    device = make_device("a")
    device.add_records(2, seed=13)
    client = _hub_admin(hub)
    csrf = client.get("/log").get_data(as_text=True).split(
        'name="csrf-token" content="')[1].split('"')[0]
    headers = {"X-CSRF-Token": csrf}
    wrong = client.post("/api/hub/devices", json={"public_key": device.key.public_key_hex,
                                                  "device_id": "dev-0000000000000000"},
                        headers=headers)
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "bad_device"
    enrolled = client.post("/api/hub/devices", json={"public_key": device.key.public_key_hex,
                                                     "label": "Mapo 2"}, headers=headers)
    assert enrolled.status_code == 201
    token = enrolled.get_json()["token"]
    assert enrolled.get_json()["device_id"] == device.key.device_id
    assert sync_log(device.data_dir, served.url, token).stored == 2
    # Without a session the device API is closed to browsers' cookies and to anonymous calls.
    assert hub.test_client().get("/api/hub/sync/head").status_code == 401
    assert hub.test_client().get("/api/hub/devices").status_code == 401


def test_a_device_dashboard_has_no_upload_api(tmp_path):
    from web import create_app  # noqa: PLC0415

    app = create_app({"data_dir": tmp_path / "device", "testing": True})
    try:
        answer = app.test_client().post("/api/hub/records", data=json.dumps({"records": []}))
        assert answer.status_code in (401, 404)
        assert "hub_sync" not in app.blueprints
    finally:
        app.extensions["ansim"].inspections.close()


def test_evidence_files_larger_than_a_page_upload_once_and_by_their_true_hash(
        hub, served, make_device, enrolled):
    device = make_device("a")
    device.add_records(1, seed=14)
    client = HubClient(served.url, device.key.device_id, enrolled(device))
    capture = random.Random(15).randbytes(3 * 1024 * 1024)  # an IQ capture, over the 1 MB
    sha256 = hashlib.sha256(capture).hexdigest()             # limit of the dashboard's forms
    assert client.missing_evidence([sha256]) == [sha256]
    assert client.put_evidence(sha256, capture, "application/octet-stream") == "stored"
    assert client.put_evidence(sha256, capture, "application/octet-stream") == "present"
    assert client.missing_evidence([sha256]) == []
    assert hub.extensions["ansim"].inspections.evidence.read(sha256) == capture
    with pytest.raises(SyncRefused) as refused:
        client.put_evidence("0" * 64, capture, "application/octet-stream")
    assert (refused.value.status, refused.value.code) == (400, "hash_mismatch")


def test_an_upload_token_never_begins_with_a_dash(monkeypatch):
    """``ansim log sync --token TOKEN`` reads a value beginning with '-' as an option, and one
    base64url token in 64 would: such a draw is drawn again."""
    draws = iter(["-BxOt88NWaISUsEjruLxCfXQEdjuF0PrizXcMvvsYSQ",
                  "BxOt88NWaISUsEjruLxCfXQEdjuF0PrizXcMvvsYSQ-"])
    monkeypatch.setattr(devices.secrets, "token_urlsafe", lambda n_bytes: next(draws))
    assert devices.new_upload_token() == "BxOt88NWaISUsEjruLxCfXQEdjuF0PrizXcMvvsYSQ-"
