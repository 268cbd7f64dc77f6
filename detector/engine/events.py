"""The event bus: alerts, step progress, spectra, proximity and optics status, published by the
inspection engine and followed by the dashboard (server-sent events) and the handheld's
indicators (buzzer, vibration, status LED).

Publishing never blocks: each subscriber has its own bounded queue, and a subscriber that falls
behind loses its oldest *non-alert* events first (alerts are never dropped for a live
subscriber), and is told how many it missed. Events carry a sequence number so a reconnecting
client can ask for what it missed (``since``).

Example::

    bus = EventBus()
    with bus.subscribe(kinds={"alert"}) as sub:
        bus.publish("alert", severity="high", message_key="alert.video_emitter")
        event = sub.get(timeout_s=1.0)
"""

import collections
import itertools
import threading
import time
from dataclasses import dataclass, field

#: The kinds of event ansim publishes.
KINDS = frozenset({"alert", "progress", "spectrum", "proximity", "optics_status", "inspection",
                   "wifi", "wifi_place_check"})


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    data: dict
    published_s: float  # monotonic time of publication, for latency measurements


@dataclass
class Subscription:
    """One subscriber's queue; use as a context manager so it is always unsubscribed."""

    bus: "EventBus"
    kinds: frozenset | None
    maxsize: int
    _queue: collections.deque = field(default_factory=collections.deque)
    _ready: threading.Condition = field(default_factory=threading.Condition)
    dropped: int = 0

    def wants(self, event: Event) -> bool:
        return self.kinds is None or event.kind in self.kinds

    def _offer(self, event: Event) -> None:
        with self._ready:
            if len(self._queue) >= self.maxsize:
                self._drop_one()
            self._queue.append(event)
            self._ready.notify()

    def _drop_one(self) -> None:
        for i, queued in enumerate(self._queue):
            if queued.kind != "alert":
                del self._queue[i]
                self.dropped += 1
                return
        self._queue.popleft()
        self.dropped += 1

    def get(self, timeout_s: float | None = None) -> Event | None:
        """The next event, or None if none came within ``timeout_s``."""
        with self._ready:
            if not self._ready.wait_for(lambda: self._queue, timeout=timeout_s):
                return None
            return self._queue.popleft()

    def close(self) -> None:
        self.bus._unsubscribe(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class EventBus:
    """Thread-safe publish/subscribe with a short history for reconnecting clients."""

    def __init__(self, history: int = 256):
        self._lock = threading.Lock()
        self._subscribers: list[Subscription] = []
        self._history: collections.deque[Event] = collections.deque(maxlen=history)
        self._seq = itertools.count(1)

    def publish(self, kind: str, **data) -> Event:
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}; kinds are {sorted(KINDS)}")
        with self._lock:
            event = Event(next(self._seq), kind, data, time.monotonic())
            self._history.append(event)
            subscribers = [s for s in self._subscribers if s.wants(event)]
        for subscriber in subscribers:
            subscriber._offer(event)
        return event

    def subscribe(self, kinds=None, maxsize: int = 100, since: int | None = None) -> Subscription:
        """A new subscription; with ``since``, events after that sequence number come first."""
        subscription = Subscription(self, frozenset(kinds) if kinds else None, maxsize)
        with self._lock:
            self._subscribers.append(subscription)
            missed = [e for e in self._history if since is not None and e.seq > since]
        for event in missed:
            if subscription.wants(event):
                subscription._offer(event)
        return subscription

    def recent(self, n: int = 50, kinds=None) -> list[Event]:
        with self._lock:
            events = [e for e in self._history if kinds is None or e.kind in kinds]
        return events[-n:]

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)
