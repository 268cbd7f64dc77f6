"""The city's coverage on the hub: which restrooms were inspected, when, with what outcome,
and which are overdue, by district, for a whole city.

Scale: Seoul has 20,554 public restrooms; a year of daily checks is 7.5 million records. The
views must answer in about a second, so they never read the records. As the hub takes in each
signed-off inspection (``count_inspections``, inside the intake's transaction) it adds one to
its site's row for that day in ``coverage_days`` (inspections, verdicts, alerts, weak presence)
and moves the site's ``last_inspected_on`` forward. A view then reads at most one row per site
and day of its window (20,554 x 7 for a week) plus the sites themselves:

| view                     | what it answers                                                   |
|--------------------------|-------------------------------------------------------------------|
| ``city_view(day)``       | per district: sites, scheduled, inspected in the window, overdue, |
|                          | verdicts, alerts, weak presence; the city's totals; a daily trend |
| ``district_view(d, day)``| per site of one district: schedule, last inspected, overdue,       |
|                          | inspections and verdicts in the window                            |

Days are the city's (``CITY_ZONE``, Asia/Seoul): an inspection signed at 23:30 on a Monday in
Seoul counts for Monday, whatever the hub's or the device's clock zone. A site is overdue on a
day when its schedule's period (``detector.places.PERIOD_DAYS``) has passed since its last
inspection, or it has a schedule and was never inspected. Corrections do not move counts: the
views count what inspectors signed, and a supervisor reads corrections in the record itself.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal, select

from detector.log.storage.models import CoverageDay, Site
from detector.places import PERIOD_DAYS

CITY_ZONE = ZoneInfo("Asia/Seoul")  # the first users' city; days are counted in its time
WINDOW_DAYS = 7  # a week: the period of the most common schedule
TREND_DAYS = 28  # four weeks of daily figures in the trend
VERDICTS = ("clear", "suspicious", "found")
UNASSIGNED = ""  # the district of sites whose address names none


def city_day(signed_at: str) -> str:
    """The city's calendar day (ISO) of a stored UTC timestamp."""
    moment = datetime.fromisoformat(signed_at.replace("Z", "+00:00"))
    return moment.astimezone(CITY_ZONE).date().isoformat()


def city_today(now: datetime) -> date:
    return now.astimezone(CITY_ZONE).date()


@dataclass
class _Tally:
    inspections: int = 0
    clear: int = 0
    suspicious: int = 0
    found: int = 0
    alerts: int = 0
    weak_presence: int = 0


def count_inspections(session, bodies: list[dict]) -> None:
    """Count the signed-off inspections among ``bodies`` (records just taken in) into their
    sites' days. The sites exist (intake adds unknown ones first)."""
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for body in bodies:
        if body.get("type") != "inspection" or body.get("status") != "signed_off":
            continue
        tally = tallies[(body["site"]["id"], city_day(body["signed_at"]))]
        tally.inspections += 1
        if body.get("verdict") in VERDICTS:
            setattr(tally, body["verdict"], getattr(tally, body["verdict"]) + 1)
        tally.alerts += len(body.get("alerts") or [])
        presence = body.get("presence")
        tally.weak_presence += isinstance(presence, dict) and presence.get("level") in ("weak",
                                                                                        "none")
    for (site_id, day), tally in sorted(tallies.items()):  # sorted: no deadlock between batches
        _add_day(session, site_id, day, tally)
        session.execute(Site.__table__.update().where(Site.id == site_id).where(
            (Site.last_inspected_on.is_(None)) | (Site.last_inspected_on < day))
            .values(last_inspected_on=day))


def _add_day(session, site_id: str, day: str, tally: _Tally) -> None:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415
    else:
        from sqlalchemy.dialects.sqlite import insert  # noqa: PLC0415
    values = {"site_id": site_id, "day": day, **vars(tally)}
    statement = insert(CoverageDay).values(values)
    added = {name: getattr(CoverageDay, name) + getattr(statement.excluded, name)
             for name in vars(tally)}
    session.execute(statement.on_conflict_do_update(index_elements=["site_id", "day"],
                                                    set_=added))


def _overdue_condition(day: date):
    """SQL: the site is overdue on ``day`` (its schedule's period has passed since its last
    inspection, or it has a schedule and none)."""
    whens = [(Site.schedule == name,
              (Site.last_inspected_on.is_(None))
              | (Site.last_inspected_on <= (day - timedelta(days=period)).isoformat()))
             for name, period in PERIOD_DAYS.items()]
    return case(*whens, else_=literal(False))


def _window(day: date, days: int) -> tuple[str, str]:
    return (day - timedelta(days=days - 1)).isoformat(), day.isoformat()


def city_view(store, day: date, *, window_days: int = WINDOW_DAYS) -> dict:
    """Every district's coverage in the ``window_days`` ending on ``day``, the city's totals
    and the daily trend of the last ``TREND_DAYS`` days."""
    first, last = _window(day, window_days)
    district = func.coalesce(Site.district, UNASSIGNED)
    sites_q = (select(district.label("district"), func.count().label("sites"),
                      func.count(Site.schedule).label("scheduled"),
                      func.sum(case((_overdue_condition(day), 1), else_=0)).label("overdue"))
               .group_by(district))
    days = (select(CoverageDay.site_id, func.sum(CoverageDay.inspections).label("inspections"),
                   *[func.sum(getattr(CoverageDay, v)).label(v) for v in VERDICTS],
                   func.sum(CoverageDay.alerts).label("alerts"),
                   func.sum(CoverageDay.weak_presence).label("weak_presence"))
            .where(CoverageDay.day.between(first, last)).group_by(CoverageDay.site_id)
            .subquery())
    done_q = (select(district.label("district"), func.count().label("inspected_sites"),
                     *[func.sum(getattr(days.c, c)).label(c) for c in
                       ("inspections", *VERDICTS, "alerts", "weak_presence")])
              .select_from(days.join(Site, Site.id == days.c.site_id)).group_by(district))
    with store.read() as session:
        rows = {r.district: {**r._asdict()} for r in session.execute(sites_q)}
        for r in session.execute(done_q):
            rows.setdefault(r.district, {"district": r.district, "sites": 0, "scheduled": 0,
                                         "overdue": 0}).update(r._asdict())
        trend = _trend(session, day)
    districts = [_complete(row) for _, row in sorted(rows.items())]
    totals = _complete({"district": None, **{k: sum(d[k] for d in districts)
                                            for k in _COUNTS}})
    return {"date": day.isoformat(), "window": [first, last], "window_days": window_days,
            "zone": str(CITY_ZONE), "districts": districts, "totals": totals, "trend": trend}


_COUNTS = ("sites", "scheduled", "overdue", "inspected_sites", "inspections", *VERDICTS,
           "alerts", "weak_presence")


def _complete(row: dict) -> dict:
    return {"district": row["district"], **{k: int(row.get(k) or 0) for k in _COUNTS}}


def _trend(session, day: date) -> list[dict]:
    first, last = _window(day, TREND_DAYS)
    query = (select(CoverageDay.day, func.count().label("sites"),
                    func.sum(CoverageDay.found).label("found"),
                    func.sum(CoverageDay.suspicious).label("suspicious"),
                    func.sum(CoverageDay.weak_presence).label("weak_presence"))
             .where(CoverageDay.day.between(first, last)).group_by(CoverageDay.day))
    by_day = {r.day: r for r in session.execute(query)}
    out = []
    for offset in range(TREND_DAYS):
        iso = (day - timedelta(days=TREND_DAYS - 1 - offset)).isoformat()
        row = by_day.get(iso)
        out.append({"day": iso, "inspected_sites": int(row.sites) if row else 0,
                    **{k: int(getattr(row, k) or 0) if row else 0
                       for k in ("found", "suspicious", "weak_presence")}})
    return out


def district_view(store, district: str, day: date, *, window_days: int = WINDOW_DAYS) -> dict:
    """Each site of ``district`` (``UNASSIGNED`` for sites without one) on ``day``: schedule,
    last inspection, overdue, and its inspections and verdicts in the window."""
    first, last = _window(day, window_days)
    days = (select(CoverageDay.site_id, func.sum(CoverageDay.inspections).label("inspections"),
                   *[func.sum(getattr(CoverageDay, v)).label(v) for v in VERDICTS],
                   func.sum(CoverageDay.weak_presence).label("weak_presence"))
            .where(CoverageDay.day.between(first, last)).group_by(CoverageDay.site_id)
            .subquery())
    matches = Site.district.is_(None) if district == UNASSIGNED else Site.district == district
    query = (select(Site.id, Site.name, Site.schedule, Site.assignee, Site.last_inspected_on,
                    _overdue_condition(day).label("overdue"), days.c.inspections,
                    *[getattr(days.c, v) for v in VERDICTS], days.c.weak_presence)
             .outerjoin(days, days.c.site_id == Site.id).where(matches).order_by(Site.id))
    with store.read() as session:
        sites = [{"site_id": r.id, "name": r.name, "schedule": r.schedule,
                  "assignee": r.assignee, "last_inspected_on": r.last_inspected_on,
                  "overdue": bool(r.overdue), "inspections": int(r.inspections or 0),
                  **{v: int(getattr(r, v) or 0) for v in VERDICTS},
                  "weak_presence": int(r.weak_presence or 0)}
                 for r in session.execute(query)]
    return {"date": day.isoformat(), "window": [first, last], "window_days": window_days,
            "zone": str(CITY_ZONE), "district": district, "sites": sites}
