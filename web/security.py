"""Who may do what: the login guard, role checks, CSRF tokens, the login rate limit and the
response headers every page gets.

The rules (see docs/dashboard.md):

- anonymous requests reach only the setup (first run), login and join pages, ``/healthz`` and
  the static files the login page needs; the API answers others with 401, pages redirect;
- every state-changing request (POST, PUT, PATCH, DELETE) carries the session's CSRF token,
  as the form field ``csrf_token`` or the header ``X-CSRF-Token``;
- views state the roles they allow at the top, with ``@requires(...)``.
"""

import collections
import functools
import hmac
import secrets
import threading
from urllib.parse import urlsplit

from flask import abort, g, jsonify, redirect, request, session, url_for

from web.accounts import UserInfo

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_ENDPOINTS = frozenset({"auth.setup", "auth.login", "auth.join", "health.healthz",
                              "home.manifest"})
#: Blueprints whose requests carry their own credentials instead of a session cookie (the
#: hub's device uploads: a device id and token). Without a cookie there is nothing for CSRF
#: to forge, and the blueprint's own before-request check authenticates them.
SELF_AUTHENTICATED_BLUEPRINTS = frozenset({"hub_sync"})
#: Static files the login, setup and join pages load before anyone is logged in.
PUBLIC_STATIC = frozenset({"style.css", "app.js", "icon.svg", "icon-192.png", "icon-512.png"})


class LoginLimiter:
    """At most ``max_failures`` failed attempts per key (user name, address) in a sliding
    window of ``window_s``; ``monotonic`` is injectable so tests need not wait."""

    def __init__(self, max_failures: int, window_s: float, monotonic):
        self.max_failures = max_failures
        self.window_s = window_s
        self._monotonic = monotonic
        self._failures: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def retry_after_s(self, *keys: str) -> float:
        """0 if every key may try now, else how long until the oldest failure ages out."""
        now = self._monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._prune(key, now)
                if len(failures) >= self.max_failures:
                    wait = max(wait, failures[0] + self.window_s - now)
        return wait

    def failed(self, *keys: str) -> None:
        now = self._monotonic()
        with self._lock:
            for key in keys:
                self._prune(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _prune(self, key, now):
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse (400) a state-changing request without this session's token."""
    if request.method not in UNSAFE_METHODS or _self_authenticated():
        return
    expected = session.get("csrf")
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        if is_api_request():
            abort(_json_error(400, "csrf"))
        abort(400)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, reason: str):
    response = jsonify(error=reason)
    response.status_code = status
    return response


def log_in(user: UserInfo) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too: no session fixation)."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    csrf_token()


def guard(accounts) -> None:
    """The before-request check: who is asking, and may an anonymous request pass."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        g.user = accounts.get_user(user_id)
        if g.user is None:
            session.clear()
    if g.user is not None or _public(request.endpoint) or _self_authenticated():
        return
    if is_api_request():
        abort(_json_error(401, "login_required"))
    if accounts.needs_first_run():
        abort(redirect(url_for("auth.setup")))
    abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))


def _self_authenticated() -> bool:
    return request.blueprint in SELF_AUTHENTICATED_BLUEPRINTS


def _public(endpoint: str | None) -> bool:
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    if endpoint == "static":
        return (request.view_args or {}).get("filename") in PUBLIC_STATIC
    return False


def requires(*roles: str):
    """Allow only users with one of ``roles``: 403 (JSON for the API) for anyone else."""

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if g.user is None or g.user.role not in roles:
                if is_api_request():
                    abort(_json_error(403, "forbidden"))
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path on this site, never another host."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


def add_security_headers(response):
    """No framing, no MIME sniffing, no third-party anything: the device serves it all."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
