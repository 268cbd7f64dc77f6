"""``/api/worklist``: an inspector's day on one screen. The sites due today (from each site's
schedule in the sites CSV, days counted in the city's zone), every site to pick another, and
the inspector's own signed records to reopen."""

from flask import Blueprint, g, jsonify

from detector.engine.sites import list_sites
from detector.log.logquery import list_records
from web.accounts import STAFF_ROLES
from web.lang import record_number
from web.security import requires
from web.services import services
from web.views.log import ReviewFilter, coverage_today

bp = Blueprint("worklist", __name__)
MY_RECORDS = 10


@bp.route("/api/worklist")
@requires(*STAFF_ROLES)
def worklist():
    svc = services()
    today = coverage_today(svc)
    due = sorted((s for s in today["sites"] if s["due"]), key=lambda s: (s["done"], s["name"]))
    sites = sorted(list_sites(svc.inspections.store), key=lambda s: s.name)
    rows, _ = list_records(svc.inspections.store,
                           ReviewFilter(inspector=g.user.display_name, type="inspection"),
                           limit=MY_RECORDS)
    names = {s.id: s.name for s in sites}
    mine = [{"id": r["id"], "site_id": r["site_id"], "site_name": names.get(r["site_id"]),
             "status": r["status"], "verdict": r["verdict"], "updated_at": r["signed_at"],
             "record_number": record_number(r["seq"])} for r in rows]
    return jsonify(date=today["date"], due=due, mine=mine,
                   sites=[{"site_id": s.id, "name": s.name} for s in sites])
