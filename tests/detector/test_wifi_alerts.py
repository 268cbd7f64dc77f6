"""Wi-Fi alerts as a volunteer and an inspector read them: one per transmitter however many
survey steps heard it, each with the time it was first raised; new and much louder
transmitters against the site's baseline; phones' made-up addresses never "new"."""

from detector import i18n
from detector.engine.fusion import alerts_for
from detector.engine.presence import presence_summary
from web.volunteer import volunteer_view

CAMERA = "58:03:fb:b1:f7:1f"
OTHER_ROOM = "20:32:33:30:85:e6"
CALL = "92:d8:52:82:51:4b"
AP = "00:0b:86:a6:ca:c2"
KEY = b"the app's secret key"


def _tx(mac, kind="other", rssi_dbm=-40.0, role="station", responds=None, place=None,
        baseline=None):
    stimulus = None
    if responds is not None:
        stimulus = {"responds": responds, "score": 0.5, "lag_s": 0.5,
                    "p_value": 1e-8 if responds else 0.4,
                    "place": {"stall": place[0], "zone": place[1]} if place else None}
    return {"mac": mac, "kind": kind, "confidence": 0.9, "rssi_dbm": rssi_dbm, "role": role,
            "randomised": bool(int(mac[:2], 16) & 2), "vendor": None, "stimulus": stimulus,
            "baseline": baseline}


def _survey(minute, *transmitters, stall=None, zone=None, stable=None):
    step = {"kind": "wifi_survey", "stall": stall, "zone": zone,
            "finished_at": f"2026-12-05T09:{minute:02d}:00Z",
            "evidence": [{"sha256": f"{minute:064x}"}], "transmitters": list(transmitters)}
    if stable is not None:
        step["site_baseline"] = {"inspections": 3, "stable_bssids": stable}
    return step


def _scan(stall, zone, lens=None):
    return {"kind": "optical_scan", "stall": stall, "zone": zone,
            "finished_at": "2026-12-05T09:00:30Z",
            "findings": [{"kind": "lens", "confidence": lens}] if lens else []}


def _inspection():
    """A passive survey, then a place survey per scanned place over two stalls: the stall-1
    camera answers at the vent, the next room's camera and a video call never do."""
    passive = _survey(1, _tx(CAMERA, "camera", -30.0), _tx(OTHER_ROOM, "camera", -55.0),
                      _tx(CALL, "video_stream", -42.0), _tx(AP, "ap", -40.0, "ap"))
    places = [_survey(2, _tx(CAMERA, "camera", -22.0, responds=False),
                      _tx(CALL, "video_stream", responds=False), stall=1, zone="door_hook"),
              _survey(3, _tx(CAMERA, "camera", -21.0, responds=True, place=(1, "vent")),
                      _tx(CALL, "video_stream", responds=False), stall=1, zone="vent"),
              _survey(4, _tx(CAMERA, "camera", -35.0, responds=False),
                      _tx(CALL, "video_stream", responds=False), stall=2, zone="door_hook")]
    return [_scan(1, "door_hook"), _scan(1, "vent"), _scan(2, "door_hook"), passive, *places]


def test_one_alert_per_transmitter_each_with_the_time_it_was_first_raised():
    alerts = {a.get("mac"): a for a in alerts_for(_inspection())}
    assert set(alerts) == {CAMERA, OTHER_ROOM, CALL}  # the AP sends no video: no alert
    camera = alerts[CAMERA]
    # Stall 2's surveys do not undo what stall 1's lock-in found.
    assert (camera["type"], camera["stall"], camera["zone"]) == ("wifi_camera", 1, "vent")
    assert camera["raised_at"] == "2026-12-05T09:03:00Z"
    assert camera["replaces"] == [f"wifi:video:{CAMERA}"]  # what phones showed before
    # Heard only by the passive survey (another channel): still an alert, from its time.
    assert alerts[OTHER_ROOM]["raised_at"] == "2026-12-05T09:01:00Z"
    assert alerts[CALL]["raised_at"] == "2026-12-05T09:01:00Z"
    assert all(a["raised_at"] for a in alerts_for(_inspection()))


def test_a_volunteer_reads_a_timed_sentence_that_tells_a_camera_from_a_video_call():
    alerts = {a.get("mac"): a for a in alerts_for(_inspection())}
    seen = {mac: volunteer_view(a, "en", KEY, is_alert=True) for mac, a in alerts.items()}
    assert seen[OTHER_ROOM]["message"] != seen[CALL]["message"]
    assert "camera" in seen[OTHER_ROOM]["message"] and "call" in seen[CALL]["message"]
    assert all(v["raised_at"] and "mac" not in v for v in seen.values())
    assert not any(":" in v["message"] for v in seen.values())
    assert "vent" in seen[CAMERA]["message"]


def test_answering_where_a_lens_glints_replaces_the_lens_and_the_earlier_video_alert():
    steps = _inspection()
    steps[1] = _scan(1, "vent", lens=0.8)
    (located,) = [a for a in alerts_for(steps) if a["type"] == "camera_located"]
    assert located["mac"] == CAMERA
    assert located["replaces"] == ["optics:1:vent:0", f"wifi:video:{CAMERA}"]
    assert not [a for a in alerts_for(steps) if a["type"] == "lens"]


def test_a_lens_at_the_second_of_two_candidate_places_settles_where_the_camera_is():
    """The lock-in could not separate the vent from the door hook (the likelier): a lens
    glints at the vent, so the camera is located there; without the glint the alert names
    the likelier place."""
    steps = _inspection()
    camera = _tx(CAMERA, "camera", -21.0, responds=True, place=(1, "door_hook"))
    camera["stimulus"]["places"] = [{"stall": 1, "zone": "door_hook"},
                                    {"stall": 1, "zone": "vent"}]
    steps[5]["transmitters"][0] = camera
    steps[1] = _scan(1, "vent", lens=0.8)
    (located,) = [a for a in alerts_for(steps) if a["type"] == "camera_located"]
    assert (located["mac"], located["zone"]) == (CAMERA, "vent")
    steps[1] = _scan(1, "vent")
    (answer,) = [a for a in alerts_for(steps) if a.get("mac") == CAMERA]
    assert (answer["type"], answer["zone"]) == ("wifi_camera", "door_hook")


def test_new_and_much_louder_transmitters_against_the_site_baseline():
    new_near = _tx("44:47:cc:12:34:56", rssi_dbm=-30.0, baseline={"status": "new"})
    new_far = _tx("24:6f:28:10:20:30", rssi_dbm=-75.0, baseline={"status": "new"})
    new_ap = _tx("06:aa:bb:cc:dd:ee", "ap", -80.0, "ap", baseline={"status": "new"})
    louder = _tx("ac:ed:5c:01:02:03", rssi_dbm=-45.0,
                 baseline={"status": "stronger", "usual_dbm": -70.0, "max_dbm": -66.0})
    phone = _tx("7e:9f:3d:2d:72:e8", rssi_dbm=-25.0, baseline={"status": "transient"})
    known = _tx(AP, "ap", -40.0, "ap", baseline={"status": "known", "stable": True})
    alerts = {a["mac"]: a for a in alerts_for([_survey(1, new_near, new_far, new_ap, louder,
                                                       phone, known, stable=[AP])])}
    assert {mac: (a["type"], a["severity"], a["change"]) for mac, a in alerts.items()} == {
        "44:47:cc:12:34:56": ("wifi_new", "medium", "new"),
        "24:6f:28:10:20:30": ("wifi_new", "low", "new"),
        "06:aa:bb:cc:dd:ee": ("wifi_new", "medium", "new"),
        "ac:ed:5c:01:02:03": ("wifi_new", "medium", "stronger")}
    assert alerts["ac:ed:5c:01:02:03"]["message_key"] == "inspect.alert.wifi_stronger"
    volunteer = volunteer_view(alerts["ac:ed:5c:01:02:03"], "ko", KEY, is_alert=True)
    assert volunteer["message"] == "알려진 와이파이 기기가 평소보다 훨씬 가까이 있습니다"


def test_a_new_camera_is_one_video_alert_that_replaces_its_earlier_new_alert():
    first = _survey(1, _tx(CAMERA, "other", -50.0, baseline={"status": "new"}))
    later = _survey(2, _tx(CAMERA, "camera", -25.0, baseline={"status": "new"}))
    (alert,) = alerts_for([first, later])
    assert (alert["type"], alert["site_baseline"], alert["raised_at"]) == (
        "wifi_video", "new", "2026-12-05T09:02:00Z")
    assert alert["replaces"] == [f"wifi:new:{CAMERA}"]


def test_the_sites_access_points_witness_presence():
    here = [_survey(1, _tx(AP, "ap", -40.0, "ap"), stable=[AP, "00:0b:86:a6:ca:d0"]),
            _survey(2, _tx("00:0b:86:a6:ca:d0", "ap", -70.0, "ap"),
                    stable=[AP, "00:0b:86:a6:ca:d0"])]
    elsewhere = [_survey(1, _tx("88:3a:30:00:00:01", "ap", -40.0, "ap"),
                         stable=[AP, "00:0b:86:a6:ca:d0"])]
    assert presence_summary(here)["wifi"] == {"known": 2, "recognised": 2}
    assert {"key": "presence.reason.wifi", "known": 2, "recognised": 2} in \
        presence_summary(here)["reasons"]
    away = presence_summary(elsewhere)
    assert away["wifi"] == {"known": 2, "recognised": 0} and away["flagged"]
    assert "wifi" not in presence_summary([_survey(1, _tx(AP, "ap", -40.0, "ap"))])


def test_a_stream_the_light_has_not_been_tried_on_is_not_said_to_ignore_it():
    """The next room's camera is heard only by the passive survey, before any stall's scan:
    its sentence must not say it did not answer the light. The video call was tried at every
    place and did not answer, which its sentence says."""
    alerts = {a.get("mac"): a for a in alerts_for(_inspection())}
    for lang in ("en", "ko"):
        untested = i18n.t(alerts[OTHER_ROOM]["message_key"], lang, rssi_dbm=-55.0)
        tested = i18n.t(alerts[CALL]["message_key"], lang, rssi_dbm=-42.0)
        ignored = {"en": "did not answer the light", "ko": "조명에는 반응하지 않았습니다"}[lang]
        assert ignored in tested and ignored not in untested
    live = volunteer_view(alerts[OTHER_ROOM], "ko", KEY, is_alert=True)["message"]
    assert "카메라" in live and "반응하지 않" not in live
