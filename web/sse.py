"""Server-sent events: turn one ``EventBus`` subscription into one phone's event stream.

Alerts, step progress and inspection changes go out at once. Spectrum, proximity and optics
status (``detector.engine.live_view``: a sweep's spectrum so far, a scan's suspects per frame) can come
from the engine tens of times a second; a phone needs a few, so each client gets at most one of
each of those kinds per ``interval_s`` and always the newest (older ones waiting in the same
interval are replaced, not queued). A comment line every ``keepalive_s``
keeps an idle stream open through proxies and lets the server notice a phone that has left.

What a role sees is decided here too: volunteers get alerts, progress and inspection changes
only (no spectra, no optics status), and of those only the fields in ``VOLUNTEER_FIELDS``
(never images, evidence or detail that belongs to the log).
"""

import json
from dataclasses import dataclass, field

from detector import i18n
from detector.engine.events import KINDS, Event

THROTTLED_KINDS = frozenset({"spectrum", "proximity", "optics_status"})
VOLUNTEER_KINDS = frozenset({"alert", "progress", "inspection"})
#: The only event fields a volunteer's phone receives.
VOLUNTEER_FIELDS = frozenset({
    "inspection_id", "site_id", "site_name", "state", "event", "step", "stall", "zone",
    "fraction", "done_fraction", "severity", "confirmed", "message_key", "params", "type", "id",
    "verdict",
})
RETRY_MS = 2000


def kinds_for(role: str) -> frozenset:
    return VOLUNTEER_KINDS if role == "volunteer" else KINDS


def visible_data(event: Event, role: str, lang: str) -> dict:
    """The part of ``event`` that ``role`` may see, with its message in the phone's language."""
    data = event.data
    if role == "volunteer":
        data = {k: v for k, v in data.items() if k in VOLUNTEER_FIELDS}
    message = translated_message(event.data, lang)
    return {**data, "message": message} if message else data


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def translated_message(data: dict, lang: str) -> str | None:
    """``message_key`` filled from ``params`` (else from the event's own fields, with the
    figures alert sentences use: ``freq_mhz``, ``standard``, ``place``, ``confidence``)."""
    key = data.get("message_key")
    if not key:
        return None
    if isinstance(data.get("params"), dict):
        params = data["params"]
    else:
        params = {**_alert_figures(data, lang), **data}
    try:
        return i18n.t(key, lang, **params)
    except (i18n.MissingTranslation, KeyError, IndexError, ValueError):
        return None


def _alert_figures(data: dict, lang: str) -> dict:
    figures = {"standard": data.get("video_standard") or "?", "place": "", "stall": "",
               "freq_mhz": "", "confidence": ""}
    if _is_number(data.get("freq_hz")):
        figures["freq_mhz"] = f"{data['freq_hz'] / 1e6:.1f}"
    if _is_number(data.get("confidence")):
        figures["confidence"] = f"{data['confidence']:.2f}"
    zone = data.get("zone")
    if zone:
        try:
            figures["place"] = i18n.t(f"inspect.item.{zone}", lang)
        except i18n.MissingTranslation:
            figures["place"] = str(zone)
    return figures


def format_event(event: Event, data: dict) -> str:
    """One SSE message; the id lets a reconnecting phone ask for what it missed."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_jsonable)
    return f"id: {event.seq}\nevent: {event.kind}\ndata: {payload}\n\n"


def _jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class ClientThrottle:
    """Which events to send now, per client; pure, so it is tested without clocks."""

    interval_s: float
    _last_sent_s: dict = field(default_factory=dict)
    _pending: dict = field(default_factory=dict)

    def offer(self, event: Event, now_s: float) -> list[Event]:
        if event.kind not in THROTTLED_KINDS:
            return [event]
        last_s = self._last_sent_s.get(event.kind)
        if last_s is None or now_s - last_s >= self.interval_s:
            self._pending.pop(event.kind, None)
            self._last_sent_s[event.kind] = now_s
            return [event]
        self._pending[event.kind] = event  # the newest replaces an older one still waiting
        return []

    def due(self, now_s: float) -> list[Event]:
        ready = [e for kind, e in self._pending.items()
                 if now_s - self._last_sent_s[kind] >= self.interval_s]
        for event in ready:
            del self._pending[event.kind]
            self._last_sent_s[event.kind] = now_s
        return sorted(ready, key=lambda e: e.seq)

    def next_due_s(self) -> float | None:
        if not self._pending:
            return None
        return min(self._last_sent_s[kind] + self.interval_s for kind in self._pending)


def event_stream(subscription, role: str, lang: str, *, interval_s: float, keepalive_s: float,
                 monotonic, stopping):
    """Yield SSE text for ``subscription`` until ``stopping`` is set or the client leaves
    (the server then closes this generator, which ends the subscription)."""
    throttle = ClientThrottle(interval_s)
    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        last_write_s = monotonic()
        while not stopping.is_set():
            now_s = monotonic()
            wait_s = keepalive_s - (now_s - last_write_s)
            next_due_s = throttle.next_due_s()
            if next_due_s is not None:
                wait_s = min(wait_s, next_due_s - now_s)
            # Wake at least every second so a stopping server is not held up by idle streams.
            event = subscription.get(timeout_s=min(max(wait_s, 0.0), 1.0))
            now_s = monotonic()
            ready = throttle.offer(event, now_s) if event is not None else []
            ready += throttle.due(now_s)
            if ready:
                yield "".join(format_event(e, visible_data(e, role, lang)) for e in ready)
                last_write_s = now_s
            elif now_s - last_write_s >= keepalive_s:
                yield ": keepalive\n\n"
                last_write_s = now_s
    finally:
        subscription.close()
