"""What the device's engine and the city hub both know of a restroom: how many stalls it may
have, how often it must be checked, and the district its coverage is counted in.

Schedules come from the sites CSV: a site is due again once its period has passed since its last
inspection. Districts: Korean addresses name them second (``서울특별시 종로구 세종대로 172``
lies in 종로구); a site's district comes from the sites CSV when it says so, else from its
address, and the hub learns it the same way for a site it first meets in an uploaded record.
"""

import re

#: The first word after the province or metropolitan city that ends in 구 (a city's district),
#: 군 (a county) or 시 (a city inside a province).
_DISTRICT_PATTERN = re.compile(r"^\S+\s+(\S+[구군시])(?:\s|$)")
MAX_DISTRICT_LENGTH = 64
#: The most stalls a restroom (and so an inspection of it) may have: the sites CSV, the
#: handheld's profile and the engine all take 1 to this many.
MAX_STALLS = 50

#: How many days a site's schedule allows between inspections.
PERIOD_DAYS = {"daily": 1, "weekly": 7, "biweekly": 14, "monthly": 30, "quarterly": 91}
SCHEDULES = tuple(PERIOD_DAYS)


def district_of(address: str | None) -> str | None:
    """The district (gu) of a Korean address, or None when it names none."""
    match = _DISTRICT_PATTERN.match(address or "")
    return match.group(1)[:MAX_DISTRICT_LENGTH] if match else None
