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

from web.accounts import STAFF_ROLES, AccountError
from web.errors import json_object, text_field
from web.lang import text
from web.security import requires
from web.services import services

bp = Blueprint("users", __name__)


#: The roles an admin gives, least privilege first (the form's default is the first).
STAFF_ROLES_LEAST_FIRST = ("inspector", "supervisor", "admin")
#: What the admin page may say happened (``?done=...&name=...`` after a change).
_DONE_KEYS = {"added", "disabled", "password_reset"}


@bp.route("/admin")
@requires("admin")
def admin_page(error=None, form=None, status=200):
    done = request.args.get("done")
    notice = text(f"web.admin.done.{done}", name=request.args.get("name", "")[:128]) \
        if done in _DONE_KEYS else None
    return render_template("admin.html", users=services().accounts.list_users(),
                           roles=STAFF_ROLES_LEAST_FIRST, error=error, form=form or {},
                           notice=notice), status


@bp.route("/admin/users/<int:user_id>/disable", methods=["POST"])
@requires("admin")
def disable_from_page(user_id):
    if user_id == g.user.id:
        return admin_page(error="web.error.cannot_disable_self", status=400)
    user = services().accounts.get_user(user_id)
    try:
        services().accounts.disable_user(user_id)
    except AccountError as exc:
        return admin_page(error=exc.key, status=404)
    return redirect(url_for("users.admin_page", done="disabled", name=user.display_name))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@requires("admin")
def reset_password(user_id):
    try:
        user = services().accounts.reset_password(user_id, request.form.get("password", ""))
    except AccountError as exc:
        return admin_page(error=exc.key, status=400)
    return redirect(url_for("users.admin_page", done="password_reset", name=user.display_name))


@bp.route("/api/users")
@requires("admin")
def list_users():
    return jsonify(users=[{"id": u.id, "username": u.username, "display_name": u.display_name,
                           "role": u.role} for u in services().accounts.list_users()])


@bp.route("/api/users", methods=["POST"])
@requires("admin")
def create_user():
    """JSON from scripts; the admin page's plain form gets the page back instead."""
    body = json_object() if request.is_json else request.form
    try:
        user = services().accounts.create_user(*(text_field(body, name) for name in (
            "username", "password", "role", "display_name")))
    except AccountError as exc:
        if not request.is_json:  # the page again, with what was typed (but the password)
            kept = {k: request.form.get(k, "") for k in ("username", "display_name", "role")}
            return admin_page(error=exc.key, form=kept, status=400)
        return jsonify(error=exc.key), 400
    if not request.is_json:
        return redirect(url_for("users.admin_page", done="added", name=user.display_name))
    return jsonify(id=user.id, username=user.username, role=user.role), 201


@bp.route("/api/users/<int:user_id>", methods=["DELETE"])
@requires("admin")
def disable_user(user_id):
    if user_id == g.user.id:
        return jsonify(error="web.error.cannot_disable_self"), 400
    svc = services()
    try:
        svc.accounts.disable_user(user_id)
    except AccountError as exc:
        return jsonify(error=exc.key), 404
    svc.session_epoch.bump()  # their open streams stop at once
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
