"""``/api/inspections``: start an inspection, run its steps, tick its checklist, give the
verdict and sign it off, the same lifecycle the CLI and the buttons drive
(``detector.engine.inspections.InspectionService``). And ``/inspections/<id>``, the inspector's page.

Volunteers reach only ``/api/inspections/current``, and only its volunteer-safe fields.
"""

import functools

from flask import Blueprint, g, jsonify, render_template, request

from detector.engine.checklist import ITEMS, MARK_STATUSES, VERDICTS
from detector.engine.inspection_steps import (
    SPECTRUM_EVIDENCE_KIND,
    read_spectrum_evidence,
)
from detector.engine.live_view import screen_spectrum
from web.accounts import ROLES, STAFF_ROLES
from web.errors import api_errors, bad_request
from web.security import requires
from web.services import services
from web.sse import VOLUNTEER_FIELDS, translated_message

bp = Blueprint("inspections", __name__)
RUNNING_STATUS = "in_progress"


@bp.route("/inspections/<inspection_id>")
@requires(*STAFF_ROLES)
def inspection_page(inspection_id):
    return render_template("inspect.html", inspection_id=inspection_id, items=ITEMS,
                           statuses=MARK_STATUSES, verdicts=VERDICTS)


@bp.route("/api/inspections")
@requires(*STAFF_ROLES)
def list_inspections():
    status = request.args.get("status") or None
    try:
        limit = min(max(int(request.args.get("limit", 50)), 1), 200)
    except ValueError:
        return bad_request("limit")
    rows = services().inspections.list(status=status, site_id=request.args.get("site_id") or None,
                                       limit=limit)
    return jsonify(inspections=rows)


@bp.route("/api/inspections", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def start():
    body = request.get_json(silent=True) or {}
    stalls = body.get("stalls")
    if stalls is not None and not isinstance(stalls, int):
        return bad_request("stalls")
    state = services().inspections.start(str(body.get("site_id", "")), g.user.display_name,
                                         stalls=stalls)
    return jsonify(id=state.id, inspection=_staff_view(state)), 201


@bp.route("/api/inspections/current")
@requires(*ROLES)
def current():
    """The inspection under way (the newest in progress) and its alerts, for the live page."""
    svc = services()
    rows = svc.inspections.list(status=RUNNING_STATUS, limit=1)
    if not rows:
        return jsonify(inspection=None, alerts=[], running=None)
    state = svc.inspections.get(rows[0]["id"])
    running = svc.steps.running
    summary = {"inspection_id": state.id, "site_id": state.site_id,
               "site_name": state.site.get("name"), "state": state.status,
               "done_fraction": done_fraction(state),
               "step": running["step"] if running else None,
               "zone": running["zone"] if running else None}
    alerts = [_alert_view(a, state) for a in state.alerts]
    return jsonify(inspection=summary, alerts=alerts, running=running)


@bp.route("/api/inspections/<inspection_id>")
@requires(*STAFF_ROLES)
@api_errors
def get_one(inspection_id):
    svc = services()
    running = svc.steps.running
    return jsonify(inspection=_staff_view(svc.inspections.get(inspection_id)),
                   running=running if running and running["inspection_id"] == inspection_id
                   else None)


@bp.route("/api/inspections/<inspection_id>/steps", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def run_step(inspection_id):
    """``{"step": "rf"}``, ``{"step": "optical", "stall": 1, "zone": "door_hook"}`` or
    ``{"step": "optical_all"}``; answers 202 and the step reports on the event stream."""
    body = request.get_json(silent=True) or {}
    steps = services().steps
    step = body.get("step")
    if step == "rf":
        steps.run_rf(inspection_id)
    elif step == "optical":
        stall, zone = body.get("stall"), body.get("zone")
        if not isinstance(stall, int) or zone not in ITEMS:
            return bad_request("stall_or_zone")
        steps.run_optical(inspection_id, stall, zone)
    elif step == "optical_all":
        steps.run_all_optical(inspection_id, services().inspections.get(inspection_id).stalls)
    else:
        return bad_request("step")
    return jsonify(running=steps.running), 202


@bp.route("/api/inspections/<inspection_id>/marks", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def mark(inspection_id):
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("stall"), int):
        return bad_request("stall")
    state = services().inspections.mark(inspection_id, body["stall"], str(body.get("item", "")),
                                        str(body.get("status", "")),
                                        note=str(body.get("note", ""))[:500])
    return jsonify(inspection=_staff_view(state))


@bp.route("/api/inspections/<inspection_id>/alerts/<alert_id>/dismiss", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def dismiss(inspection_id, alert_id):
    """An inspector looked at what raised the alert and found it is not a camera; with
    ``as_fixture`` an IR glow is one of the restroom's own lights, remembered for the site."""
    body = request.get_json(silent=True) or {}
    reason = str(body.get("reason", "")).strip()[:500]
    if not reason:
        return bad_request("reason")
    state = services().inspections.dismiss_alert(inspection_id, alert_id, reason,
                                                 g.user.display_name,
                                                 as_fixture=bool(body.get("as_fixture")))
    return jsonify(inspection=_staff_view(state))


@bp.route("/api/inspections/<inspection_id>/verdict", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def verdict(inspection_id):
    body = request.get_json(silent=True) or {}
    escalation = {k: str(body[k])[:500] for k in ("notified", "report_ref") if body.get(k)}
    state = services().inspections.set_verdict(inspection_id, str(body.get("verdict", "")),
                                               escalation or None)
    return jsonify(inspection=_staff_view(state))


@bp.route("/api/inspections/<inspection_id>/sign-off", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def sign_off(inspection_id):
    svc = services()
    running = svc.steps.running
    if running and running["inspection_id"] == inspection_id:
        return jsonify(error="step_running"), 409
    record = svc.inspections.sign_off(inspection_id, g.user.display_name)
    return jsonify(record_id=record.id, inspection=_staff_view(svc.inspections.get(inspection_id)))


@bp.route("/api/inspections/<inspection_id>/spectrum")
@requires(*STAFF_ROLES)
@api_errors
def spectrum(inspection_id):
    """The latest sweep's spectrum, thinned for a phone's screen: the stored evidence holds
    hundreds of thousands of bins (megabytes); this keeps at most ``SCREEN_POINTS`` with the
    strongest reading of each, so no peak is lost, on the points the live view used
    (``detector.engine.live_view.screen_spectrum``). Reading it is a view of evidence, and logged."""
    svc = services()
    state = svc.inspections.get(inspection_id)
    sweeps = [s for s in state.steps if s["kind"] == "rf_sweep"]
    refs = [e for e in sweeps[-1]["evidence"] if e["kind"] == SPECTRUM_EVIDENCE_KIND] if sweeps else []
    if not refs:
        return jsonify(error="not_found"), 404
    sha = refs[0]["sha256"]
    svc.accounts.log_evidence_view(g.user, sha, inspection_id, request.remote_addr)
    return jsonify(_thinned_spectrum(svc.inspections.evidence, sha))


@functools.lru_cache(maxsize=8)
def _thinned_spectrum(evidence, sha256: str) -> dict:
    return screen_spectrum(*read_spectrum_evidence(evidence, sha256))


def _staff_view(state) -> dict:
    data = state.to_dict()
    data["alerts"] = [{**a, "message": translated_message(a, g.lang)} for a in state.alerts]
    return data


def _alert_view(alert: dict, state) -> dict:
    """An alert as the live page shows it; volunteers get only the safe fields."""
    view = {**alert, "inspection_id": state.id, "site_id": state.site_id,
            "message": translated_message(alert, g.lang)}
    if g.user.role == "volunteer":
        view = {k: v for k, v in view.items() if k in VOLUNTEER_FIELDS | {"message"}}
    return view


def done_fraction(state) -> float:
    """How much of the inspection is done: the RF sweep, then a scan and a mark per place."""
    places = state.stalls * len(ITEMS)
    coverage = state.coverage
    done = (int(bool(coverage.get("rf_swept")))
            + places - len(coverage.get("missing_scans", []))
            + places - len(coverage.get("missing_marks", [])))
    return done / (1 + 2 * places)
