"""The city hub's API: devices upload their signed records and evidence; admins enrol them.

Registered only when the app runs as the hub (``WebConfig.database_url``, ``ansim hub``).

Two blueprints:

- ``hub_sync``, for devices: no session cookie; each request names the device
  (``X-Ansim-Device``) and carries its upload token (``Authorization: Bearer ...``), checked
  before the view runs. ``GET /api/hub/sync/head`` (where to resume), ``POST
  /api/hub/evidence/missing`` (which files the hub lacks), ``PUT /api/hub/evidence/<sha256>``
  (one file), ``POST /api/hub/records`` (a batch of records, in chain order).
- ``hub``, for people (session, CSRF, roles): ``GET /api/hub/devices`` (admin, supervisor),
  ``POST /api/hub/devices`` (admin: enrol, answers the token once),
  ``POST /api/hub/devices/<id>/revoke`` (admin), ``GET /api/hub/devices/<id>/verify``
  (admin, supervisor: the hub's copy of that device's chain, re-checked).

Refusals are JSON: ``{"error": code, "message": sentence in the request's language,
"record_id"}``; a records batch always answers what it took (``results``) and the device's
chain head on the hub, also when it stops at a refusal.
"""

from flask import Blueprint, g, jsonify, request

from detector.hub import devices as hub_devices
from detector.hub import intake as hub_intake
from detector.hub.devices import DeviceRevoked, HubDeviceError, UnknownDevice
from detector.hub.intake import IntakeRefused, Upload
from detector.errors import DetectorError
from detector.i18n import describe_problem, t
from detector.log.verify import verify_log
from web.errors import json_object
from web.security import requires
from web.services import services

MAX_BATCH_RECORDS = 500
MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # a batch of records, or one evidence file (IQ captures)

sync_bp = Blueprint("hub_sync", __name__)
admin_bp = Blueprint("hub", __name__)
HUB_BLUEPRINTS = (sync_bp, admin_bp)


@sync_bp.before_request
def _authenticate_device():
    request.max_content_length = MAX_UPLOAD_BYTES
    header = request.headers.get("Authorization", "")
    token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
    try:
        g.device = hub_devices.authenticate(services().inspections.store,
                                            request.headers.get("X-Ansim-Device", ""), token)
    except DeviceRevoked as exc:
        return _refusal(403, "device_revoked", exc)
    except UnknownDevice as exc:
        return _refusal(401, "unknown_device", exc)
    return None


@sync_bp.route("/api/hub/sync/head")
def head():
    return jsonify(hub_intake.chain_head(services().inspections.store, g.device.id))


@sync_bp.route("/api/hub/evidence/missing", methods=["POST"])
def evidence_missing():
    hashes = _json_object().get("sha256")
    if not isinstance(hashes, list):
        return _refusal(400, "bad_request", DetectorError(
            'send {"sha256": [...]}', problem="send_sha256_list", example='{"sha256": [...]}'))
    try:
        missing = hub_intake.missing_evidence(services().inspections.evidence, hashes)
    except IntakeRefused as exc:
        return _refusal(exc.status, exc.code, exc)
    return jsonify(missing=missing)


@sync_bp.route("/api/hub/evidence/<name>", methods=["PUT"])
def evidence_upload(name):
    try:
        outcome = hub_intake.store_evidence(services().inspections.evidence, name,
                                            request.get_data(cache=False))
    except IntakeRefused as exc:
        return _refusal(exc.status, exc.code, exc)
    return jsonify(sha256=name, outcome=outcome), 201 if outcome == "stored" else 200


@sync_bp.route("/api/hub/records", methods=["POST"])
def records_upload():
    items = _json_object().get("records")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH_RECORDS:
        return _refusal(400, "bad_request", DetectorError(
            f"send {{\"records\": [...]}} with 1 to {MAX_BATCH_RECORDS} records",
            problem="send_records_list", example='{"records": [...]}', max=MAX_BATCH_RECORDS))
    try:
        uploads = [Upload.from_json(item, i) for i, item in enumerate(items)]
    except IntakeRefused as exc:
        return _refusal(exc.status, exc.code, exc)
    svc = services()
    result = hub_intake.accept_records(svc.inspections.store, svc.inspections.evidence,
                                       g.device, uploads)
    answer = {"results": result.outcomes, "head_seq": result.head_seq,
              "head_hash": result.head_hash, "head_id": result.head_id,
              "missing_evidence": result.missing_evidence}
    if result.refused is None:
        return jsonify(answer)
    refused = result.refused
    return jsonify({**answer, "error": refused.code, "record_id": refused.record_id,
                    "message": _message(refused.code, refused)}), refused.status


@admin_bp.route("/api/hub/devices")
@requires("admin", "supervisor")
def devices():
    return jsonify(devices=[d.to_dict() for d in
                            hub_devices.list_devices(services().inspections.store)])


@admin_bp.route("/api/hub/devices", methods=["POST"])
@requires("admin")
def enrol():
    body = json_object()
    try:
        enrolment = hub_devices.enrol_device(
            services().inspections.store, str(body.get("public_key", "")),
            label=str(body.get("label", "")), by=g.user.display_name,
            device_id=str(body["device_id"]) if body.get("device_id") else None)
    except HubDeviceError as exc:
        return _refusal(400, "bad_device", exc)
    return jsonify(device_id=enrolment.device_id, token=enrolment.token,
                   label=enrolment.label), 201


@admin_bp.route("/api/hub/devices/<device_id>/revoke", methods=["POST"])
@requires("admin")
def revoke(device_id):
    try:
        hub_devices.revoke_device(services().inspections.store, device_id)
    except UnknownDevice as exc:
        return _refusal(404, "unknown_device", exc)
    return jsonify(device_id=device_id, revoked=True)


@admin_bp.route("/api/hub/devices/<device_id>/verify")
@requires("admin", "supervisor")
def verify(device_id):
    inspections = services().inspections
    report = verify_log(inspections.store, evidence=inspections.evidence, device_id=device_id)
    return jsonify(ok=report.ok, records_checked=report.records_checked,
                   evidence_checked=report.evidence_checked,
                   problems=[str(p) for p in report.problems])


def _json_object() -> dict:
    """The request's JSON object; ``{}`` for anything else (not JSON, an array, a number, or
    nested deeper than the decoder's stack), which each view then refuses with a 400."""
    try:
        value = request.get_json(silent=True)
    except RecursionError:
        value = None
    return value if isinstance(value, dict) else {}


def _refusal(status: int, code: str, refused: DetectorError):
    return jsonify(error=code, message=_message(code, refused)), status


def _message(code: str, refused: DetectorError) -> str:
    """The refusal in the request's language: the reason its code names, then the hub's
    detail (ids, numbers) said by its problem code (``detector.i18n.describe_problem``)."""
    lang = g.get("lang")
    return f"{t(f'hub.refused.{code}', lang)}: {describe_problem(refused, lang)}"
