"""Fusion of the Wi-Fi survey with the optical scans: a transmitter answering the light where a
lens glints is one critical alert; answering elsewhere a high alert naming the place; a video
stream that does not answer a medium alert; silence adds nothing."""

from detector.engine.fusion import alerts_for
from detector.i18n import t


def _scan(stall, zone, findings=()):
    return {"kind": "optical_scan", "stall": stall, "zone": zone,
            "findings": [{"kind": k, "confidence": c} for k, c in findings]}


def _wifi(*transmitters):
    return {"kind": "wifi_survey", "evidence": [{"sha256": "ab" * 32}],
            "transmitters": list(transmitters)}


def _tx(mac, kind="camera", responds=False, place=None):
    stimulus = {"responds": responds, "score": 0.6 if responds else 0.05, "lag_s": 0.75,
                "p_value": 1e-9 if responds else 0.5,
                "place": {"stall": place[0], "zone": place[1]} if place else None}
    return {"mac": mac, "kind": kind, "confidence": 0.9, "stimulus": stimulus}


def test_answering_where_a_lens_glints_is_one_critical_alert():
    steps = [_scan(1, "door_hook", [("lens", 0.8)]), _scan(1, "paper_holder"),
             _wifi(_tx("44:47:cc:12:34:56", responds=True, place=(1, "door_hook")))]
    alerts = alerts_for(steps)
    assert [(a["type"], a["severity"], a["zone"]) for a in alerts] == [
        ("camera_located", "critical", "door_hook")]
    assert alerts[0]["message_key"] == "inspect.alert.wifi_camera_located"
    assert alerts[0]["replaces"] == ["optics:1:door_hook:0"]


def test_answering_without_a_glint_names_the_place():
    steps = [_scan(1, "door_hook"), _scan(1, "vent"),
             _wifi(_tx("44:47:cc:12:34:56", responds=True, place=(1, "vent")))]
    (alert,) = alerts_for(steps)
    assert (alert["type"], alert["severity"], alert["stall"], alert["zone"]) == (
        "wifi_camera", "high", 1, "vent")


def test_a_stream_that_does_not_answer_is_medium_and_other_devices_nothing():
    steps = [_scan(1, "door_hook"),
             _wifi(_tx("44:47:cc:00:00:02", kind="video_stream"), _tx("00:1a:2b:3c:4d:5e", "ap"),
                   _tx("f0:99:b6:00:00:02", "other"))]
    assert [(a["type"], a["severity"]) for a in alerts_for(steps)] == [("wifi_video", "medium")]


def test_the_newest_survey_decides_and_silence_adds_nothing():
    early = _wifi(_tx("44:47:cc:12:34:56"))
    late = _wifi(_tx("44:47:cc:12:34:56", responds=True, place=(2, "bin")))
    steps = [_scan(2, "bin"), early, late]
    assert [a["type"] for a in alerts_for(steps)] == ["wifi_camera"]
    assert alerts_for([_scan(1, "door_hook"), _wifi()]) == []


def test_a_camera_the_rf_located_at_the_same_place_stays_one_alert():
    rf = {"kind": "rf_sweep", "evidence": [], "emitters": [
        {"freq_hz": 1.2e9, "power_db": -40.0, "kind": "analog_video", "video_standard": "PAL"}]}
    scans = [_scan(1, "door_hook", [("lens", 0.8)]), _scan(1, "vent")]
    scans[0]["proximity"] = [{"freq_hz": 1.2e9, "readings_db": [-30.0]}]
    scans[1]["proximity"] = [{"freq_hz": 1.2e9, "readings_db": [-50.0]}]
    steps = [rf, *scans, _wifi(_tx("44:47:cc:12:34:56", responds=True, place=(1, "door_hook")))]
    (alert,) = alerts_for(steps)
    assert (alert["type"], alert["zone"], alert["wifi_mac"]) == (
        "camera_located", "door_hook", "44:47:cc:12:34:56")
    sentence = t(alert["message_key"], "en", standard="PAL", freq_mhz="1200.0", stall=1,
                 place="door hook")
    assert "1200.0 MHz" in sentence and "Wi-Fi camera answers the light" in sentence
