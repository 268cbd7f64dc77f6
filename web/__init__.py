"""The Flask dashboard: live alerts for volunteers' phones, the inspection workflow for
inspectors, log review for supervisors, and the same app as the city-wide hub.

Talks to ``detector`` only, never to ``hardware``; every asset it serves is vendored in
``web/static`` (the device has no internet). ``create_app(config)`` builds the app;
``ansim serve`` runs it on waitress (see docs/dashboard.md).

Example::

    app = create_app({"data_dir": "/tmp/ansim", "simulate": True})
    app.test_client().get("/healthz").json["status"]   # 'ok'
"""

from datetime import datetime, timedelta

from flask import Flask, g, render_template

from web import security, setup_code
from web.config import WebConfig, load_secret_key
from web.lang import choose_language, text, texts_with_prefix
from web.services import build_services, services
from web.views import (
    auth,
    city,
    events,
    evidence,
    health,
    home,
    hub,
    inspections,
    log,
    sites,
    users,
    worklist,
)

BLUEPRINTS = (auth.bp, users.bp, home.bp, events.bp, health.bp, log.bp, inspections.bp, sites.bp,
              evidence.bp, worklist.bp)


def create_app(config, *, bus=None) -> Flask:
    """The dashboard for ``config`` (a ``WebConfig`` or a mapping of its fields). ``bus`` is
    the ``EventBus`` to relay (a new one if None; the benchmark passes its own)."""
    if not isinstance(config, WebConfig):
        config = WebConfig.from_mapping(dict(config))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=load_secret_key(config.data_dir),
        SESSION_COOKIE_NAME="ansim_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=config.session_lifetime_s),
        MAX_CONTENT_LENGTH=config.max_request_bytes,
        TESTING=config.testing,
    )
    svc = app.extensions["ansim"] = build_services(config, bus)
    if svc.accounts.needs_first_run():
        svc.setup_code = setup_code.issue(config.data_dir, config.screen_dir)
    else:  # claimed, perhaps while the dashboard was not running: nothing left to show
        setup_code.discard(config.data_dir, config.screen_dir)
    app.before_request(_before_request)
    app.after_request(security.add_security_headers)
    app.context_processor(_template_globals)
    for blueprint in BLUEPRINTS + (hub.HUB_BLUEPRINTS + (city.bp,) if config.hub else ()):
        app.register_blueprint(blueprint)
    for status in (400, 403, 404, 405, 413, 429, 431):
        app.register_error_handler(status, _error_page)
    return app


def _before_request():
    svc = services()
    g.client_addr = security.client_address(svc.config.trusted_proxies)
    security.guard(svc.accounts)
    g.lang = choose_language(svc.profile.device.language)
    security.check_csrf()


def _template_globals():
    svc = services()
    return {
        "_": text,
        "csrf_token": security.csrf_token,
        "user": g.get("user"),
        "lang": g.get("lang"),
        "script_texts": _script_texts,
        "clock_needs_phone": svc.clock.needs_phone_time,
        "on_hub": svc.config.hub,
        "timezone": svc.config.display_timezone,
        "timezone_label": datetime.now(svc.config.zone).tzname(),
    }


def _script_texts() -> dict[str, str]:
    """The page scripts' texts, with one name per checklist place (``place.<item>``, the
    engine's own ``inspect.item.<item>``) so a place is called the same everywhere."""
    places = {"place." + k.removeprefix("inspect.item."): v
              for k, v in texts_with_prefix("inspect.item.").items()}
    return {**texts_with_prefix("web.js."), **texts_with_prefix("web.found.step."), **places}


def _error_page(error):
    if security.is_api_request():
        return {"error": error.name.lower().replace(" ", "_")}, error.code
    return render_template("error.html", code=error.code), error.code
