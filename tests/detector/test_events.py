import threading

import pytest

from detector.engine.events import EventBus


def test_a_subscriber_gets_only_the_kinds_it_asked_for():
    bus = EventBus()
    with bus.subscribe(kinds={"alert"}) as sub:
        bus.publish("progress", step="rf")
        bus.publish("alert", severity="high")
        event = sub.get(timeout_s=1)
        assert event.kind == "alert" and event.data == {"severity": "high"}
        assert sub.get(timeout_s=0) is None


def test_events_cross_threads_in_order():
    bus = EventBus()
    sub = bus.subscribe()
    worker = threading.Thread(target=lambda: [bus.publish("progress", n=i) for i in range(50)])
    worker.start()
    received = [sub.get(timeout_s=5).data["n"] for _ in range(50)]
    worker.join()
    assert received == list(range(50))


def test_a_slow_subscriber_loses_progress_before_alerts():
    bus = EventBus()
    sub = bus.subscribe(maxsize=3)
    bus.publish("alert", n=0)
    for i in range(10):
        bus.publish("spectrum", n=i)
    kinds = [sub.get(timeout_s=0).kind for _ in range(3)]
    assert kinds[0] == "alert"
    assert sub.dropped == 8


def test_a_reconnecting_client_gets_what_it_missed():
    bus = EventBus()
    first = bus.publish("alert", n=1)
    bus.publish("alert", n=2)
    with bus.subscribe(since=first.seq) as sub:
        assert sub.get(timeout_s=0).data == {"n": 2}


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown event kind"):
        EventBus().publish("gossip")


def test_closing_unsubscribes():
    bus = EventBus()
    with bus.subscribe():
        assert bus.subscriber_count == 1
    assert bus.subscriber_count == 0
