"""First-run setup, login, logout, volunteers joining by code, the language switch, and the
device clock taken from a phone.

Like OctoPrint since 1.5 there is no default account: until an admin exists, every page leads
to ``/setup``, which creates one and then closes for good. Setup asks for the one-time code
only the device shows (``web.setup_code``), so the first stranger on the hotspot cannot claim
the device.

Failed logins are limited per address and user name together (a stranger guessing a user's
password slows down only the stranger) and per address over all names; the address is the
client's as the trusted front door reports it (``web.security.client_address``).
"""

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from detector import i18n
from web import setup_code
from web.accounts import CLOCK_ROLES, AccountError
from web.errors import json_object
from web.lang import LANGUAGE_COOKIE
from web.security import log_in, log_out, requires, safe_next
from web.services import services

bp = Blueprint("auth", __name__)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    svc = services()
    accounts = svc.accounts
    if not accounts.needs_first_run():
        return redirect(url_for("auth.login"))
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        key = f"setup:{g.client_addr}"
        try:
            if svc.limiter.retry_after_s(key) > 0:
                status = 429
                raise AccountError("web.error.too_many_attempts")
            if not setup_code.matches(svc.config.data_dir, form.get("setup_code", "")):
                svc.limiter.failed(key)
                raise AccountError("web.error.bad_setup_code")
            if form.get("password", "") != form.get("password_again", ""):
                raise AccountError("web.error.password_mismatch")
            user = accounts.create_first_admin(form.get("username", ""),
                                               form.get("password", ""),
                                               form.get("display_name", ""))
        except AccountError as exc:
            error, status = exc.key, status if status != 200 else 400
        else:
            setup_code.discard(svc.config.data_dir, svc.config.screen_dir)
            svc.setup_code = None
            _start_session(user)
            return redirect(url_for("home.index"))
    return render_template("setup.html", error=error), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    svc = services()
    if svc.accounts.needs_first_run():
        return redirect(url_for("auth.setup"))
    error, status = None, 200
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        pair, address = f"login:{g.client_addr}:{username.lower()}", f"addr:{g.client_addr}"
        wait_s = max(svc.limiter.retry_after_s(pair), svc.address_limiter.retry_after_s(address))
        if wait_s > 0:
            error, status = "web.error.too_many_attempts", 429
        else:
            user = svc.accounts.authenticate(username, request.form.get("password", ""))
            if user is None:
                svc.limiter.failed(pair)
                svc.address_limiter.failed(address)
                error, status = "web.error.bad_login", 401
            else:
                svc.limiter.succeeded(pair)
                _start_session(user)
                return redirect(safe_next(request.args.get("next")))
    response = make_response(render_template("login.html", error=error), status)
    if status == 429:
        response.headers["Retry-After"] = str(int(svc.limiter.window_s))
    return response


@bp.route("/join", methods=["GET", "POST"])
def join():
    """Volunteers: the code (or the QR that carries it) shown on the device, and a name."""
    svc = services()
    error, status = None, 200
    if request.method == "POST":
        key = f"join:{g.client_addr}"
        if svc.limiter.retry_after_s(key) > 0:
            error, status = "web.error.too_many_attempts", 429
        else:
            try:
                user = svc.accounts.redeem_join_code(request.form.get("code", ""),
                                                     request.form.get("display_name", ""))
            except AccountError as exc:
                svc.limiter.failed(key)
                error, status = exc.key, 400
            else:
                _start_session(user)
                return redirect(url_for("home.index"))
    code = request.values.get("code", "")
    return render_template("join.html", error=error, code=code), status


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session on the server too: the old cookie, replayed, no longer logs anyone in."""
    svc = services()
    log_out(svc.accounts)
    svc.session_epoch.bump()
    return redirect(url_for("auth.login"))


@bp.route("/lang", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "")
    if lang not in i18n.LANGUAGES:
        abort(400)
    if g.user is not None:
        services().accounts.set_language(g.user.id, lang)
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="Lax",
                        httponly=True)
    return response


@bp.route("/api/session")
def whoami():
    user = g.user
    return jsonify(username=user.username, display_name=user.display_name, role=user.role,
                   language=g.lang, clock_from_phone=services().clock.from_phone)


@bp.route("/api/clock", methods=["POST"])
@requires(*CLOCK_ROLES)
def phone_clock():
    """An inspector's or admin's phone offers its time; taken only while the device clock is
    unset, and only within sane years (``web.accounts.DeviceClock``)."""
    adopted = _adopt_phone_time(json_object().get("phone_time_ms"))
    return jsonify(adopted=adopted, device_time=services().clock.now().isoformat())


def _start_session(user) -> None:
    log_in(user, services().accounts)
    g.user = user
    _adopt_phone_time(request.form.get("phone_time_ms"))


def _adopt_phone_time(phone_time_ms) -> bool:
    """If the device never learnt the time, take it from this phone (an inspector's or an
    admin's, never a volunteer's) and record that we did."""
    svc = services()
    if (g.user is None or g.user.role not in CLOCK_ROLES or not svc.clock.needs_phone_time
            or phone_time_ms in (None, "") or isinstance(phone_time_ms, bool)):
        return False
    try:
        phone_time = datetime.fromtimestamp(float(phone_time_ms) / 1000.0, UTC)
        system_time = svc.clock.adopt_phone_time(phone_time)
    except (ValueError, TypeError, OverflowError, OSError, AccountError):
        return False
    svc.accounts.record_clock_fix(g.user, system_time, phone_time, g.client_addr)
    return True
