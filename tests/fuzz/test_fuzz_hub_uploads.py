"""Fuzzing the hub's upload API (``POST /api/hub/records`` and ``/api/hub/evidence/missing``)
on a real PostgreSQL: hostile JSON, and records properly signed by an enrolled device whose
bodies are mutated. Only an answer below 500 (a refusal naming the problem, or the records
taken) is acceptable, and the hub's copy must still verify or name what is wrong."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.log import records
from detector.log.signing import canonical_json, sha256_hex
from detector.log.verify import verify_log
from tests.fuzz.strategies import JSON_VALUES, mutated_object
from tests.hub.conftest import enrolled, hub, make_device  # noqa: F401 - fixtures
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow


@pytest.fixture
def uploader(hub, make_device, enrolled):  # noqa: F811 - fixtures
    device = make_device("fuzzed")
    token = enrolled(device)
    client = hub.test_client()
    headers = {"Authorization": f"Bearer {token}", "X-Ansim-Device": device.key.device_id}
    return hub, client, headers, device.key


def _body(key) -> dict:
    return {"schema": "ansim.record/1", "type": "inspection",
            "id": records.new_record_id(key.device_id), "device_id": key.device_id, "seq": 1,
            "prev_hash": "0" * 64, "prev_id": None, "signed_at": "2026-05-09T07:35:25.000000Z",
            "status": "signed_off", "site": {"id": "mapo-7", "name": "Mapo"},
            "inspector": "Kim", "signed_by": "Kim", "stalls": 1, "steps": [], "checklist": [],
            "alerts": [{"id": "a1", "severity": "high", "type": "lens"}], "coverage": {},
            "verdict": "found", "escalation": None,
            "evidence": [{"sha256": "ab" * 32, "kind": "lens_crop", "media_type": "image/png",
                          "size_bytes": 10}], "software": "ansim 0.1.0"}


def _signed_upload(key, body) -> dict:
    try:
        data = canonical_json(body)
    except ValueError:  # NaN cannot be canonical: send Python's own text of it
        data = json.dumps(body).encode("utf-8", "surrogatepass")
    text = data.decode("utf-8", "surrogatepass")
    return {"body_text": text, "record_hash": sha256_hex(data), "signature": key.sign(data)}


_PAYLOADS = st.one_of(
    JSON_VALUES.map(lambda v: {"records": v}),
    JSON_VALUES,
    st.lists(JSON_VALUES, max_size=3).map(lambda v: {"records": v}),
)


@given(data=st.data())
def test_uploads_are_answered_below_500(uploader, data):
    app, client, headers, key = uploader
    kind = data.draw(st.sampled_from(["raw", "signed"]))
    if kind == "raw":
        payload = data.draw(_PAYLOADS)
    else:
        body = data.draw(mutated_object(_body(key)))
        payload = {"records": [_signed_upload(key, body)]}
    text = json.dumps(payload).encode("utf-8", "surrogatepass")
    for path in ("/api/hub/records", "/api/hub/evidence/missing"):
        answer = client.post(path, data=text, headers=headers,
                             content_type="application/json")
        assert answer.status_code < 500, (path, answer.status_code, answer.get_data()[:300])
        assert answer.is_json
    inspections = app.extensions["ansim"].inspections
    verify_log(inspections.store, device_id=key.device_id)  # never raises
