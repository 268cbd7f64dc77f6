"""The live stream: per-client throttling, what volunteers may see, replay on reconnect."""

import threading

from detector.engine.events import Event, EventBus
from web.sse import ClientThrottle, event_stream, kinds_for, visible_data


def _event(seq, event_kind, **data):
    return Event(seq, event_kind, data, published_s=0.0)


def test_alerts_pass_at_once_and_readings_are_thinned_to_the_newest():
    throttle = ClientThrottle(interval_s=0.25)
    sent = throttle.offer(_event(1, "spectrum", n=1), now_s=10.0)
    assert [e.seq for e in sent] == [1]
    # Twenty spectra within the interval: none goes now, only the newest waits.
    for seq in range(2, 22):
        assert throttle.offer(_event(seq, "spectrum", n=seq), now_s=10.0 + seq * 0.01) == []
    assert [e.seq for e in throttle.offer(_event(22, "alert"), now_s=10.21)] == [22]
    assert throttle.due(now_s=10.24) == []
    assert throttle.next_due_s() == 10.25
    assert [e.seq for e in throttle.due(now_s=10.25)] == [21]
    assert throttle.next_due_s() is None


def test_each_throttled_kind_has_its_own_interval():
    throttle = ClientThrottle(interval_s=1.0)
    assert throttle.offer(_event(1, "spectrum"), 0.0)
    assert throttle.offer(_event(2, "proximity"), 0.1)
    assert throttle.offer(_event(3, "optics_status"), 0.2)
    assert throttle.offer(_event(4, "proximity"), 0.5) == []
    assert [e.seq for e in throttle.due(1.1)] == [4]


def test_volunteers_see_no_evidence_images_or_detail():
    alert = _event(1, "alert", inspection_id="i1", severity="high", kind="lens", zone="door_hook",
                   stall=1, message_key="inspect.event.step_failed", params={"error": "x"},
                   evidence=["ab" * 32], crop_sha256="cd" * 32, freq_hz=1.2e9,
                   image="data:image/png;base64,AAAA")
    seen = visible_data(alert, "volunteer", "en")
    assert "evidence" not in seen and "crop_sha256" not in seen and "image" not in seen
    assert "freq_hz" not in seen
    assert seen["severity"] == "high" and seen["zone"] == "door_hook"
    staff = visible_data(alert, "inspector", "en")
    assert staff["evidence"] == ["ab" * 32]


def test_messages_arrive_in_each_phones_language():
    failed = _event(1, "inspection", message_key="inspect.event.step_failed",
                    params={"error": "radio unplugged"})
    english = visible_data(failed, "inspector", "en")["message"]
    korean = visible_data(failed, "inspector", "ko")["message"]
    assert "radio unplugged" in english and "radio unplugged" in korean and english != korean


def _collect(stream, n_messages):
    out = []
    for chunk in stream:
        out.extend(m for m in chunk.split("\n\n") if m.startswith("id:"))
        if len(out) >= n_messages:
            break
    return out


def test_a_volunteer_stream_carries_alerts_but_not_spectra():
    bus = EventBus()
    subscription = bus.subscribe(kinds={"alert", "progress", "inspection"})
    bus.publish("spectrum", power_db=[1, 2, 3])
    bus.publish("alert", severity="high", evidence=["ab" * 32], zone="bin")
    stream = event_stream(subscription, "volunteer", "en", interval_s=0.25, keepalive_s=15,
                          monotonic=lambda: 0.0, stopping=threading.Event())
    [message] = _collect(stream, 1)
    stream.close()
    assert "event: alert" in message and '"zone":"bin"' in message and "ab" * 32 not in message
    assert bus.subscriber_count == 0  # closing the stream ended the subscription


def test_a_reconnecting_phone_gets_what_it_missed():
    bus = EventBus()
    first = bus.publish("alert", severity="high", zone="vent")
    bus.publish("alert", severity="medium", zone="bin")
    bus.publish("alert", severity="high", zone="hinges")
    subscription = bus.subscribe(since=first.seq)
    stream = event_stream(subscription, "inspector", "en", interval_s=0.25, keepalive_s=15,
                          monotonic=lambda: 0.0, stopping=threading.Event())
    messages = _collect(stream, 2)
    stream.close()
    assert [m.split("\n")[0] for m in messages] == ["id: 2", "id: 3"]


def test_volunteers_get_neither_spectra_nor_optics_status():
    """Whatever the engine publishes, a volunteer's subscription never takes live readings,
    and their progress events keep only the volunteer fields."""
    assert not {"spectrum", "optics_status", "proximity"} & kinds_for("volunteer")
    assert {"spectrum", "optics_status", "proximity"} <= kinds_for("inspector")
    scan = _event(1, "progress", inspection_id="i1", step="optical_scan", stall=1,
                  zone="door_hook", fraction=0.25, suspects=[[12.0, 30.5]], width=640)
    assert visible_data(scan, "volunteer", "en") == {
        "inspection_id": "i1", "step": "optical_scan", "stall": 1, "zone": "door_hook",
        "fraction": 0.25}
