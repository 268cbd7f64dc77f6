"""The landing page each role starts on, and the web app manifest that lets a phone add the
dashboard to its home screen."""

from flask import Blueprint, g, jsonify, redirect, render_template, url_for

from web.accounts import ROLES, STAFF_ROLES
from web.lang import text
from web.security import requires

bp = Blueprint("home", __name__)


@bp.route("/")
@requires(*ROLES)
def index():
    """Volunteers and inspectors land on the live view; supervisors on the log."""
    if g.user.role == "supervisor":
        return redirect(url_for("log.log_page"))
    return render_template("live.html", staff=g.user.role in STAFF_ROLES)


@bp.route("/manifest.webmanifest")
def manifest():
    response = jsonify({
        "name": text("web.app.name"),
        "short_name": "ansim",
        "lang": g.lang,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#12355b",
        "icons": [
            {"src": url_for("static", filename="icon-192.png"), "sizes": "192x192",
             "type": "image/png"},
            {"src": url_for("static", filename="icon-512.png"), "sizes": "512x512",
             "type": "image/png"},
            {"src": url_for("static", filename="icon.svg"), "sizes": "any",
             "type": "image/svg+xml"},
        ],
    })
    response.mimetype = "application/manifest+json"
    return response
