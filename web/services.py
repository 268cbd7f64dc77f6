"""What the views share, made once per app: the account store, the device clock, the event
bus, the login limiter and the count of open event streams."""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

from detector.accounts import AccountService, Base, DeviceClock
from detector.events import EventBus
from detector.profile import Profile, load_profile
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
    accounts: AccountService
    clock: DeviceClock
    bus: EventBus
    limiter: LoginLimiter
    streams: StreamSlots
    stopping: threading.Event = field(default_factory=threading.Event)


def build_services(config: WebConfig, bus: EventBus | None = None) -> Services:
    profile = load_profile(config.profile_path)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = _AccountStore(config.data_dir)
    clock = DeviceClock(config.system_now)
    return Services(
        config=config,
        profile=profile,
        accounts=AccountService(store, now=clock.now),
        clock=clock,
        bus=bus or EventBus(),
        limiter=LoginLimiter(config.login_max_failures, config.login_window_s, config.monotonic),
        streams=StreamSlots(config.max_event_streams),
    )


class _AccountStore:
    """The account tables in the device's SQLite file, with the shared store's read()/write()."""

    def __init__(self, data_dir):
        self.engine = create_engine(f"sqlite:///{data_dir / 'ansim.db'}")
        event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()

    @contextmanager
    def read(self):
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self):
        with self._write_lock, self._sessions() as session, session.begin():
            yield session


def _sqlite_pragmas(connection, _record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def services() -> Services:
    return current_app.extensions["ansim"]
