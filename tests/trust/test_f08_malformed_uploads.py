"""Finding 8: one device's malformed records crashed ``ansim hub verify`` for the whole city
(``AttributeError``), and hostile upload bodies got 5xx answers. The hub now checks every
record against the record schema (422 naming the field), answers 400 to any body that is not
a JSON object, and verify reports a malformed stored record instead of crashing."""

import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import insert

from detector.log import records
from detector.log.signing import canonical_json, sha256_hex
from detector.log.storage.models import Device, Record, RecordBody
from detector.hub.sync import HubClient, SyncRefused
from detector.log.verify import verify_log

pytestmark = pytest.mark.slow


def _signed(key, body):
    data = canonical_json(body)
    return {"body_text": data.decode(), "record_hash": sha256_hex(data),
            "signature": key.sign(data)}


def _first_body(device):
    key = device.key
    return {"schema": "ansim.record/1", "type": "inspection", "id": new_id(key.device_id),
            "device_id": key.device_id, "seq": 1, "prev_hash": "0" * 64, "prev_id": None,
            "signed_at": "2026-05-09T07:35:25.000000Z", "status": "signed_off",
            "site": {"id": "mapo-7", "name": "Mapo"}, "verdict": "clear", "evidence": []}


def new_id(device_id):
    return records.new_record_id(device_id)


@pytest.mark.parametrize("change", [
    {"evidence": "x"}, {"evidence": [1]}, {"site": 5}, {"alerts": [1, 2]}, {"steps": {"a": 1}},
    {"evidence": [{"sha256": 5}]}, {"seq": True}, {"signed_at": 5}, {"verdict": ["clear"]},
    {"escalation": [1]}, {"type": "photo"}, {"coverage": "x"}, {"inspector": {"a": 1}},
])
def test_signed_but_malformed_records_are_422_naming_the_field(served, make_device, enrolled,
                                                                change):
    device = make_device("malformed")
    client = HubClient(served.url, device.key.device_id, enrolled(device))
    with pytest.raises(SyncRefused) as refused:
        client.post_records([_signed(device.key, {**_first_body(device), **change})])
    assert (refused.value.status, refused.value.code) == (422, "bad_record")
    assert next(iter(change)) in str(refused.value)


@pytest.mark.parametrize("body", [b"[]", b"5", b'"x"', b"null", b"[" * 100_000,
                                  b'{"records": [NaN]}', b'{"records": "x"}',
                                  b'{"records": [{"body_text": "\\ud800", "record_hash": "x",'
                                  b' "signature": "y"}]}',
                                  b'{"records": [{"body_text": "' + b"[" * 5000 + b'",'
                                  b' "record_hash": "x", "signature": "y"}]}'])
def test_hostile_upload_bodies_are_4xx_never_5xx(served, make_device, enrolled, body):
    device = make_device("hostile")
    token = enrolled(device)
    for path in ("/api/hub/records", "/api/hub/evidence/missing"):
        request = urllib.request.Request(served.url + path, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}",
            "X-Ansim-Device": device.key.device_id})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=30)
        assert 400 <= answer.value.code < 500, (path, answer.value.code)
        assert json.loads(answer.value.read())["error"]


def test_hub_verify_reports_malformed_stored_records_instead_of_crashing(
        hub, make_device, enrolled):
    """Records stored by an older hub, before the schema check, must not crash verify."""
    bad = make_device("bad")
    enrolled(bad)
    store = hub.extensions["ansim"].inspections.store
    body = {**_first_body(bad), "evidence": "x", "alerts": [1]}
    upload = _signed(bad.key, body)
    with store.write() as session:
        chain = session.get(Device, bad.key.device_id)
        chain.head_seq, chain.head_hash, chain.head_id = 1, upload["record_hash"], body["id"]
        session.flush()
        session.execute(insert(Record), [{
            "id": body["id"], "device_id": bad.key.device_id, "seq": 1, "type": "inspection",
            "site_id": "mapo-7", "status": "signed_off", "verdict": "clear", "alert_count": 0,
            "signed_at": body["signed_at"], "prev_hash": "0" * 64,
            "record_hash": upload["record_hash"], "signature": upload["signature"]}])
        session.execute(insert(RecordBody), [{"device_id": bad.key.device_id, "id": body["id"],
                                              "body": upload["body_text"]}])
    report = verify_log(store)
    assert not report.ok
    assert any("malformed" in str(p) and p.record_id == body["id"] for p in report.problems)


def test_the_schema_knows_the_engines_verdicts():
    from detector.engine.checklist import VERDICTS  # noqa: PLC0415
    from detector.log.record_schema import VERDICTS as SIGNED_VERDICTS  # noqa: PLC0415

    assert SIGNED_VERDICTS == VERDICTS
