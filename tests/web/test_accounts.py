"""Accounts: password hashing, volunteers' join codes that expire, and a device without a
clock taking the time from the first phone (and recording that it did)."""

from datetime import UTC, datetime

import pytest

from tests.web.conftest import ADMIN, Browser, setup_code_of
from web.accounts import hash_password, verify_password


def test_passwords_are_salted_scrypt_and_verify_only_themselves():
    first, second = hash_password("a long passphrase"), hash_password("a long passphrase")
    assert first.startswith("scrypt$") and first != second  # fresh salt each time
    assert "a long passphrase" not in first
    assert verify_password("a long passphrase", first)
    assert not verify_password("a long passphrase!", first)
    assert not verify_password("anything", None)
    assert not verify_password("anything", "md5$abc")


def _issue_code(admin):
    response = admin.api("POST", "/api/join-codes")
    assert response.status_code == 201
    return response.get_json()


def test_a_volunteer_joins_with_the_code_and_lands_on_the_live_page(app, admin):
    issued = _issue_code(admin)
    assert issued["join_url"].endswith(f"/join?code={issued['code']}")
    volunteer = Browser(app)
    page = volunteer.page(f"/join?code={issued['code']}").get_data(as_text=True)
    assert issued["code"] in page  # the QR's link fills the code in
    response = volunteer.form("/join", {"code": issued["code"].lower(), "display_name": "Lee"})
    assert response.status_code == 302
    session = volunteer.client.get("/api/session").get_json()
    assert session["role"] == "volunteer" and session["display_name"] == "Lee"
    assert volunteer.client.get("/").status_code == 200


def test_the_qr_code_is_an_svg_made_by_the_device(admin):
    issued = _issue_code(admin)
    response = admin.client.get(issued["qr_url"])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith("<svg")


def test_an_expired_join_code_is_refused(app, admin, clocks):
    issued = _issue_code(admin)
    clocks.advance(10 * 60 + 1)
    volunteer = Browser(app)
    volunteer.page("/join")
    response = volunteer.form("/join", {"code": issued["code"], "display_name": "Late"})
    assert response.status_code == 400
    assert volunteer.client.get("/api/session").status_code == 401


def test_made_up_join_codes_are_refused_and_guessing_is_slowed(app, admin):
    volunteer = Browser(app)
    volunteer.page("/join")
    statuses = [volunteer.form("/join", {"code": f"ZZZZZ{i}", "display_name": "x"}).status_code
                for i in range(6)]
    assert statuses == [400] * 5 + [429]


def test_volunteer_accounts_lapse_at_the_end_of_the_day(app, admin, clocks):
    issued = _issue_code(admin)
    volunteer = Browser(app)
    volunteer.page("/join")
    volunteer.form("/join", {"code": issued["code"], "display_name": "Lee"})
    assert volunteer.client.get("/api/session").status_code == 200
    clocks.advance(12 * 3600 + 1)
    assert volunteer.client.get("/api/session").status_code == 401


@pytest.fixture
def clockless(clocks):
    """A Pi without a clock battery that booted without network time."""
    clocks.utc = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)
    return clocks


def test_a_clockless_device_takes_the_time_from_the_first_phone_and_records_it(
        app, clockless):
    phone_time = datetime(2026, 5, 9, 9, 15, tzinfo=UTC)
    b = Browser(app)
    b.page("/setup")
    b.form("/setup", {"setup_code": setup_code_of(app), "username": ADMIN[0],
                      "password": ADMIN[1], "password_again": ADMIN[1],
                      "phone_time_ms": str(int(phone_time.timestamp() * 1000))})
    svc = app.extensions["ansim"]
    assert svc.clock.now() == phone_time
    clockless.advance(60)
    assert (svc.clock.now() - phone_time).total_seconds() == 60  # carried on by the system clock
    [fix] = svc.accounts.clock_fixes()
    assert fix["username"] == ADMIN[0] and fix["system_time"].startswith("1970-01-01")
    assert fix["phone_time"].startswith("2026-05-09T09:15")
    # A second phone with another time does not move the clock again.
    other = Browser(app)
    other.login(*ADMIN, phone_time_ms=str(int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()
                                              * 1000)))
    assert len(svc.accounts.clock_fixes()) == 1 and svc.clock.now().year == 2026


def test_a_logged_in_phone_sets_the_clock_after_a_reboot(app, clockless):
    b = Browser(app)
    b.page("/setup")
    b.form("/setup", {"setup_code": setup_code_of(app), "username": ADMIN[0],
                      "password": ADMIN[1], "password_again": ADMIN[1]})
    page = b.page("/", follow_redirects=True).get_data(as_text=True)
    assert 'data-clock-needed="1"' in page  # the page asks its script to send the phone's time
    response = b.api("POST", "/api/clock", {"phone_time_ms": 1_778_300_000_000})
    assert response.get_json()["adopted"] is True
    assert app.extensions["ansim"].clock.from_phone
    assert b.api("POST", "/api/clock", {"phone_time_ms": 1_900_000_000_000}).get_json()[
        "adopted"] is False


def test_a_device_with_a_set_clock_ignores_phone_time(app, admin):
    response = admin.api("POST", "/api/clock", {"phone_time_ms": 1_900_000_000_000})
    assert response.get_json()["adopted"] is False
    assert app.extensions["ansim"].accounts.clock_fixes() == []


def test_a_phone_with_an_unset_clock_is_not_believed(app, clockless):
    b = Browser(app)
    b.page("/setup")
    b.form("/setup", {"setup_code": setup_code_of(app), "username": ADMIN[0],
                      "password": ADMIN[1], "password_again": ADMIN[1],
                      "phone_time_ms": "1000"})
    assert app.extensions["ansim"].clock.needs_phone_time
