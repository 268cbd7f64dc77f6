"""The hub's city coverage views at a city's scale: Seoul's 20,554 public restrooms in 25
districts, 8,000 inspectors, and a year of daily inspections (about 7.5 million signed-off
inspections) in PostgreSQL.

What is loaded is what the views read: the sites (district, schedule, assignee, last inspected
day) and one ``coverage_days`` row per site and day, as the hub's intake writes them
(``detector.hub.coverage.count_inspections``). The records themselves (gigabytes of signed
bodies) are not loaded: no view reads them, which is the point of the summary. Rows are made by
PostgreSQL itself (``generate_series``), seeded by arithmetic on the site and day so every run
loads the same city: about 1 % of inspections suspicious, 1 in 20,000 found, 2 % with weak
presence; one site in 40 stopped being inspected up to a month before the end, so some are
overdue.

Timed, after ``ANALYZE``: the city view (every district over a week, totals, a four-week trend)
and one district's view (its ~820 sites), each the median of several runs through
``detector.hub.coverage`` as the dashboard calls it.

Why the summary and not 7.5 million records: the views' SQL touches ``sites`` and
``coverage_days`` only, so their plans and timings do not depend on how many record bodies sit
in other tables (a real hub's bodies take gigabytes of disk and compete for the cache: the
first, cache-cold run of the city view is reported too). What the summary costs is paid at
intake, so the benchmark then takes in one more whole day of the city (one signed-off
inspection per site, ``INTAKE_BATCH`` bodies a transaction as uploads arrive) through the
intake's own ``count_inspections``, times it, and checks that the city view counts every one.
"""

import statistics
import time
from datetime import date, timedelta

from sqlalchemy import create_engine, text

from detector.hub.coverage import city_view, count_inspections, district_view
from detector.i18n import t
from detector.log.storage import open_store

SEOUL_DISTRICTS = ("종로구", "중구", "용산구", "성동구", "광진구", "동대문구", "중랑구", "성북구",
                   "강북구", "도봉구", "노원구", "은평구", "서대문구", "마포구", "양천구", "강서구",
                   "구로구", "금천구", "영등포구", "동작구", "관악구", "서초구", "강남구", "송파구",
                   "강동구")
CITY_SITES = 20_554
INSPECTORS = 8_000
TIMED_RUNS = 5
INTAKE_BATCH = 100  # records per upload, as ``ansim hub sync`` sends them
#: The last day of the loaded year (fixed, so every run loads and asks the same).
LAST_DAY = date(2026, 11, 30)


def add_arguments(parser):
    parser.add_argument("--city-sites", type=int, default=CITY_SITES,
                        help=t("bench.arg.hub.city_sites"))
    parser.add_argument("--city-days", type=int, default=365, help=t("bench.arg.hub.city_days"))


def measure(server_url: str, sites: int, days: int) -> dict:
    """Load a city into a new database on ``server_url`` (``postgresql+psycopg://...``,
    without a database name) and time its views."""
    admin = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS ansim_city"))
        conn.execute(text("CREATE DATABASE ansim_city"))
    admin.dispose()
    with open_store(f"{server_url}/ansim_city") as store:
        started = time.perf_counter()
        rows = _load(store, sites, days)
        load_s = time.perf_counter() - started
        city_cold_s, city_s = _median_s(lambda: city_view(store, LAST_DAY))
        busiest = max(city_view(store, LAST_DAY)["districts"], key=lambda d: d["sites"])
        _, district_s = _median_s(lambda: district_view(store, busiest["district"], LAST_DAY))
        intake_s = _intake_a_day(store, sites)
    return {"city_sites": sites, "city_days": days, "coverage_rows": rows,
            "city_districts": len(SEOUL_DISTRICTS), "city_load_s": round(load_s, 1),
            "coverage_city_view_s": round(city_s, 3),
            "coverage_city_view_cold_s": round(city_cold_s, 3),
            "coverage_district_view_s": round(district_s, 3),
            "coverage_district_sites": busiest["sites"],
            "coverage_intake_day_s": round(intake_s, 1),
            "coverage_intake_per_record_ms": round(1000 * intake_s / max(sites, 1), 3)}


def _intake_a_day(store, sites: int) -> float:
    """Seconds to count the day after ``LAST_DAY`` (one signed-off inspection per site, at
    10:00 in Seoul) into the summary through the intake's ``count_inspections``; the city
    view must then count exactly those."""
    day = LAST_DAY + timedelta(days=1)
    signed_at = f"{day.isoformat()}T01:00:00.000000Z"
    bodies = [{"type": "inspection", "status": "signed_off", "site": {"id": f"site-{g}"},
               "signed_at": signed_at, "verdict": "suspicious" if g % 100 == 0 else "clear",
               "alerts": [{}] if g % 100 == 0 else [],
               "presence": {"level": "weak" if g % 50 == 3 else "strong"}}
              for g in range(sites)]
    started = time.perf_counter()
    for first in range(0, sites, INTAKE_BATCH):
        with store.write() as session:
            count_inspections(session, bodies[first:first + INTAKE_BATCH])
    seconds = time.perf_counter() - started
    counted = city_view(store, day, window_days=1)["totals"]
    if counted["inspections"] != sites or counted["inspected_sites"] != sites:
        raise RuntimeError(f"the summary counted {counted['inspections']} of {sites} "
                             "inspections taken in")
    return seconds


def _load(store, sites: int, days: int) -> int:
    first = LAST_DAY - timedelta(days=days - 1)
    districts = "ARRAY[" + ",".join(f"'{d}'" for d in SEOUL_DISTRICTS) + "]"
    with store.write() as session:
        session.execute(text(f"""
            INSERT INTO sites (id, name, district, schedule, assignee, stalls, updated_at)
            SELECT 'site-' || g, '공중화장실 ' || g, ({districts})[1 + g % {len(SEOUL_DISTRICTS)}],
                   CASE WHEN g % 10 < 6 THEN 'daily' WHEN g % 10 < 9 THEN 'weekly'
                        ELSE 'monthly' END,
                   'inspector-' || (g % {INSPECTORS}), 1 + g % 6, '2026-12-01T00:00:00.000000Z'
            FROM generate_series(0, :n - 1) AS g"""), {"n": sites})
        # One site in 40 stopped being inspected 1-30 days before the end.
        session.execute(text("""
            INSERT INTO coverage_days (site_id, day, inspections, clear, suspicious, found,
                                       alerts, weak_presence)
            SELECT 'site-' || g, to_char(d, 'YYYY-MM-DD'), 1,
                   CASE WHEN h % 100 = 0 OR h % 20000 = 7 THEN 0 ELSE 1 END,
                   CASE WHEN h % 100 = 0 AND h % 20000 <> 7 THEN 1 ELSE 0 END,
                   CASE WHEN h % 20000 = 7 THEN 1 ELSE 0 END,
                   CASE WHEN h % 100 = 0 THEN 1 + h % 3 ELSE 0 END,
                   CASE WHEN h % 50 = 3 THEN 1 ELSE 0 END
            FROM generate_series(0, :n - 1) AS g
            CROSS JOIN generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day')
                AS d
            CROSS JOIN LATERAL (SELECT (CAST(g AS bigint) * 7919
                                        + (CAST(d AS date) - CAST(:first AS date)))
                                       * 104729 % 1000003 AS h) AS mix
            WHERE g % 40 <> 0 OR CAST(d AS date) <= CAST(:last AS date) - (1 + (g / 40) % 30)"""),
                        {"n": sites, "first": first.isoformat(), "last": LAST_DAY.isoformat()})
        session.execute(text("""
            UPDATE sites SET last_inspected_on = last.day
            FROM (SELECT site_id, max(day) AS day FROM coverage_days GROUP BY site_id) AS last
            WHERE sites.id = last.site_id"""))
        rows = session.execute(text("SELECT count(*) FROM coverage_days")).scalar_one()
    with store.write() as session:
        session.execute(text("ANALYZE sites"))
        session.execute(text("ANALYZE coverage_days"))
    return rows


def _median_s(call) -> tuple[float, float]:
    """(the first run's seconds, the median of the next ``TIMED_RUNS``): the first reads the
    pages from disk into PostgreSQL's cache."""
    started = time.perf_counter()
    call()
    cold = time.perf_counter() - started
    times = []
    for _ in range(TIMED_RUNS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return cold, statistics.median(times)
