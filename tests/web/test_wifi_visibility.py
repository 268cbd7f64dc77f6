"""Volunteers follow alerts, never transmitters: no ``wifi`` events and no MAC in an alert."""

from detector.engine.events import Event
from web.sse import kinds_for, visible_data


def test_volunteers_get_no_transmitters_and_no_mac():
    assert "wifi" in kinds_for("inspector") and "wifi" not in kinds_for("volunteer")
    alert = Event(1, "alert", {"type": "wifi_camera", "severity": "high", "stall": 1,
                               "zone": "vent", "mac": "44:47:cc:12:34:56",
                               "message_key": "inspect.alert.wifi_camera"}, 0.0)
    seen = visible_data(alert, "volunteer", "ko", b"the app's secret key")
    assert "mac" not in seen and "44:47:cc" not in str(seen)
    assert seen["message"].startswith("와이파이 카메라가 1번 칸")  # stall and place, no MAC
