"""``/api/sites``: the registry of restrooms (imported with ``ansim sites import``), for
picking the site to inspect, and its CSV export for supervisors."""

import io

from flask import Blueprint, Response, jsonify

from detector.engine.sites import export_sites, list_sites
from web.accounts import REVIEW_ROLES, STAFF_ROLES
from web.security import requires
from web.services import services

bp = Blueprint("sites", __name__)


@bp.route("/api/sites")
@requires(*STAFF_ROLES)
def sites():
    return jsonify(sites=[s.to_dict() for s in list_sites(services().inspections.store)])


@bp.route("/api/sites/export.csv")
@requires(*REVIEW_ROLES)
def export():
    out = io.StringIO()
    export_sites(services().inspections.store, out)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="sites.csv"'})
