"""``GET /api/events``: the live stream (server-sent events) every page follows.

A reconnecting browser sends ``Last-Event-ID`` and first gets what it missed (from the bus's
short history). Open streams are capped (``web.services.StreamSlots``): in all
(``max_event_streams``), per login session, and with slots only staff may take; past a cap
the answer is 503 with ``Retry-After``, so the threads that serve pages and the API are never
all held by streams and a volunteer can never starve the inspector. A stream ends when its
session does (logout, or the user removed).
"""

import threading

from flask import Blueprint, Response, current_app, g, jsonify, request, session
from werkzeug.wsgi import ClosingIterator

from web.accounts import ROLES
from web.security import requires
from web.services import services
from web.sse import event_stream, kinds_for

bp = Blueprint("events", __name__)


@bp.route("/api/events")
@requires(*ROLES)
def stream():
    svc = services()
    sid, role = session["sid"], g.user.role
    slot, refused = svc.streams.take(sid, role)
    if refused is not None:
        response = jsonify(error="too_many_streams", limit=refused)
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    since = _last_event_id()
    subscription = svc.bus.subscribe(kinds=kinds_for(role), since=since)
    body = event_stream(subscription, role, g.lang, key=current_app.secret_key,
                        interval_s=svc.config.stream_interval_s,
                        keepalive_s=svc.config.keepalive_s, monotonic=svc.config.monotonic,
                        stopping=svc.stopping,
                        allowed=_still_allowed(svc, slot, sid, g.user.id))
    # Given back when the server closes the response, even one never started (a phone that
    # left at once): a generator's own ``finally`` would not run then, and the slot and the
    # subscription would leak.
    give_back = _once(lambda: svc.streams.give_back(slot, sid, role))
    return Response(ClosingIterator(body, [body.close, subscription.close, give_back]),
                    mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _still_allowed(svc, slot, sid: str, user_id: int):
    """Does this stream still stand: no newer stream of its login took its slot, and its
    session has not ended? Asked by the stream about once a second; reads the database only
    when some session ended since the last look, or once per keepalive."""
    seen = {"epoch": svc.session_epoch.value, "at_s": svc.config.monotonic()}

    def allowed() -> bool:
        if not svc.streams.is_current(slot):
            return False
        epoch, now_s = svc.session_epoch.value, svc.config.monotonic()
        if epoch == seen["epoch"] and now_s - seen["at_s"] < svc.config.keepalive_s:
            return True
        seen.update(epoch=epoch, at_s=now_s)
        return svc.accounts.session_is_live(sid, user_id)

    return allowed


def _once(action):
    lock, done = threading.Lock(), []

    def run():
        with lock:
            if not done:
                done.append(True)
                action()

    return run


def _last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("since")
    try:
        return int(raw) if raw else None
    except ValueError:
        return None
