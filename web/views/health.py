"""``GET /healthz``: is the dashboard up (for systemd, the hub's monitoring and tests).
Anonymous, so it says nothing else: not whether the device is set up (a stranger on the
hotspot would learn it is up for the taking), nor how many phones are watching."""

from flask import Blueprint, jsonify

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    return jsonify(status="ok")
