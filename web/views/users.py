"""Accounts: the admin page (users, roles) and the join codes and QR codes that let
volunteers onto the device for the day."""

import io

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from web.accounts import ROLES, STAFF_ROLES, AccountError
from web.security import requires
from web.services import services

bp = Blueprint("users", __name__)


@bp.route("/admin")
@requires("admin")
def admin_page():
    error = request.args.get("error")
    return render_template("admin.html", users=services().accounts.list_users(),
                           roles=[r for r in ROLES if r != "volunteer"],
                           error=error if error in _ERROR_KEYS else None)


_ERROR_KEYS = {"web.error.bad_role", "web.error.bad_username", "web.error.short_password",
               "web.error.username_taken"}


@bp.route("/api/users")
@requires("admin")
def list_users():
    return jsonify(users=[{"id": u.id, "username": u.username, "display_name": u.display_name,
                           "role": u.role} for u in services().accounts.list_users()])


@bp.route("/api/users", methods=["POST"])
@requires("admin")
def create_user():
    """JSON from scripts; the admin page's plain form gets the page back instead."""
    body = request.get_json(silent=True) if request.is_json else request.form
    try:
        user = services().accounts.create_user(body.get("username", ""),
                                                body.get("password", ""),
                                                body.get("role", ""),
                                                body.get("display_name", ""))
    except AccountError as exc:
        if not request.is_json:
            return redirect(url_for("users.admin_page", error=exc.key))
        return jsonify(error=exc.key), 400
    if not request.is_json:
        return redirect(url_for("users.admin_page"))
    return jsonify(id=user.id, username=user.username, role=user.role), 201


@bp.route("/api/users/<int:user_id>", methods=["DELETE"])
@requires("admin")
def disable_user(user_id):
    if user_id == g.user.id:
        return jsonify(error="web.error.cannot_disable_self"), 400
    try:
        services().accounts.disable_user(user_id)
    except AccountError as exc:
        return jsonify(error=exc.key), 404
    return "", 204


@bp.route("/volunteers")
@requires(*STAFF_ROLES)
def volunteers_page():
    return render_template("volunteers.html")


@bp.route("/api/join-codes", methods=["POST"])
@requires(*STAFF_ROLES)
def issue_join_code():
    issued = services().accounts.issue_join_code(g.user.id)
    return jsonify(code=issued.code, expires_at=issued.expires_at.isoformat(),
                   join_url=_join_url(issued.code),
                   qr_url=url_for("users.join_qr", code=issued.code)), 201


@bp.route("/join-codes/<code>.svg")
@requires(*STAFF_ROLES)
def join_qr(code):
    """The QR code a volunteer's phone camera scans: the join page with the code filled in."""
    if not code.isalnum() or len(code) > 16:
        abort(404)
    buffer = io.BytesIO()
    segno.make(_join_url(code), error="m").save(buffer, kind="svg", scale=6, border=2,
                                                xmldecl=False)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


def _join_url(code: str) -> str:
    return url_for("auth.join", code=code, _external=True)
