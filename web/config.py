"""The dashboard's settings, validated once when the app is made.

``create_app`` takes a ``WebConfig`` or a plain mapping of the same fields (so a test can say
``create_app({"data_dir": tmp_path})``); unknown keys are refused by name.
"""

import ipaddress
import os
import secrets
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from detector.errors import DetectorError
from detector.timestamps import utc_moment


class WebConfigError(DetectorError, ValueError):
    """A dashboard setting is missing or wrong."""


@dataclass(frozen=True)
class WebConfig:
    data_dir: Path
    #: Device profile path (None: the default profile shipped with ansim).
    profile_path: str | None = None
    #: Use the simulated restroom even if hardware is present.
    simulate: bool = False
    #: Failed logins allowed per address and user name together within ``login_window_s``
    #: (a stranger's failures never lock the user out on the user's own phone) ...
    login_max_failures: int = 5
    #: ... and per address over all user names (one phone guessing many accounts).
    login_max_failures_per_address: int = 20
    login_window_s: float = 300.0
    #: Addresses of the front door (nginx on loopback): only a request from one of these may
    #: name the client's address in ``X-Forwarded-For``; from anyone else the header is ignored.
    trusted_proxies: tuple = ()
    #: Open event streams allowed at once; more are refused (503) so page requests keep a thread.
    max_event_streams: int = 24
    #: Of those, kept for staff (inspectors above all): volunteers may hold the rest only.
    staff_stream_slots: int = 6
    #: Streams one login session may hold at once (a phone with a second tab).
    max_streams_per_session: int = 2
    #: Largest request body the server reads (the device's forms and JSON are small; the hub's
    #: uploads raise it). Larger bodies are refused from their Content-Length, never spooled.
    max_request_bytes: int = 1024 * 1024
    #: Per client, spectrum/proximity/optics updates at most this often (alerts never wait).
    stream_interval_s: float = 0.25
    #: A comment line this often keeps idle streams alive and notices phones that left.
    keepalive_s: float = 15.0
    session_lifetime_s: float = 12 * 3600
    #: The system clock (UTC datetimes) and a monotonic clock; tests replace them.
    system_now: object = field(default=utc_moment, repr=False)
    monotonic: object = field(default=time.monotonic, repr=False)
    testing: bool = False
    #: The city hub: its PostgreSQL database (``postgresql+psycopg://...``). Set, the app runs
    #: on it with the hub's device-upload API; ``data_dir`` then holds the hub's evidence
    #: files, its session key and the key that signs corrections made on the hub.
    database_url: str | None = None
    #: The zone every page shows times in (and counts coverage days in), whatever zone the
    #: device or the phone is set to; pages always show it beside the time.
    display_timezone: str = "Asia/Seoul"
    #: Where the handheld's screen (tty1) reads the one-time setup code while no admin exists
    #: (``detector.appliance.screen``: a runtime directory in RAM, ``/run/ansim`` on the Pi);
    #: None: the code is printed on the console only.
    screen_dir: Path | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.display_timezone)

    @property
    def hub(self) -> bool:
        return self.database_url is not None

    def __post_init__(self):
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser())
        if self.screen_dir is not None:
            object.__setattr__(self, "screen_dir", Path(self.screen_dir))
        object.__setattr__(self, "trusted_proxies", tuple(self.trusted_proxies))
        for address in self.trusted_proxies:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise WebConfigError(f"trusted_proxies: {address!r} is not an IP address",
                                     problem="not_an_ip_address", setting="trusted_proxies",
                                     value=address) from None
        for name in ("login_max_failures", "login_max_failures_per_address",
                     "max_event_streams", "max_streams_per_session", "max_request_bytes"):
            if getattr(self, name) < 1:
                raise WebConfigError(f"{name}: must be at least 1, not {getattr(self, name)!r}")
        if not 0 <= self.staff_stream_slots < self.max_event_streams:
            raise WebConfigError(f"staff_stream_slots: must be from 0 to max_event_streams - 1, "
                                 f"not {self.staff_stream_slots!r}")
        try:
            ZoneInfo(self.display_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise WebConfigError(f"display_timezone: unknown zone {self.display_timezone!r}") \
                from exc
        for name in ("login_window_s", "stream_interval_s", "keepalive_s", "session_lifetime_s"):
            if getattr(self, name) <= 0:
                raise WebConfigError(f"{name}: must be positive, not {getattr(self, name)!r}")

    @classmethod
    def from_mapping(cls, values) -> "WebConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise WebConfigError(f"{unknown[0]}: unknown setting; known: {sorted(known)}")
        if "data_dir" not in values:
            raise WebConfigError("data_dir: missing")
        return cls(**values)


def load_secret_key(data_dir: Path) -> bytes:
    """The key that signs session cookies: made at first run, kept (mode 0600) in the data
    directory so logins survive a restart, never shipped with the software."""
    path = data_dir / "web-secret.key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
