"""What the views share, made once per app: the inspection engine on the device's log (with
the live hardware session it runs steps on), the account store on the same database, the
device clock, the event bus, the step runner, the login limiter and the count of open event
streams."""

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
from web.accounts import AccountService, DeviceClock
from web.config import WebConfig
from web.security import LoginLimiter


class StreamSlots:
    """A cap on open event streams, so page and API requests always find a free thread."""

    def __init__(self, limit: int):
        self.limit = limit
        self._open = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._open >= self.limit:
                return False
            self._open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._open -= 1

    @property
    def open_count(self) -> int:
        with self._lock:
            return self._open


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
    streams: StreamSlots
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
    # The engine stamps records with the device clock, which may come from a phone.
    inspections.clock = lambda: format_utc(clock.now())
    return Services(
        config=config,
        profile=profile,
        inspections=inspections,
        steps=StepRunner(inspections, bus),
        accounts=AccountService(inspections.store, now=clock.now),
        clock=clock,
        bus=bus,
        limiter=LoginLimiter(config.login_max_failures, config.login_window_s, config.monotonic),
        streams=StreamSlots(config.max_event_streams),
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
