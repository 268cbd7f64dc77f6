"""Fusion: RF and optical findings of one inspection become alerts, each with a severity and the
evidence behind it.

``alerts_for(steps)`` is pure: it takes the completed steps (as stored, see
``detector.engine.inspection_steps``) and returns every alert, so the engine recomputes alerts after
each step and publishes the new ones on the event bus (kind ``"alert"``).

The alerts:

=====================  ========  =========  ================================================
type                   severity  confirmed  from
=====================  ========  =========  ================================================
``camera_located``     critical  yes        a video transmitter strongest where a lens glints
``camera_located``     critical  yes        a Wi-Fi transmitter answering the light where a
                                            lens glints (or an IR glow shows); added to the
                                            RF's alert when that located the same place
``wifi_camera``        high      yes        a Wi-Fi transmitter answering the light at a place
``wifi_video``         medium    no         a Wi-Fi ``camera``/``video_stream`` that does not
                                            answer the light
``wifi_new``           medium    no         a Wi-Fi transmitter new to the site and close, a
                                            new access point, or a known one much louder
``wifi_new``           low       no         ... new, heard only from further away
``video_transmitter``  high      yes        an emitter whose signal carries a TV line rate
``lens``               high      yes        a retro-reflecting lens (confidence >= 0.5)
``lens``               medium    no         a weaker lens candidate
``ir_emitter``         high      no         an IR glow in the LED-off frames (night vision)
``ir_emitter``         info      no         ... at a place with as many known fixtures
``visible_led``        info      no         a steady glow whose colour is a visible LED's
``new_emitter``        medium    no         new or stronger than the site's baseline
``new_emitter``        low       no         ... of a broadcast service
``place_change``       medium    no         a new or changed thing at a place since the site's
                                            last signed-off inspection (a hole, a hook, ...)
``place_change``       low       no         ... a thing that is gone
=====================  ========  =========  ================================================

A video transmitter that reads strongest (within ``NEAR_MARGIN_DB`` of its strongest, and at least
``MIN_RISE_DB`` above its median over all places scanned) at the place where a lens glints is one
``camera_located`` alert that replaces the two it explains: the RF says a camera
is transmitting, the optics say where, and the proximity readings tie the two together.

The Wi-Fi survey's steps (kind ``wifi_survey``) become at most one alert per transmitter,
the strongest its steps support: answering the light where a lens glints is one
``camera_located`` alert replacing the lens alert, answering elsewhere a ``wifi_camera`` alert
naming the place, streaming video without answering ``wifi_video``, new to the site's Wi-Fi
baseline or much louder than usual ``wifi_new``. That rule, with the times and the merging of
repeats, has one home: ``detector.engine.wifi_alerts``. Wi-Fi silence never makes a restroom
clear: a camera that records to a card sends nothing.

A scan of a place where the site has known optical fixtures (``detector.engine.fixtures``; the scan's
result lists them under ``fixtures``) reports its IR glows as information, each with the fixture
(``fixture``: its id, reason, who marked it, when and in which record) and the message
``inspect.alert.ir_fixture``, as long as there are no more glows than fixtures there: one glow
more, and every glow of the place is an alert as before, since nothing tells which is the new
one. An info alert does not stand in the way of ``clear``; a lens is never a fixture.

Each alert carries ``raised_at``: when the step that raised it finished (the later of the two
steps for ``camera_located``), so a phone shows when it happened, not when it was looked at.

A place change (``optics.change``: the scan's keyframe against the place's keyframe from the
site's last signed-off inspection) asks the inspector to look at the spot and mark it: its
evidence is both crops side by side, and a new or changed thing is medium, so ``clear`` waits
until someone has looked and dismissed it with a reason (a new soap dispenser) or reported it.
"""

import statistics

from detector.engine.wifi_alerts import wifi_alerts
from detector.log.severity import SEVERITIES

CONFIRMED_LENS_CONFIDENCE = 0.5
NEAR_MARGIN_DB = 3.0  # within this of the strongest reading counts as "the inspector is near it"
MIN_RISE_DB = 1.0  # ... and it must read at least this much above the median of all places
SAME_EMITTER_HZ = 1.0e6  # proximity readings within this of an emitter's frequency are of it


def alerts_for(steps: list[dict]) -> list[dict]:
    """Every alert the steps support, strongest first."""
    rf_steps = [s for s in steps if s["kind"] == "rf_sweep"]
    optical = [s for s in steps if s["kind"] == "optical_scan"]
    rf_alerts = _rf_alerts(rf_steps[-1]) if rf_steps else []
    optical_alerts = [a for s in optical for a in _optical_alerts(s) + _change_alerts(s)]
    fused, replaced = _fuse(rf_alerts, optical_alerts, optical)
    from_wifi, wifi_replaced = wifi_alerts(steps, optical_alerts, fused, _alert)
    fused += from_wifi
    replaced |= wifi_replaced
    alerts = fused + [a for a in rf_alerts + optical_alerts if a["id"] not in replaced]
    return sorted(alerts, key=lambda a: (-SEVERITIES.index(a["severity"]), a["id"]))


def _alert(alert_id, alert_type, severity, confirmed, evidence, **where) -> dict:
    return {"id": alert_id, "type": alert_type, "severity": severity, "confirmed": confirmed,
            "message_key": f"inspect.alert.{alert_type}", "evidence": sorted(set(evidence)),
            "replaces": [], **where}


def _freq_id(freq_hz: float) -> str:
    return f"{round(freq_hz / 1e5) / 10:.1f}MHz"


def _raised(step: dict) -> dict:
    return {"raised_at": step["finished_at"]} if step.get("finished_at") else {}


def is_video(emitter: dict) -> bool:
    return emitter.get("kind") == "analog_video" and bool(
        emitter.get("video_standard") or emitter.get("line_rate_hz"))


def _rf_alerts(step: dict) -> list[dict]:
    evidence = [e["sha256"] for e in step.get("evidence", [])]
    alerts = {}
    for emitter in step.get("emitters", []):
        if is_video(emitter):
            alert_id = f"rf:video:{_freq_id(emitter['freq_hz'])}"
            alerts[alert_id] = _alert(alert_id, "video_transmitter", "high", True, evidence,
                                      freq_hz=emitter["freq_hz"], power_db=emitter["power_db"],
                                      video_standard=emitter.get("video_standard"),
                                      **_raised(step))
    comparison = step.get("comparison") or {}
    for change in ("new", "stronger"):
        for emitter in comparison.get(change, []):
            alert_id = f"rf:video:{_freq_id(emitter['freq_hz'])}"
            if alert_id in alerts or is_video(emitter):
                continue
            alert_id = f"rf:{change}:{_freq_id(emitter['freq_hz'])}"
            severity = "low" if emitter.get("kind") == "broadcast" else "medium"
            alerts[alert_id] = _alert(alert_id, "new_emitter", severity, False, evidence,
                                      change=change, freq_hz=emitter["freq_hz"],
                                      power_db=emitter["power_db"], **_raised(step))
    return list(alerts.values())


def _known_fixtures(step: dict) -> dict[int, dict]:
    """The site fixture each IR glow of the scan is, by finding index; none if there are
    more glows than fixtures at the place."""
    glows = [i for i, f in enumerate(step.get("findings", [])) if f["kind"] == "ir_emitter"]
    fixtures = step.get("fixtures", [])
    if len(glows) > len(fixtures):
        return {}
    return dict(zip(glows, fixtures, strict=False))


def unexplained_findings(step: dict) -> list[dict]:
    """The scan's findings that known fixtures do not explain (what an automatic mark goes by)."""
    known = _known_fixtures(step)
    return [f for i, f in enumerate(step.get("findings", [])) if i not in known]


def _optical_alerts(step: dict) -> list[dict]:
    alerts = []
    known = _known_fixtures(step)
    for i, finding in enumerate(step.get("findings", [])):
        alert_id = f"optics:{step['stall']}:{step['zone']}:{i}"
        evidence = [finding["crop_sha256"]] if finding.get("crop_sha256") else []
        where = {"stall": step["stall"], "zone": step["zone"],
                 "confidence": finding["confidence"], **_raised(step)}
        if finding["kind"] == "lens":
            confirmed = finding["confidence"] >= CONFIRMED_LENS_CONFIDENCE
            alerts.append(_alert(alert_id, "lens", "high" if confirmed else "medium", confirmed,
                                 evidence, **where))
        elif i in known:
            alert = _alert(alert_id, "ir_emitter", "info", False, evidence, **where,
                           fixture=known[i])
            alerts.append({**alert, "message_key": "inspect.alert.ir_fixture"})
        elif finding["kind"] == "ir_emitter":
            alerts.append(_alert(alert_id, "ir_emitter", "high", False, evidence, **where))
        elif finding["kind"] == "visible_led":
            alerts.append(_alert(alert_id, "visible_led", "info", False, evidence, **where))
    return alerts


def _change_alerts(step: dict) -> list[dict]:
    change = step.get("change") or {}
    if not change.get("aligned"):
        return []
    alerts = []
    for i, c in enumerate(change.get("changes", [])):
        severity = "low" if c["kind"] == "removed" else "medium"
        alert = _alert(f"change:{step['stall']}:{step['zone']}:{i}", "place_change", severity,
                       False, [c["crop_sha256"]], stall=step["stall"], zone=step["zone"],
                       confidence=c["confidence"], change=c["kind"],
                       reference_record=change["reference"]["record_id"], **_raised(step))
        alerts.append({**alert, "message_key": f"inspect.alert.place_change.{c['kind']}"})
    return alerts


def _power_by_place(optical: list[dict], freq_hz: float) -> dict[tuple[int, str], float]:
    """The emitter's median proximity power at each scanned place."""
    powers = {}
    for step in optical:
        for track in step.get("proximity", []):
            if abs(track["freq_hz"] - freq_hz) <= SAME_EMITTER_HZ and track["readings_db"]:
                powers[(step["stall"], step["zone"])] = statistics.median(track["readings_db"])
    return powers


def _later_raised(*alerts) -> dict:
    times = [a["raised_at"] for a in alerts if a.get("raised_at")]
    return {"raised_at": max(times)} if times else {}


def _fuse(rf_alerts, optical_alerts, optical) -> tuple[list[dict], set[str]]:
    """``camera_located`` alerts, and the ids of the alerts they replace."""
    fused, replaced = [], set()
    for video in (a for a in rf_alerts if a["type"] == "video_transmitter"):
        powers = _power_by_place(optical, video["freq_hz"])
        if len(powers) < 2:
            continue  # "strongest here" means nothing without somewhere to compare with
        floor_db = max(max(powers.values()) - NEAR_MARGIN_DB,
                       statistics.median(powers.values()) + MIN_RISE_DB)
        near = [a for a in optical_alerts if a["type"] in ("lens", "ir_emitter")
                and powers.get((a["stall"], a["zone"]), -1e9) >= floor_db]
        if not near:
            continue
        lens = max(near, key=lambda a: (powers[(a["stall"], a["zone"])], a["confidence"]))
        place_db = powers[(lens["stall"], lens["zone"])]
        alert_id = f"fused:{_freq_id(video['freq_hz'])}:{lens['stall']}:{lens['zone']}"
        alert = _alert(alert_id, "camera_located", "critical", True,
                       video["evidence"] + lens["evidence"], stall=lens["stall"],
                       zone=lens["zone"], freq_hz=video["freq_hz"],
                       video_standard=video.get("video_standard"),
                       confidence=lens["confidence"], power_db=place_db,
                       rise_db=place_db - statistics.median(powers.values()),
                       **_later_raised(video, lens))
        alert["replaces"] = sorted({video["id"], lens["id"]})
        fused.append(alert)
        replaced.update(alert["replaces"])
    return fused, replaced
