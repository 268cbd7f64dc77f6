"""Supervisors' review: the log of inspections (filtered by site, date, inspector, verdict and,
on the hub, device), one inspection's full record with its evidence, today's coverage, and
exports.

The pages are shells; their data comes from ``/api/log``, ``/api/inspections/<id>`` and
``/api/coverage``. Everything here reads the signed log (``detector.log.logquery``).
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, g, jsonify, render_template, request

from detector.engine.checklist import VERDICTS
from detector.engine.sites import list_sites
from detector.log import records
from detector.log.evidence import EvidenceError
from detector.log.logquery import LogFilter, export_csv, export_json, list_records
from detector.log.storage.models import Record
from detector.timestamps import format_utc, parse_bound
from web.accounts import REVIEW_ROLES
from web.coverage import coverage_on
from web.errors import api_errors, bad_request, json_object
from web.lang import record_number
from web.security import requires
from web.services import services
from web.sse import translated_message

bp = Blueprint("log", __name__)
#: Excel (on Korean Windows too) reads a CSV as UTF-8 only when it starts with this mark;
#: without it, Hangul is garbled.
UTF8_BOM = "\ufeff"


@dataclass(frozen=True)
class ReviewFilter(LogFilter):
    """The log's filter plus the inspector, which supervisors filter by too, and the status
    (coverage counts only signed-off inspections)."""

    inspector: str | None = None
    status: str | None = None
    device_id: str | None = None

    def apply(self, query):
        query = super().apply(query)
        if self.inspector:
            query = query.where(Record.inspector == self.inspector)
        if self.status:
            query = query.where(Record.status == self.status)
        if self.device_id:
            query = query.where(Record.device_id == self.device_id)
        return query


@bp.route("/log")
@requires(*REVIEW_ROLES)
def log_page():
    return render_template("log.html", verdicts=VERDICTS)


@bp.route("/log/<inspection_id>")
@requires(*REVIEW_ROLES)
def record_page(inspection_id):
    return render_template("record.html", inspection_id=inspection_id)


@bp.route("/coverage")
@requires(*REVIEW_ROLES)
def coverage_page():
    return render_template("coverage.html")


@bp.route("/api/log")
@requires(*REVIEW_ROLES)
def log_records():
    log_filter = _filter_from_args()
    if log_filter is None:
        return bad_request("date")
    store = services().inspections.store
    rows, cursor = list_records(store, log_filter, limit=50,
                                before=request.args.get("before") or None)
    names = {site.id: site.name for site in list_sites(store)}
    return jsonify(records=[{**r, "site_name": names.get(r["site_id"])} for r in rows],
                   next=cursor)


@bp.route("/api/log/<record_id>")
@requires(*REVIEW_ROLES)
@api_errors  # two devices holding the id: 409, naming them
def record(record_id):
    """One signed record as stored (its body is what was signed), and what corrects it."""
    store = services().inspections.store
    try:
        with store.read() as session:
            found = records.get(session, record_id, request.args.get("device"))
            supersedes = records.get(session, found.body["supersedes"]).seq \
                if found.body.get("supersedes") else None
    except records.RecordNotFound:
        return jsonify(error="not_found"), 404
    corrections, _ = list_records(store, ReviewFilter(type="correction"), limit=200)
    body = {**found.body, "alerts": [{**a, "message": translated_message(a, g.lang)}
                                     for a in found.body.get("alerts", [])]}
    return jsonify(record=body, record_hash=found.record_hash, seq=found.seq,
                   record_number=record_number(found.seq), device_id=found.device_id,
                   supersedes_number=record_number(supersedes) if supersedes else None,
                   corrected_by=[c["id"] for c in corrections if c["supersedes"] == record_id],
                   corrected_by_numbers=[record_number(c["seq"]) for c in corrections
                                         if c["supersedes"] == record_id])


@bp.route("/api/log/<record_id>/bundle.zip")
@requires(*REVIEW_ROLES)
@api_errors  # two devices holding the id: 409, naming them
def bundle(record_id):
    """The record's evidence bundle (``detector.bundle``). It holds the record's evidence
    files, so each is written to the evidence-view log first, as if opened one by one."""
    from detector.log.bundle import bundle_bytes  # noqa: PLC0415
    from detector.hub.sync import load_state  # noqa: PLC0415

    svc = services()
    store = svc.inspections.store
    try:
        with store.read() as session:
            found = records.get(session, record_id, request.args.get("device"))
    except records.RecordNotFound:
        return jsonify(error="not_found"), 404
    for ref in found.body.get("evidence", []):
        svc.accounts.log_evidence_view(g.user, ref["sha256"], record_id, request.remote_addr)
    data_dir = svc.inspections.evidence.root.parent
    acked = [h["acked_seq"] for h in load_state(data_dir).values()
             if isinstance(h, dict) and isinstance(h.get("acked_seq"), int)]
    try:
        data = bundle_bytes(store, svc.inspections.evidence, record_id, acked)
    except EvidenceError:
        return jsonify(error="evidence_unavailable"), 410
    return Response(data, mimetype="application/zip", headers={
        "Cache-Control": "no-store, private",
        "Content-Disposition": f'attachment; filename="ansim-bundle-{record_id}.zip"'})


@bp.route("/api/log/<record_id>/corrections", methods=["POST"])
@requires(*REVIEW_ROLES)
@api_errors
def correct(record_id):
    """A supervisor's correction: a new signed record pointing to the one it corrects."""
    body = json_object()
    verdict = body.get("verdict") or None
    escalation = {k: str(body[k])[:500] for k in ("notified", "report_ref") if body.get(k)}
    correction = services().inspections.correct(record_id, g.user.display_name,
                                                reason=str(body.get("reason", ""))[:1000],
                                                verdict=verdict, escalation=escalation or None)
    return jsonify(record_id=correction.id), 201


@bp.route("/api/log/export.<fmt>")
@requires(*REVIEW_ROLES)
def export(fmt):
    log_filter = _filter_from_args()
    if log_filter is None or fmt not in ("csv", "json"):
        return bad_request("date" if log_filter is None else "format")
    out = io.StringIO()
    if fmt == "csv":
        out.write(UTF8_BOM)
    (export_csv if fmt == "csv" else export_json)(services().inspections.store, log_filter, out)
    media_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return Response(out.getvalue(), mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="ansim-log.{fmt}"'})


@bp.route("/api/coverage")
@requires(*REVIEW_ROLES)
def coverage():
    svc = services()
    try:
        day = datetime.strptime(request.args["date"], "%Y-%m-%d").date() \
            if request.args.get("date") else None
    except ValueError:
        return bad_request("date")
    return jsonify(coverage_today(svc, day))


def coverage_today(svc, day=None) -> dict:
    """Coverage on ``day`` (today by default), days counted in the city's zone."""
    zone = svc.config.zone
    day = day or svc.clock.now().astimezone(zone).date()
    end_of_day = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    until = format_utc(end_of_day - timedelta(microseconds=1))
    store = svc.inspections.store
    sites = list_sites(store)
    last = {}
    for site in sites:
        rows, _ = list_records(store, ReviewFilter(site_id=site.id, type="inspection",
                                                   until=until, status="signed_off"), limit=1)
        last[site.id] = rows[0] if rows else None
    return coverage_on(day, sites, last, zone)


def _filter_from_args() -> ReviewFilter | None:
    args = request.args
    try:
        since = parse_bound(args["since"]) if args.get("since") else None
        until = parse_bound(args["until"], end=True) if args.get("until") else None
    except ValueError:
        return None
    verdict = args.get("verdict") if args.get("verdict") in VERDICTS else None
    return ReviewFilter(since=since, until=until, site_id=args.get("site_id") or None,
                        verdict=verdict, type=args.get("type") or None,
                        inspector=args.get("inspector") or None,
                        device_id=args.get("device_id") or None)
