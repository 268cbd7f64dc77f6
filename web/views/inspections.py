"""``/api/inspections``: start an inspection, run its steps, tick its checklist, give the
verdict and sign it off, the same lifecycle the CLI and the buttons drive
(``detector.engine.inspections.InspectionService``). And ``/inspections/<id>``, the inspector's page.

Volunteers reach only ``/api/inspections/current``, and only what ``web.volunteer`` lets
through (never a frequency); the list of inspections (every signed record's summary) is for
supervisors and admins.
"""

import functools

from flask import Blueprint, current_app, g, jsonify, render_template, request

from detector.engine.checklist import ITEMS, MARK_STATUSES, VERDICTS
from detector.engine.found_camera import FOUND_STEPS
from detector.engine.inspection_steps import (
    SPECTRUM_EVIDENCE_KIND,
    read_spectrum_evidence,
)
from detector.engine.live_view import screen_spectrum
from detector.log import records
from rf.bandplan import BAND_PLANS
from rf.hopplan import parse_band
from web.accounts import REVIEW_ROLES, ROLES, STAFF_ROLES
from web.errors import api_errors, bad_request, json_object
from web.lang import record_number
from web.security import requires
from web.services import services
from web.sse import translated_message
from web.volunteer import volunteer_view

bp = Blueprint("inspections", __name__)
RUNNING_STATUS = "in_progress"
#: Who may point the proximity meter at a Wi-Fi transmitter: the people holding the handheld.
FOLLOW_ROLES = frozenset({"admin", "inspector"})


@bp.route("/inspections/<inspection_id>")
@requires(*STAFF_ROLES)
def inspection_page(inspection_id):
    return render_template("inspect.html", inspection_id=inspection_id, items=ITEMS,
                           statuses=MARK_STATUSES, verdicts=VERDICTS, found_steps=FOUND_STEPS,
                           plot=_plot_setup(services().profile))


def _plot_setup(profile) -> dict:
    """What the spectrum plot shades: the bands the sweep covers (where cameras transmit) and
    the licensed services of the device's region inside them (``rf.bandplan``)."""
    bands = [parse_band(name) for name in profile.radio.bands]
    services_in = [s for s in BAND_PLANS.get(profile.device.region, ())
                   if any(s.lo_hz < b.stop_hz and s.hi_hz > b.start_hz for b in bands)]
    return {"bands": [[b.start_hz / 1e6, b.stop_hz / 1e6] for b in bands],
            "services": [[s.lo_hz / 1e6, s.hi_hz / 1e6, s.name] for s in services_in]}


@bp.route("/api/inspections")
@requires(*REVIEW_ROLES)
def list_inspections():
    status = request.args.get("status") or None
    try:
        limit = min(max(int(request.args.get("limit", 50)), 1), 200)
    except (ValueError, OverflowError):
        return bad_request("limit")
    rows = services().inspections.list(status=status, site_id=request.args.get("site_id") or None,
                                       limit=limit)
    return jsonify(inspections=rows)


@bp.route("/api/inspections", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def start():
    body = json_object()
    stalls = body.get("stalls")
    if stalls is not None and not isinstance(stalls, int):
        return bad_request("stalls")
    state = services().inspections.start(str(body.get("site_id", "")), g.user.display_name,
                                         stalls=stalls)
    return jsonify(id=state.id, inspection=_staff_view(state)), 201


@bp.route("/api/inspections/current")
@requires(*ROLES)
def current():
    """The inspection under way (the newest in progress; else the newest one, ended, so a
    phone that opens the page afterwards sees how it ended) and its alerts."""
    svc = services()
    rows = svc.inspections.list(status=RUNNING_STATUS, limit=1) or svc.inspections.list(limit=1)
    if not rows:
        return jsonify(inspection=None, alerts=[], running=None)
    state = svc.inspections.get(rows[0]["id"])
    running = svc.steps.running if state.status == RUNNING_STATUS else None
    summary = {"inspection_id": state.id, "site_id": state.site_id,
               "site_name": state.site.get("name"), "state": state.status,
               "verdict": state.verdict, "done_fraction": done_fraction(state),
               "ended_at": None if state.status == RUNNING_STATUS else rows[0]["updated_at"],
               "step": running["step"] if running else None,
               "zone": running["zone"] if running else None}
    alerts = [_alert_view(a, state) for a in state.alerts]
    if g.user.role == "volunteer":
        summary = volunteer_view(summary, g.lang, current_app.secret_key, is_alert=False)
        running = volunteer_view(running, g.lang, current_app.secret_key, is_alert=False) \
            if running else None
    return jsonify(inspection=summary, alerts=alerts, running=running)


@bp.route("/api/inspections/<inspection_id>")
@requires(*STAFF_ROLES)
@api_errors
def get_one(inspection_id):
    """One inspection; an inspector reopens only their own once it has ended."""
    svc = services()
    running = svc.steps.running
    state = svc.inspections.get(inspection_id)
    if (g.user.role == "inspector" and state.status != RUNNING_STATUS
            and state.inspector != g.user.display_name):
        return jsonify(error="forbidden"), 403
    return jsonify(inspection=_staff_view(state),
                   running=running if running and running["inspection_id"] == inspection_id
                   else None)


@bp.route("/api/inspections/<inspection_id>/steps", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def run_step(inspection_id):
    """``{"step": "rf"}``, ``{"step": "optical", "stall": 1, "zone": "door_hook"}``,
    ``{"step": "optical_all"}`` or ``{"step": "wifi_follow", "mac": "44:47:cc:..."}`` (the
    inspector and admin only: the meter for one transmitter); answers 202 and the step reports
    on the event stream."""
    body = json_object()
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
    elif step == "wifi_follow":
        if g.user.role not in FOLLOW_ROLES:
            return jsonify(error="forbidden"), 403
        if not isinstance(body.get("mac"), str):
            return bad_request("mac")
        steps.run_wifi_follow(inspection_id, body["mac"])
    else:
        return bad_request("step")
    return jsonify(running=steps.running), 202


@bp.route("/api/inspections/<inspection_id>/marks", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def mark(inspection_id):
    body = json_object()
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
    body = json_object()
    reason = str(body.get("reason", "")).strip()[:500]
    if not reason:
        return bad_request("reason")
    state = services().inspections.dismiss_alert(inspection_id, alert_id, reason,
                                                 g.user.display_name,
                                                 as_fixture=bool(body.get("as_fixture")))
    return jsonify(inspection=_staff_view(state))


@bp.route("/api/inspections/<inspection_id>/found-steps", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def found_step(inspection_id):
    """``{"step": "called_112"}``: a step of the found-camera procedure is done, now
    (``detector.found_camera``); the signed record keeps it with its time."""
    body = request.get_json(silent=True) or {}
    if body.get("step") not in FOUND_STEPS:
        return bad_request("step")
    state = services().inspections.record_found_step(inspection_id, body["step"],
                                                     g.user.display_name)
    return jsonify(inspection=_staff_view(state))


@bp.route("/api/inspections/<inspection_id>/verdict", methods=["POST"])
@requires(*STAFF_ROLES)
@api_errors
def verdict(inspection_id):
    body = json_object()
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
    svc.accounts.log_evidence_view(g.user, sha, inspection_id, g.client_addr)
    return jsonify(_thinned_spectrum(svc.inspections.evidence, sha))


@functools.lru_cache(maxsize=8)
def _thinned_spectrum(evidence, sha256: str) -> dict:
    return screen_spectrum(*read_spectrum_evidence(evidence, sha256))


def _staff_view(state) -> dict:
    data = state.to_dict()
    if state.record_id:
        with services().inspections.store.read() as session:
            data["record_number"] = record_number(records.get(session, state.record_id).seq)
    data["alerts"] = [{**a, "message": translated_message(a, g.lang)} for a in state.alerts]
    return data


def _alert_view(alert: dict, state) -> dict:
    """An alert as the live page shows it; volunteers get only what ``web.volunteer`` allows."""
    view = {**alert, "inspection_id": state.id, "site_id": state.site_id}
    if g.user.role == "volunteer":
        return volunteer_view(view, g.lang, current_app.secret_key, is_alert=True)
    return {**view, "message": translated_message(alert, g.lang)}


def done_fraction(state) -> float:
    """How much of the inspection is done: the RF sweep, then a scan and a mark per place."""
    places = state.stalls * len(ITEMS)
    coverage = state.coverage
    done = (int(bool(coverage.get("rf_swept")))
            + places - len(coverage.get("missing_scans", []))
            + places - len(coverage.get("missing_marks", [])))
    return done / (1 + 2 * places)
