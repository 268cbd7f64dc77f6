"""A supervisor's morning on the hub, in a real headless Chromium (Debian's, with the Korean
font the test setup installs) at a phone's viewport, against the hub served by waitress on a
real PostgreSQL: the city's coverage per district for a week and for a day, the overdue sites,
the verdicts and the weak-presence inspections flagged, the four-week trend drawn by the
vendored uPlot, one district's sites, and the CSV the city keeps, downloaded and read back.

The hub's records are four weeks of a device's signed inspections of five restrooms in four
districts, taken in over HTTP as a real device uploads them. What the pages must show is
counted here from that plan, not from the hub's answers.
"""

import csv
import io
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from detector.engine.sites import import_sites
from detector.hub.sync import sync_log
from detector.log import records
from detector.timestamps import format_utc
from tests.support.browser import PHONE, TIMEOUT_MS, hangul_is_drawn, look, needs_chromium

pytestmark = [pytest.mark.slow, needs_chromium]
SUPERVISOR = ("park", "supervisor password", "박감독")
TODAY = date(2026, 5, 28)  # the city's day the supervisor looks at
CITY_SITES = """id,name,address,stalls,schedule,district,assignee
jongno-1,종로타워 공중화장실,서울특별시 종로구 종로 51,1,weekly,,김점검
jongno-2,종각역 화장실,서울특별시 종로구 종로 55,2,daily,,김점검
mapo-7,마포역 화장실,"Mapo-gu, Seoul",1,daily,마포구,이점검
gangnam-3,강남역 화장실,서울특별시 강남구 강남대로 396,2,daily,,
seocho-4,서초역 화장실,서울특별시 서초구 서초대로 1,1,weekly,,최점검
"""
NAMES = {"jongno-1": "종로타워 공중화장실", "jongno-2": "종각역 화장실",
         "mapo-7": "마포역 화장실", "seocho-4": "서초역 화장실"}


def _plan() -> list[dict]:
    """Who inspected what, on which day of the four weeks up to ``TODAY``: jongno-2 daily
    (the last two with weak presence), mapo-7 daily but not the last three days (so overdue),
    jongno-1 and seocho-4 weekly; a camera found at mapo-7 on 05-24, a suspicious verdict at
    jongno-2 on 05-28; gangnam-3 never."""
    plan = []
    for back in range(28):
        day = TODAY - timedelta(days=back)
        plan.append({"site": "jongno-2", "day": day,
                     "verdict": "suspicious" if day == TODAY else "clear",
                     "presence": "weak" if back < 2 else "strong"})
        if back >= 3:
            plan.append({"site": "mapo-7", "day": day,
                         "verdict": "found" if day == date(2026, 5, 24) else "clear",
                         "presence": "strong"})
        if back % 7 == 1:
            plan.append({"site": "jongno-1", "day": day, "verdict": "clear",
                         "presence": "strong"})
        if back % 7 == 4:
            plan.append({"site": "seocho-4", "day": day, "verdict": "clear",
                         "presence": "none" if back == 4 else "strong"})
    return plan


def _bodies(plan: list[dict]) -> list[dict]:
    """The plan as signed-off inspection bodies, signed at 10:00 in Seoul (01:00 UTC)."""
    rng = random.Random(15)
    out = []
    for entry in sorted(plan, key=lambda e: e["day"]):
        signed = datetime(entry["day"].year, entry["day"].month, entry["day"].day, 1,
                          rng.randrange(60), tzinfo=UTC)
        alerts = [{"kind": "place_change", "severity": "medium"}] \
            if entry["verdict"] != "clear" else []
        out.append({
            "type": "inspection", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "status": "signed_off",
            "site": {"id": entry["site"], "name": NAMES[entry["site"]], "address": None},
            "inspector": "김점검", "signed_by": "김점검", "stalls": 1,
            "started_at": format_utc(signed - timedelta(minutes=8)),
            "signed_at": format_utc(signed), "steps": [], "checklist": [], "alerts": alerts,
            "coverage": {}, "verdict": entry["verdict"], "escalation": None, "evidence": [],
            "presence": {"level": entry["presence"], "reasons": []},
            "software": "ansim test"})
    return out


@pytest.fixture
def city(hub, served, make_device, enrolled, tmp_path):
    """The hub holding the city's sites and a device's four weeks, synced over HTTP; the
    supervisor's account; the plan."""
    sites = tmp_path / "city.csv"
    sites.write_text(CITY_SITES, encoding="utf-8")
    import_sites(hub.extensions["ansim"].inspections.store, sites)
    device = make_device("handheld")
    plan = _plan()
    with device.open() as service, service.store.write() as session:
        records.append_many(session, service.signer, _bodies(plan), "2026-04-30T00:00:00Z")
    sync_log(device.data_dir, served.url, enrolled(device))
    accounts = hub.extensions["ansim"].accounts
    accounts.create_first_admin("admin", "correct horse battery", "Admin Kim")
    accounts.create_user(SUPERVISOR[0], SUPERVISOR[1], "supervisor",
                         display_name=SUPERVISOR[2])
    return served, plan


def _phone(chromium, served):
    context = chromium.new_context(**PHONE, base_url=served.url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", SUPERVISOR[0])
    page.fill("input[name=password]", SUPERVISOR[1])
    page.click("form.stack button")
    page.wait_for_url(re.compile(r".*/log$"))
    return page


def _cards(page, selector: str) -> dict[str, dict[str, str]]:
    """Each card's figures (``dd[data-key]``) by the card's heading, as the page shows them."""
    cards = {}
    for card in page.locator(f"{selector} > li").all():
        figures = card.locator("dd[data-key]")
        cards[card.locator("h2").inner_text().strip()] = {
            figures.nth(k).get_attribute("data-key"): figures.nth(k).inner_text().strip()
            for k in range(figures.count())}
    return cards


def _expected(plan, first: date, last: date, sites: set[str]) -> dict:
    window = [e for e in plan if first <= e["day"] <= last and e["site"] in sites]
    return {"inspections": len(window), "inspected_sites": len({e["site"] for e in window}),
            "found": sum(e["verdict"] == "found" for e in window),
            "suspicious": sum(e["verdict"] == "suspicious" for e in window),
            "weak": sum(e["presence"] in ("weak", "none") for e in window)}


def test_a_supervisor_reads_the_city_by_week_and_day_and_exports_it(chromium, city, screens):
    served, plan = city
    page = _phone(chromium, served)
    page.click("nav.tabs a[data-nav=city]")
    page.wait_for_url(re.compile(r".*/city$"))
    assert page.locator("h1").inner_text() == "시 전체 점검 현황"
    assert hangul_is_drawn(page)

    page.goto(f"/city?date={TODAY.isoformat()}")
    week_first = TODAY - timedelta(days=6)
    assert f"{week_first.isoformat()} ~ {TODAY.isoformat()}" in \
        page.locator("#window-dates").inner_text()
    cards = _cards(page, "#districts")
    jongno = _expected(plan, week_first, TODAY, {"jongno-1", "jongno-2"})
    assert cards["종로구"] == {
        "sites": "2", "inspected_sites": str(jongno["inspected_sites"]), "overdue": "0",
        "inspections": str(jongno["inspections"]),
        "clear": str(jongno["inspections"] - jongno["suspicious"]), "suspicious": "1",
        "found": "0", "alerts": "1", "weak_presence": f"⚑ {jongno['weak']}"}
    mapo = _expected(plan, week_first, TODAY, {"mapo-7"})
    assert cards["마포구"]["overdue"] == "1"  # daily, last inspected three days ago
    assert cards["마포구"]["inspections"] == str(mapo["inspections"])
    assert cards["마포구"]["found"] == "1"
    assert (cards["강남구"]["inspected_sites"], cards["강남구"]["overdue"]) == ("0", "1")
    seocho = _expected(plan, week_first, TODAY, {"seocho-4"})
    assert cards["서초구"]["weak_presence"] == f"⚑ {seocho['weak']}"
    everything = _expected(plan, week_first, TODAY, set(NAMES))
    assert cards["합계"]["inspections"] == str(everything["inspections"])
    assert cards["합계"]["overdue"] == "2"
    assert page.locator("#districts > li.found").count() == 2  # 마포구 and the total
    _assert_trend_drawn(page)
    look(page, screens, "50-hub-city-week")

    page.click("#window a:not([aria-current])")
    page.wait_for_url(re.compile(r".*window=day.*"))
    assert TODAY.isoformat() + " ~ " + TODAY.isoformat() in \
        page.locator("#window-dates").inner_text()
    day_cards = _cards(page, "#districts")
    assert day_cards["종로구"]["inspections"] == str(_expected(
        plan, TODAY, TODAY, {"jongno-1", "jongno-2"})["inspections"])
    assert day_cards["마포구"]["inspections"] == "0"
    assert day_cards["종로구"]["suspicious"] == "1"
    look(page, screens, "51-hub-city-day")
    with page.expect_download() as download:
        page.click("#export")
    _assert_export(download.value.path(), plan, TODAY, TODAY, "합계")

    page.click("#districts a:text('종로구')")
    page.wait_for_url(re.compile(r".*/city/.*"))
    sites = _cards(page, "#sites")
    assert set(sites) == {"종각역 화장실", "종로타워 공중화장실"}
    assert "김점검" in page.locator("#sites > li[data-site=jongno-2] .hint").inner_text()
    assert sites["종각역 화장실"]["weak_presence"] == "⚑ 1"  # today's, the day's window
    assert sites["종각역 화장실"]["last"] == TODAY.isoformat()
    assert page.locator("#sites > li.weak").count() == 1
    look(page, screens, "52-hub-city-district")
    page.goto(f"/city/강남구?date={TODAY.isoformat()}")
    gangnam = _cards(page, "#sites")["강남역 화장실"]
    assert gangnam["last"] == "없음 · 기한 지남"  # daily, never inspected
    assert page.locator("#sites > li.overdue").count() == 1
    page.context.close()


def test_the_city_in_english_on_a_desk_screen(chromium, city, screens):
    served, plan = city
    page = _phone(chromium, served)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("header form.lang button")
    page.goto(f"/city?date={TODAY.isoformat()}")
    assert page.locator("h1").inner_text() == "City coverage"
    _assert_trend_drawn(page)
    legend = page.locator("#trend .u-legend").inner_text()
    assert "Inspected" in legend and "Camera found" in legend and "Weak presence" in legend
    page.screenshot(path=screens / "53-hub-city-desk-en.png", full_page=True)
    with page.expect_download() as download:
        page.click("#export")
    _assert_export(download.value.path(), plan, TODAY - timedelta(days=6), TODAY, "Total")
    page.context.close()


def _assert_trend_drawn(page) -> None:
    """uPlot drew the four weeks: its canvas holds the series' colours, not a blank."""
    canvas = page.locator("#trend canvas")
    canvas.wait_for()
    assert page.locator("#trend").get_attribute("data-points") == "28"
    colours = page.evaluate("""() => {
      const c = document.querySelector("#trend canvas"), ctx = c.getContext("2d");
      const px = ctx.getImageData(0, 0, c.width, c.height).data, seen = new Set();
      for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 200) seen.add([px[i] >> 5, px[i + 1] >> 5, px[i + 2] >> 5].join());
      return [...seen];
    }""")
    assert "0,1,2" in colours  # the navy of the inspected sites (#12355b)
    assert "6,1,1" in colours  # the red of the day a camera was found (#c62828)


def _assert_export(path, plan, first: date, last: date, total_label: str) -> None:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel on a Korean Windows reads the Hangul
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_district = {r["district"]: r for r in rows}
    assert set(by_district) == {"종로구", "마포구", "강남구", "서초구", total_label}
    everything = _expected(plan, first, last, set(NAMES))
    total = by_district[total_label]
    assert (total["window_first"], total["window_last"]) == (first.isoformat(),
                                                             last.isoformat())
    assert int(total["inspections"]) == everything["inspections"]
    assert int(total["found"]) == everything["found"]
    assert int(total["weak_presence"]) == everything["weak"]
    assert int(by_district["강남구"]["overdue"]) == 1

