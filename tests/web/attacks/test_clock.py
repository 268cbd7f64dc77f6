"""Finding 6: a volunteer's phone could set the clock that stamps signed records (2031
accepted; 9999 overflowed and stopped inspections). Now only an inspector or admin may give
the time, only within sane years, and each record says where its time came from."""

from datetime import UTC, datetime

import pytest

from detector.engine.sites import import_sites
from tests.web.conftest import Browser

YEAR_2031_MS = int(datetime(2031, 1, 1, tzinfo=UTC).timestamp() * 1000)
NOW_MS = int(datetime(2026, 5, 9, 9, 15, tzinfo=UTC).timestamp() * 1000)
YEAR_9999_MS = int(datetime(9999, 12, 31, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def clockless(clocks):
    clocks.utc = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)
    return clocks


@pytest.fixture
def join_code(app, admin):
    return admin.api("POST", "/api/join-codes").get_json()["code"]


def test_a_volunteer_cannot_set_the_clock(app, clockless, join_code):
    phone = Browser(app)
    phone.page("/join")
    phone.form("/join", {"code": join_code, "display_name": "v", "phone_time_ms": YEAR_2031_MS})
    phone.page("/", follow_redirects=True)
    assert phone.api("POST", "/api/clock", {"phone_time_ms": YEAR_2031_MS}).status_code == 403
    clock = app.extensions["ansim"].clock
    assert not clock.from_phone and clock.needs_phone_time


@pytest.mark.parametrize("bad", [YEAR_9999_MS, 10**30, -1, "NaN", "inf", [1], True])
def test_an_absurd_time_is_refused_and_inspections_go_on(app, clockless, make_user, bad):
    inspector = make_user("kim", "inspector")
    response = inspector.api("POST", "/api/clock", {"phone_time_ms": bad})
    assert response.status_code == 200 and response.get_json()["adopted"] is False
    svc = app.extensions["ansim"]
    assert not svc.clock.from_phone
    svc.clock.now()  # no overflow


def test_each_record_says_where_its_time_came_from(app, clockless, make_user, tmp_path):
    svc = app.extensions["ansim"]
    sites = tmp_path / "sites.csv"
    sites.write_text("id,name,stalls\nS1,Station,1\n", encoding="utf-8")
    import_sites(svc.inspections.store, sites)
    first = svc.inspections.start("S1", "Kim")
    before = svc.inspections.cancel(first.id, "no clock yet")
    inspector = make_user("kim", "inspector")
    assert inspector.api("POST", "/api/clock", {"phone_time_ms": NOW_MS}).get_json()["adopted"]
    second = svc.inspections.start("S1", "Kim")
    after = svc.inspections.cancel(second.id, "clock from the phone")
    assert before.body["clock_source"] == "system"
    assert after.body["clock_source"] == "phone"
    assert after.body["signed_at"].startswith("2026-05-09")
