"""Supervisors' pages: the log of inspections (filtered by site, date, inspector, verdict),
one inspection's full record with its evidence, and today's coverage. The pages are shells;
their data comes from ``/api/inspections`` and ``/api/sites``."""

from flask import Blueprint, render_template

from detector.accounts import REVIEW_ROLES
from web.security import requires

bp = Blueprint("log", __name__)


@bp.route("/log")
@requires(*REVIEW_ROLES)
def log_page():
    return render_template("log.html")


@bp.route("/log/<inspection_id>")
@requires(*REVIEW_ROLES)
def record_page(inspection_id):
    return render_template("record.html", inspection_id=inspection_id)


@bp.route("/coverage")
@requires(*REVIEW_ROLES)
def coverage_page():
    return render_template("coverage.html")
