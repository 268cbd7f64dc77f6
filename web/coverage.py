"""Today's coverage: which restrooms are due for an inspection and which were done.

A site's ``schedule`` (from the sites CSV) says how often it must be checked. It is due on a
day when its last signed-off inspection is at least that many days old (or it has none); it is
done on a day when an inspection of it was signed off that day. Sites without a schedule are
never due, but show as done when someone checked them. Pure: the caller reads the log.
"""

from datetime import date, datetime

from detector.places import PERIOD_DAYS


def local_date(timestamp: str) -> date:
    """The device-local day of a stored UTC timestamp (``2026-05-09T07:35:25.123456Z``)."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone().date()


def coverage_on(day: date, sites, last_signed_at: dict[str, str | None]) -> dict:
    """Each site's state on ``day`` and the totals. ``sites`` have ``id``, ``name``,
    ``schedule``; ``last_signed_at`` maps a site id to its newest sign-off on or before ``day``."""
    rows = []
    for site in sites:
        last = last_signed_at.get(site.id)
        last_day = local_date(last) if last else None
        done = last_day == day
        period = PERIOD_DAYS.get(site.schedule or "")
        due = period is not None and (last_day is None or done or (day - last_day).days >= period)
        rows.append({"site_id": site.id, "name": site.name, "schedule": site.schedule,
                     "last_signed_at": last, "due": due, "done": done})
    due_rows = [r for r in rows if r["due"]]
    return {"date": day.isoformat(), "sites": rows, "due": len(due_rows),
            "done": sum(1 for r in due_rows if r["done"]),
            "done_unscheduled": sum(1 for r in rows if r["done"] and not r["due"])}
