"""``GET /healthz``: is the dashboard up (for systemd, the hub's monitoring and tests).
Anonymous, so it says nothing that needs a login."""

from flask import Blueprint, jsonify

from web.services import services

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    svc = services()
    return jsonify(status="ok", setup_needed=svc.accounts.needs_first_run(),
                   open_streams=svc.streams.open_count)
