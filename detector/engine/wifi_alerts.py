"""Wi-Fi alerts: the one place that decides what the survey steps of an inspection say, one
alert per transmitter.

An inspection has many survey steps (the passive one beside the RF sweep, then one after each
place's scan, each holding the lock-in over its stall so far), and each step lists the
transmitters it heard. A transmitter is judged over all of them and gets **one** alert, the
strongest its steps support, in this order:

=====================  ========  =====================================================
type                   severity  when
=====================  ========  =====================================================
``camera_located``     critical  its uplink answered the light at a place where a lens
                                 glints (added to the RF's alert at the same place)
``wifi_camera``        high      its uplink answered the light at a place
``wifi_video``         medium    classed ``camera`` or ``video_stream`` in any step,
                                 not answering the light
``wifi_new``           medium    not among the site's known transmitters and heard as
                                 close as inside the restroom (``NEAR_DBM``), or a new
                                 access point (a camera in access-point mode is one);
                                 or known but ``STRONGER_DB`` louder than ever here
``wifi_new``           low       new, heard only from further away (next door)
=====================  ========  =====================================================

The lock-in of a stall is the newest survey step of that stall (it holds every place of the
stall so far); a transmitter answering in several stalls is named at the strongest answer.
A weaker alert the transmitter had after an earlier step is listed in ``replaces``, so a phone
that showed it replaces it instead of showing both. ``raised_at`` is when the first step
supporting the alert finished, so the time does not move as later steps agree.

Transmitters with made-up addresses (``transient``, see ``rf.wifi.baseline``) are never
``wifi_new``; their traffic still makes ``wifi_video`` or ``wifi_camera``. Wi-Fi silence never
makes a restroom clear: a camera that records to a card sends nothing. Alerts keep the MAC for
the record; the sentences name the place, the kind and the level, never the address, and say
whether a stream is close (``NEAR_DBM``: as if inside the restroom) or further away, so two
cameras on a volunteer's phone read differently.
"""

from rf.wifi.baseline import NEAR_DBM

VIDEO_KINDS = ("camera", "video_stream")
GLINT_TYPES = ("lens", "ir_emitter")


def wifi_alerts(steps: list[dict], optical_alerts: list[dict], located: list[dict], make_alert
                ) -> tuple[list[dict], set[str]]:
    """Alerts from the survey steps (in order), and the ids of the optical alerts they
    replace. ``located`` are the RF's ``camera_located`` alerts: a transmitter answering at
    the same place is added to that one (``wifi_mac``). ``make_alert`` is fusion's
    ``_alert``, so every alert has the same shape."""
    surveys = [s for s in steps if s.get("kind") == "wifi_survey"]
    order = {id(s): i for i, s in enumerate(surveys)}
    alerts, replaced = [], set()
    for mac, heard in _by_transmitter(surveys).items():
        answer = _answer(heard)
        video = [(s, tx) for s, tx in heard if tx.get("kind") in VIDEO_KINDS]
        change = [(s, tx) for s, tx in heard
                  if (tx.get("baseline") or {}).get("status") in ("new", "stronger")]
        first = {name: min((order[id(s)] for s, _ in pairs), default=len(surveys))
                 for name, pairs in (("video", video), ("new", change))}
        if answer is not None:
            answered = min(order[id(s)] for s in answer["steps"])
            weaker = [f"wifi:{name}:{mac}" for name in ("video", "new") if first[name] < answered]
            alert = _answer_alert(mac, answer, optical_alerts, located, make_alert, weaker)
            if alert is None:
                continue  # added to the RF's alert at the same place
            replaced.update(alert["replaces"])
            alert["replaces"] = sorted(set(alert["replaces"]) | set(weaker))
        elif video:
            alert = _video_alert(mac, video, change, make_alert)
            if first["new"] < first["video"]:
                alert["replaces"] = [f"wifi:new:{mac}"]
        elif change:
            alert = _change_alert(mac, change, make_alert)
        else:
            continue
        alerts.append(alert)
    return alerts, replaced


def _by_transmitter(surveys: list[dict]) -> dict[str, list[tuple[dict, dict]]]:
    heard: dict[str, list[tuple[dict, dict]]] = {}
    for step in surveys:
        for tx in step.get("transmitters", []):
            heard.setdefault(tx["mac"], []).append((step, tx))
    return heard


def _raised(steps: list[dict]) -> dict:
    times = [s["finished_at"] for s in steps if s.get("finished_at")]
    return {"raised_at": min(times)} if times else {}


def _evidence(steps: list[dict]) -> list[str]:
    return [e["sha256"] for s in steps for e in s.get("evidence", [])]


def _answer(heard: list[tuple[dict, dict]]) -> dict | None:
    """The transmitter's strongest answer to the light over the stalls' newest lock-ins:
    ``{"stimulus", "tx", "steps", "last"}`` (the steps of that stall where it answered, and
    the stall's newest step)."""
    newest: dict = {}
    for step, tx in heard:
        newest[step.get("stall")] = (step, tx)
    answers = []
    for stall, (step, tx) in newest.items():
        stimulus = tx.get("stimulus") or {}
        if stimulus.get("responds"):
            answered = [s for s, t in heard if s.get("stall") == stall
                        and (t.get("stimulus") or {}).get("responds")]
            answers.append({"stimulus": stimulus, "tx": tx, "steps": answered, "last": step})
    if not answers:
        return None
    return min(answers, key=lambda a: a["stimulus"].get("p_value", 1.0))


def _answer_alert(mac, answer, optical_alerts, located, make_alert, weaker) -> dict | None:
    stimulus, tx = answer["stimulus"], answer["tx"]
    candidates = _candidate_places(stimulus)
    evidence = _evidence([answer["last"]])
    # A lens glinting at one of two places the Wi-Fi evidence could not separate settles it.
    here = next((c for c in candidates for a in located if (a["stall"], a["zone"]) == c), None)
    here = here or next((c for c in candidates for a in optical_alerts if _glints(a)
                         and (a["stall"], a["zone"]) == c), None)
    here = here or (candidates[0] if candidates else None)
    same = [a for a in located if here and (a["stall"], a["zone"]) == here]
    if same:
        same[0]["wifi_mac"] = mac
        same[0]["message_key"] = "inspect.alert.camera_located_wifi"
        same[0]["evidence"] = sorted(set(same[0]["evidence"]) | set(evidence))
        same[0]["replaces"] = sorted(set(same[0]["replaces"]) | set(weaker))
        return None
    where = {"stall": here[0], "zone": here[1]} if here else {}
    glints = [a for a in optical_alerts if _glints(a) and here and (a["stall"], a["zone"]) == here]
    raised = _raised(answer["steps"])
    if glints:
        lens = max(glints, key=lambda a: a["confidence"])
        alert = make_alert(f"fused:wifi:{mac}:{here[0]}:{here[1]}", "camera_located",
                           "critical", True, evidence + lens["evidence"], **where, mac=mac,
                           confidence=lens["confidence"], lag_s=stimulus.get("lag_s"),
                           **_later(raised, lens))
        alert["message_key"] = "inspect.alert.wifi_camera_located"
        alert["replaces"] = sorted(a["id"] for a in glints)
        return alert
    return make_alert(f"wifi:responds:{mac}", "wifi_camera", "high", True, evidence, **where,
                      mac=mac, confidence=tx.get("confidence"), lag_s=stimulus.get("lag_s"),
                      **raised)


def _candidate_places(stimulus: dict) -> list[tuple]:
    """(stall, zone) of the place the lock-in named, then of the runner-up when the evidence
    did not separate them (``rf.wifi.place``)."""
    places = stimulus.get("places") or ([stimulus["place"]] if stimulus.get("place") else [])
    return [(p.get("stall"), p.get("zone")) for p in places]


def _glints(alert: dict) -> bool:
    return alert["type"] in GLINT_TYPES and alert["severity"] != "info"


def _later(raised: dict, other: dict) -> dict:
    times = [t for t in (raised.get("raised_at"), other.get("raised_at")) if t]
    return {"raised_at": max(times)} if times else {}


def _loudest(heard: list[tuple[dict, dict]]) -> dict:
    levels = [tx["rssi_dbm"] for _, tx in heard if tx.get("rssi_dbm") is not None]
    return {"rssi_dbm": max(levels)} if levels else {}


def _video_alert(mac, video, change, make_alert) -> dict:
    steps = [s for s, _ in video]
    newest = video[-1][1]
    kind = "camera" if any(tx["kind"] == "camera" for _, tx in video) else "video_stream"
    confidence = max(tx.get("confidence") or 0.0 for _, tx in video)
    alert = make_alert(f"wifi:video:{mac}", "wifi_video", "medium", False,
                       _evidence([video[-1][0]]), mac=mac, wifi_kind=kind,
                       confidence=confidence, vendor=newest.get("vendor"), **_loudest(video),
                       **_raised(steps))
    near = alert.get("rssi_dbm") is not None and alert["rssi_dbm"] >= NEAR_DBM
    # "it did not answer the light" only once the lock-in has read it: after the passive step
    # alone (before any stall's scan) the light has not been tried
    tested = any(tx.get("stimulus") is not None for _, tx in video)
    alert["message_key"] = (f"inspect.alert.wifi_video.{kind}.{'near' if near else 'far'}"
                            + ("" if tested else ".untested"))
    if change:
        alert["site_baseline"] = (change[-1][1].get("baseline") or {}).get("status")
    return alert


def _change_alert(mac, change, make_alert) -> dict:
    statuses = [(tx.get("baseline") or {}) for _, tx in change]
    stronger = [st for st in statuses if st.get("status") == "stronger"]
    loudest = _loudest(change)
    newest = change[-1][1]
    is_ap = any(tx.get("role") == "ap" for _, tx in change)
    near = loudest.get("rssi_dbm", -200.0) >= NEAR_DBM
    severity = "medium" if stronger or is_ap or near else "low"
    extra = {"usual_dbm": stronger[-1].get("usual_dbm"),
             "max_dbm": stronger[-1].get("max_dbm")} if stronger else {}
    alert = make_alert(f"wifi:new:{mac}", "wifi_new", severity, False,
                       _evidence([change[-1][0]]), mac=mac,
                       change="stronger" if stronger else "new", role=newest.get("role"),
                       vendor=newest.get("vendor"), wifi_kind=newest.get("kind"),
                       **loudest, **extra, **_raised([s for s, _ in change]))
    alert["message_key"] = ("inspect.alert.wifi_stronger" if stronger
                            else f"inspect.alert.wifi_new.{'ap' if is_ap else 'station'}")
    return alert
