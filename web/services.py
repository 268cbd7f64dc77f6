"""What the views share, made once per app: the inspection engine on the device's log (with
the live hardware session it runs steps on), the account store on the same database, the
device clock, the event bus, the step runner, the login limiters, the open event streams and
the one-time setup code."""

import threading
from dataclasses import dataclass, field

from flask import current_app

from detector.appliance.profile import Profile, load_profile
from detector.appliance.step_runner import OnDemandHardware, StepRunner
from detector.engine.events import EventBus
from detector.engine.inspections import InspectionService, open_service
from detector.log.evidence import EvidenceStore
from detector.log.signing import DeviceKey
from detector.log.storage import open_store
from detector.timestamps import format_utc
from web.accounts import STAFF_ROLES, AccountService, DeviceClock
from web.config import WebConfig
from web.security import LoginLimiter


class StreamSlots:
    """Caps on open event streams, so page and API requests always find a free thread and no
    one starves the inspector: at most ``limit`` in all, at most ``per_session`` for one login,
    and the last ``staff_reserved`` only for staff (volunteers share the rest).

    Within a login the newest stream wins: a phone that moves from page to page opens a new
    stream before the server notices the old page's connection is gone, so a session at its
    cap hands its oldest stream's slot to the new one, and the old stream ends at its next
    wake (``is_current``). One session still never holds more than ``per_session`` slots."""

    def __init__(self, limit: int, *, per_session: int, staff_reserved: int):
        self.limit = limit
        self.per_session = per_session
        self.staff_reserved = staff_reserved
        self._open = 0
        self._volunteers = 0
        self._by_session: dict[str, list[object]] = {}
        self._superseded: set[object] = set()
        self._lock = threading.Lock()

    def take(self, session_id: str, role: str) -> tuple[object | None, str | None]:
        """``(slot, None)`` when a stream may open, else ``(None, why)``: ``"full"`` or
        ``"role"``."""
        staff = role in STAFF_ROLES
        slot = object()
        with self._lock:
            mine = self._by_session.setdefault(session_id, [])
            if len(mine) >= self.per_session:  # the oldest gives its slot to the newest
                self._superseded.add(mine.pop(0))
                mine.append(slot)
                return slot, None
            if self._open >= self.limit:
                why = "full"
            elif not staff and self._volunteers >= self.limit - self.staff_reserved:
                why = "role"
            else:
                self._open += 1
                self._volunteers += not staff
                mine.append(slot)
                return slot, None
            if not mine:
                del self._by_session[session_id]
            return None, why

    def is_current(self, slot: object) -> bool:
        """False once a newer stream of the same login took this one's slot."""
        with self._lock:
            return slot not in self._superseded

    def give_back(self, slot: object, session_id: str, role: str) -> None:
        with self._lock:
            if slot in self._superseded:  # its slot already went to a newer stream
                self._superseded.discard(slot)
                return
            self._open -= 1
            self._volunteers -= role not in STAFF_ROLES
            mine = self._by_session.get(session_id, [])
            if slot in mine:
                mine.remove(slot)
            if not mine:
                self._by_session.pop(session_id, None)

    @property
    def open_count(self) -> int:
        with self._lock:
            return self._open


class SessionEpoch:
    """Bumped whenever a session ends or a user is removed, so open streams know to check
    again whether theirs still stands (cheaply: only then, or every keepalive)."""

    def __init__(self):
        self._value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self._value += 1

    @property
    def value(self) -> int:
        with self._lock:
            return self._value


@dataclass
class Services:
    config: WebConfig
    profile: Profile
    inspections: InspectionService
    steps: StepRunner
    accounts: AccountService
    clock: DeviceClock
    bus: EventBus
    limiter: LoginLimiter
    address_limiter: LoginLimiter
    streams: StreamSlots
    session_epoch: SessionEpoch = field(default_factory=SessionEpoch)
    #: The one-time setup code while no admin exists (shown on the console only).
    setup_code: str | None = None
    stopping: threading.Event = field(default_factory=threading.Event)


def build_services(config: WebConfig, bus: EventBus | None = None) -> Services:
    """Open the log (migrating it, recovering cut-off inspections); the hardware opens at
    the first step."""
    profile = load_profile(config.profile_path)
    bus = bus or EventBus()
    clock = DeviceClock(config.system_now)
    steps = OnDemandHardware(profile, simulate=config.simulate,
                             scratch_dir=config.data_dir / "evidence" / ".scratch")
    if config.hub:
        inspections = _hub_service(config, bus, profile, steps)
    else:
        inspections = open_service(config.data_dir, bus=bus, profile=profile, steps=steps)
    # The engine stamps records with the device clock, which may come from a phone, and says so.
    inspections.clock = lambda: format_utc(clock.now())
    inspections.clock_source = clock.source
    return Services(
        config=config,
        profile=profile,
        inspections=inspections,
        steps=StepRunner(inspections, bus),
        accounts=AccountService(inspections.store, now=clock.now),
        clock=clock,
        bus=bus,
        limiter=LoginLimiter(config.login_max_failures, config.login_window_s, config.monotonic),
        address_limiter=LoginLimiter(config.login_max_failures_per_address,
                                     config.login_window_s, config.monotonic),
        streams=StreamSlots(config.max_event_streams, per_session=config.max_streams_per_session,
                            staff_reserved=config.staff_stream_slots),
    )


def _hub_service(config: WebConfig, bus, profile, steps) -> InspectionService:
    """The engine on the hub's PostgreSQL database. No crash recovery: several hub processes
    share the database, and an inspection in progress may be another process's."""
    store = open_store(config.database_url)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return InspectionService(store, None, bus, EvidenceStore(config.data_dir / "evidence"),
                             DeviceKey.load_or_create(config.data_dir), steps=steps,
                             profile=profile)


def services() -> Services:
    return current_app.extensions["ansim"]
