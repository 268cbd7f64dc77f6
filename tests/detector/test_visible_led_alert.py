"""A glow whose colour says it is a visible indicator LED is information, not an alert; an
infrared glow stays an alert."""

from detector.engine.fusion import alerts_for


def scan_step(*kinds):
    return {"kind": "optical_scan", "stall": 1, "zone": "door_hook",
            "findings": [{"kind": kind, "confidence": 0.95, "frame": 3, "x": 10.0, "y": 20.0}
                         for kind in kinds]}


def test_a_visible_led_is_information_and_an_infrared_glow_an_alert():
    alerts = {a["type"]: a for a in alerts_for([scan_step("visible_led", "ir_emitter")])}
    assert alerts["visible_led"]["severity"] == "info"
    assert alerts["visible_led"]["message_key"] == "inspect.alert.visible_led"
    assert alerts["ir_emitter"]["severity"] == "high"
