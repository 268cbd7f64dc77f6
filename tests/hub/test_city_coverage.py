"""The city's coverage on the hub: devices' signed records, taken in for real over HTTP into
PostgreSQL, counted per district and day in the city's time, with overdue sites, and shown to a
supervisor as pages and a CSV."""

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from detector.engine.sites import import_sites
from detector.hub.coverage import city_view, district_view
from detector.hub.sync import sync_log
from detector.places import district_of
from tests.web.conftest import Browser

pytestmark = pytest.mark.slow
SEOUL = ZoneInfo("Asia/Seoul")
CITY_SITES = """id,name,address,stalls,schedule,district,assignee
jongno-1,종로타워 공중화장실,서울특별시 종로구 종로 51,1,weekly,,kim
mapo-7,마포역 화장실,"Mapo-gu, Seoul",1,monthly,마포구,lee
gangnam-3,강남역 화장실,서울특별시 강남구 강남대로 396,2,daily,,
"""


@pytest.fixture
def city(hub, served, make_device, enrolled, tmp_path):
    """A hub holding the city's sites and one device's synced log of 121 inspections."""
    sites = tmp_path / "city.csv"
    sites.write_text(CITY_SITES, encoding="utf-8")
    import_sites(hub.extensions["ansim"].inspections.store, sites)
    device = make_device("handheld")
    device.inspect("jongno-1")
    device.add_records(120, seed=3)
    sync_log(device.data_dir, served.url, enrolled(device))
    return hub, device


def _seoul_day(signed_at: str) -> date:
    return datetime.fromisoformat(signed_at.replace("Z", "+00:00")).astimezone(SEOUL).date()


def test_districts_come_from_the_csv_or_a_korean_address():
    assert district_of("서울특별시 종로구 종로 51") == "종로구"
    assert district_of("경기도 수원시 팔달구 효원로 1") == "수원시"
    assert district_of("Mapo-gu, Seoul") is None and district_of(None) is None


def test_every_signed_off_inspection_is_counted_on_its_seoul_day(city):
    hub, device = city
    bodies = [r.body for r in device.local_records() if r.body["type"] == "inspection"]
    expected = Counter((b["site"]["id"], _seoul_day(b["signed_at"])) for b in bodies)
    store = hub.extensions["ansim"].inspections.store
    for day in sorted({d for _, d in expected}):
        view = city_view(store, day, window_days=1)
        by_district = {d["district"]: d for d in view["districts"]}
        assert by_district["종로구"]["inspections"] == expected[("jongno-1", day)]
        assert by_district["마포구"]["inspections"] == expected[("mapo-7", day)]
        assert view["totals"]["inspections"] == sum(n for (_, d), n in expected.items()
                                                    if d == day)
        assert view["totals"]["sites"] == 3
    for day in {d for _, d in expected}:  # a week's window holds each day's records
        week = city_view(store, day)["totals"]
        in_week = [b for b in bodies if 0 <= (day - _seoul_day(b["signed_at"])).days < 7]
        assert week["inspections"] == len(in_week)
        assert week["found"] == sum(b["verdict"] == "found" for b in in_week)


def test_overdue_sites_follow_their_schedule(city):
    hub, device = city
    store = hub.extensions["ansim"].inspections.store
    last = max(_seoul_day(r.body["signed_at"]) for r in device.local_records()
               if r.body["type"] == "inspection" and r.body["site"]["id"] == "jongno-1")
    on_time = {s["site_id"]: s for s in district_view(store, "종로구",
                                                      last + timedelta(days=6))["sites"]}
    late = {s["site_id"]: s for s in district_view(store, "종로구",
                                                   last + timedelta(days=7))["sites"]}
    assert not on_time["jongno-1"]["overdue"] and late["jongno-1"]["overdue"]
    assert late["jongno-1"]["assignee"] == "kim"
    never = district_view(store, "강남구", last)["sites"][0]
    assert never["last_inspected_on"] is None and never["overdue"]  # daily, never inspected
    assert city_view(store, last)["totals"]["overdue"] >= 1


def test_a_supervisor_reads_the_city_page_and_exports_it_for_excel(city):
    hub, _ = city
    accounts = hub.extensions["ansim"].accounts
    accounts.create_first_admin("admin", "correct horse battery", "Admin Kim")
    accounts.create_user("park", "a long enough password", "supervisor",
                         display_name="Park Supervisor")
    supervisor = Browser(hub)
    assert supervisor.login("park", "a long enough password").status_code == 302
    page = supervisor.page("/city?date=2026-05-02").get_data(as_text=True)
    assert "종로구" in page and "마포구" in page and "강남구" in page
    exported = supervisor.page("/api/city/export.csv?date=2026-05-02")
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["district"] for r in rows} >= {"종로구", "마포구", "강남구"}
    data = supervisor.page("/api/city?date=2026-05-02").get_json()
    assert int(rows[-1]["inspections"]) == data["totals"]["inspections"] > 0
    assert supervisor.page("/api/city?date=not-a-day").status_code == 400
    assert Browser(hub).page("/api/city").status_code in (401, 403)
