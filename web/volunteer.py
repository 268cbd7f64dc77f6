"""What a volunteer's phone may know of an inspection: where and how far it is, its alerts as
plain sentences with their times, and its end. Never a frequency, a MAC address, an image or
any other detail that belongs to the log.

Every event and every alert bound for a volunteer goes through ``volunteer_view``, which keeps
only ``VOLUNTEER_FIELDS`` and rewrites the three that could carry a transmitter's identity:

- ``id`` and ``replaces``: an alert's id names its frequency (``rf:video:1200.1MHz``), so a
  volunteer gets an opaque id instead, an HMAC of it under the app's secret key (stable, so a
  later event can say which alert it replaces; not reversible by trying frequencies).
- ``message``: the alert's sentence from ``live.alert.<type>``, which names the stall and the
  place only (an alert type without such a sentence gets ``live.alert.other``).
- ``dismissed``: only the inspector's reason and its time, not who dismissed it.
"""

import hashlib
import hmac

from detector import i18n
from detector.engine.checklist import ITEMS

#: The only event and alert fields a volunteer's phone receives.
VOLUNTEER_FIELDS = frozenset({
    "inspection_id", "site_id", "site_name", "state", "event", "step", "stall", "zone",
    "fraction", "done_fraction", "severity", "confirmed", "type", "verdict", "raised_at",
    "ended_at",
})
OPAQUE_ID_CHARS = 16


def opaque_id(alert_id: str, key: bytes) -> str:
    """An alert id a volunteer may see: the same alert always gets the same one."""
    digest = hmac.new(key, str(alert_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return "a" + digest[:OPAQUE_ID_CHARS]


def volunteer_message(data: dict, lang: str) -> str:
    """The alert's sentence for a volunteer: what and where, never a frequency. The sentence
    is ``live.alert.<x>`` for the alert's ``message_key`` ``inspect.alert.<x>`` when there is
    one (a known fixture's light, a Wi-Fi camera's stream and a phone's video call read
    differently), else that of ``<x>`` less its last part (``wifi_video.camera.far.untested``
    reads as ``wifi_video.camera.far`` when the phone's sentence says nothing of the light),
    else ``live.alert.<type>``, else ``live.alert.other``."""
    catalogue = i18n.catalogue(lang)
    message_key = str(data.get("message_key") or "")
    keys = [f"live.alert.{data.get('type')}", "live.alert.other"]
    if message_key.startswith("inspect.alert."):
        specific = "live.alert." + message_key.removeprefix("inspect.alert.")
        keys[:0] = [specific, specific.rsplit(".", 1)[0]]
    key = next(k for k in keys if k in catalogue or k == "live.alert.other")
    place = i18n.t(f"inspect.item.{data['zone']}", lang) \
        if data.get("zone") in ITEMS else ""
    stall = data.get("stall") if isinstance(data.get("stall"), int) else ""
    return i18n.t(key, lang, stall=stall, place=place)


def volunteer_view(data: dict, lang: str, key: bytes, *, is_alert: bool) -> dict:
    """The part of an event or alert a volunteer may see (see the module docstring)."""
    view = {k: v for k, v in data.items() if k in VOLUNTEER_FIELDS}
    if is_alert:
        if data.get("id") is not None:
            view["id"] = opaque_id(data["id"], key)
        view["replaces"] = [opaque_id(r, key) for r in data.get("replaces") or []]
        view["message"] = volunteer_message(data, lang)
        dismissed = data.get("dismissed")
        if isinstance(dismissed, dict):
            view["dismissed"] = {"reason": str(dismissed.get("reason", "")),
                                 "at": dismissed.get("at")}
    return view
