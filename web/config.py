"""The dashboard's settings, validated once when the app is made.

``create_app`` takes a ``WebConfig`` or a plain mapping of the same fields (so a test can say
``create_app({"data_dir": tmp_path})``); unknown keys are refused by name.
"""

import os
import secrets
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

from detector.timestamps import utc_moment


class WebConfigError(ValueError):
    """A dashboard setting is missing or wrong."""


@dataclass(frozen=True)
class WebConfig:
    data_dir: Path
    #: Device profile path (None: the default profile shipped with ansim).
    profile_path: str | None = None
    #: Use the simulated restroom even if hardware is present.
    simulate: bool = False
    #: Failed logins allowed per user name and per address within ``login_window_s``.
    login_max_failures: int = 5
    login_window_s: float = 300.0
    #: Open event streams allowed at once; more are refused (503) so page requests keep a thread.
    max_event_streams: int = 24
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

    @property
    def hub(self) -> bool:
        return self.database_url is not None

    def __post_init__(self):
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser())
        for name in ("login_max_failures", "max_event_streams"):
            if getattr(self, name) < 1:
                raise WebConfigError(f"{name}: must be at least 1, not {getattr(self, name)!r}")
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
