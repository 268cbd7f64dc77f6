"""``GET /api/events``: the live stream (server-sent events) every page follows.

A reconnecting browser sends ``Last-Event-ID`` and first gets what it missed (from the bus's
short history). Open streams are capped (``max_event_streams``); past the cap the answer is
503 with ``Retry-After``, so the threads that serve pages and the API are never all held by
streams.
"""

from flask import Blueprint, Response, g, jsonify, request

from web.accounts import ROLES
from web.security import requires
from web.services import services
from web.sse import event_stream, kinds_for

bp = Blueprint("events", __name__)


@bp.route("/api/events")
@requires(*ROLES)
def stream():
    svc = services()
    if not svc.streams.take():
        response = jsonify(error="too_many_streams")
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    since = _last_event_id()
    subscription = svc.bus.subscribe(kinds=kinds_for(g.user.role), since=since)
    body = event_stream(subscription, g.user.role, g.lang, interval_s=svc.config.stream_interval_s,
                        keepalive_s=svc.config.keepalive_s, monotonic=svc.config.monotonic,
                        stopping=svc.stopping)
    return Response(_released(body, svc.streams), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _released(body, slots):
    try:
        yield from body
    finally:
        body.close()
        slots.give_back()


def _last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("since")
    try:
        return int(raw) if raw else None
    except ValueError:
        return None
