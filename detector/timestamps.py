"""Timestamps as the log stores them: ISO 8601 in UTC with microseconds and a ``Z``.

One fixed width, so they sort as text and compare byte-for-byte with signed bodies on both
SQLite and PostgreSQL. People read them in the city's zone (``DISPLAY_ZONE``, Asia/Seoul: the
Pi's own clock zone is often never set), always with the zone written beside the time.
"""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

#: The zone times are shown in and bare dates are read in.
DISPLAY_ZONE = ZoneInfo("Asia/Seoul")

from detector.errors import DetectorError

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class BadTimestamp(DetectorError, ValueError):
    """A date or time given by the user cannot be read."""


def utc_moment() -> datetime:
    """Now, as an aware datetime in UTC (for arithmetic; store it with ``format_utc``)."""
    return datetime.now(timezone.utc)


def utc_now() -> str:
    """Now, as the log stores it."""
    return format_utc(utc_moment())


def format_utc(moment: datetime) -> str:
    """An aware datetime as the log stores it: ``2026-05-09T07:35:25.123456Z``."""
    if moment.tzinfo is None:
        raise ValueError("a timestamp needs a time zone")
    return moment.astimezone(timezone.utc).strftime(FORMAT)


def local_text(stored: str) -> str:
    """A stored timestamp in ``DISPLAY_ZONE``, to the second, with the zone: people read it."""
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(DISPLAY_ZONE)
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z")


def parse_bound(text: str, *, end: bool = False) -> str:
    """A ``--since``/``--until`` value (a date or a date and time) as a stored timestamp.

    A bare date means the start of that day, or with ``end`` the end of it; a date or time
    without a zone is in ``DISPLAY_ZONE`` (an inspector in Seoul means Seoul's day).
    """
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadTimestamp(f"{text!r} is not a date (YYYY-MM-DD) or date and time",
                           problem="not_a_date", text=text) from None
    if end and len(text.strip()) == 10:
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999999)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=DISPLAY_ZONE)
    return format_utc(moment)
