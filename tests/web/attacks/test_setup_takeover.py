"""Finding 1: anyone on the hotspot could claim admin on a fresh device, and 8 concurrent
claims made 8 admins. Now setup needs the one-time code only the device shows, the first
admin is claimed atomically in the database, and setup closes for good."""

import http.cookiejar
import re
import stat
import threading
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select

from web.accounts import AccountError, AccountService, User
from detector.log.storage import open_store
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures
from tests.web.conftest import Browser, setup_code_of
from web.server import ServerThread
from web.setup_code import SETUP_CODE_FILE

PASSWORD = "correct horse battery"


def _setup_form(code, username="mallory"):
    return {"setup_code": code, "username": username, "password": PASSWORD,
            "password_again": PASSWORD}


def _admins(app) -> int:
    with app.extensions["ansim"].inspections.store.read() as session:
        return session.scalar(select(func.count(User.id)).where(User.role == "admin"))


def test_a_stranger_without_the_code_cannot_claim_the_device(app, browser):
    browser.page("/setup")
    for code in ("", "AAAA-AAAA-AAAA", "' OR 1=1 --", "\x00"):
        response = browser.form("/setup", _setup_form(code))
        assert response.status_code in (400, 429)
    assert _admins(app) == 0
    assert app.extensions["ansim"].accounts.needs_first_run()


def test_guessing_the_code_is_slowed(app, browser):
    browser.page("/setup")
    statuses = [browser.form("/setup", _setup_form(f"GUESS-{i:04d}")).status_code
                for i in range(6)]
    assert statuses == [400] * 5 + [429]
    # Even the right code waits out the limit on this address: guessing costs real time.
    assert browser.form("/setup", _setup_form(setup_code_of(app))).status_code == 429


def test_the_code_is_only_on_the_console_and_its_hash_is_private(app, tmp_path):
    code = setup_code_of(app)
    stored = tmp_path / "data" / SETUP_CODE_FILE
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert code.replace("-", "") not in stored.read_text()
    anonymous = app.test_client()
    assert anonymous.get("/healthz").get_json() == {"status": "ok"}
    assert code not in anonymous.get("/setup").get_data(as_text=True)


def test_the_code_is_case_and_dash_tolerant_and_works_once(app, browser):
    browser.page("/setup")
    typed = setup_code_of(app).lower().replace("-", " ")
    assert browser.form("/setup", _setup_form(typed, "kim")).status_code == 302
    assert _admins(app) == 1
    other = Browser(app)
    other.page("/login")
    response = other.form("/setup", _setup_form(typed, "mallory"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert _admins(app) == 1


class _Claimant(threading.Thread):
    """One browser posting the setup form the moment the barrier opens."""

    def __init__(self, url, code, name, barrier):
        super().__init__(daemon=True)
        self.url, self.code, self.name, self.barrier = url, code, name, barrier
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(url + "/setup", timeout=10).read().decode()
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        self.location = None

    def run(self):
        body = urllib.parse.urlencode({"csrf_token": self.csrf,
                                       **_setup_form(self.code, self.name)}).encode()
        self.barrier.wait(timeout=30)
        no_redirect = urllib.request.build_opener(_NoRedirect, *[
            h for h in self.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)])
        try:
            response = no_redirect.open(self.url + "/setup", data=body, timeout=30)
            self.location = response.headers.get("Location")
        except urllib.error.HTTPError as exc:
            self.location = exc.headers.get("Location") or str(exc.code)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_eight_concurrent_claims_make_exactly_one_admin(app):
    code = setup_code_of(app)
    with ServerThread(app) as server:
        barrier = threading.Barrier(8)
        claimants = [_Claimant(server.url, code, f"claimant{i}", barrier) for i in range(8)]
        for claimant in claimants:
            claimant.start()
        for claimant in claimants:
            claimant.join(timeout=60)
    assert _admins(app) == 1
    winners = [c for c in claimants if c.location and c.location.endswith("/")]
    assert len(winners) == 1, [c.location for c in claimants]


def test_setup_stays_closed_after_the_first_admin_is_removed(app, admin):
    response = admin.api("POST", "/api/users", {"username": "second", "password": PASSWORD,
                                                 "role": "admin"})
    second = Browser(app)
    assert second.login("second", PASSWORD).status_code == 302
    first_id = app.extensions["ansim"].accounts.authenticate("admin", "correct horse battery").id
    assert response.status_code == 201
    assert second.api("DELETE", f"/api/users/{first_id}").status_code == 204
    assert not app.extensions["ansim"].accounts.needs_first_run()
    stranger = Browser(app)
    assert stranger.page("/setup").status_code == 302


def test_on_the_hubs_postgresql_concurrent_first_admins_make_one(postgres_url):
    store = open_store(postgres_url)
    try:
        accounts = AccountService(store)
        barrier = threading.Barrier(8)
        outcomes = []

        def claim(i):
            barrier.wait(timeout=30)
            try:
                accounts.create_first_admin(f"admin{i}", PASSWORD, "")
                outcomes.append("admin")
            except AccountError as exc:
                outcomes.append(exc.key)

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["admin"] + ["web.error.setup_done"] * 7
        with store.read() as session:
            assert session.scalar(select(func.count(User.id))
                                  .where(User.role == "admin")) == 1
    finally:
        store.close()


def test_the_hubs_setup_page_needs_the_code_too(postgres_url, tmp_path):
    from tests.hub.conftest import hub_app  # noqa: PLC0415

    hub = hub_app(postgres_url, tmp_path / "hub")
    try:
        stranger = Browser(hub)
        stranger.page("/setup")
        assert stranger.form("/setup", _setup_form("")).status_code == 400
        assert hub.extensions["ansim"].accounts.needs_first_run()
        assert stranger.form("/setup", _setup_form(setup_code_of(hub))).status_code == 302
    finally:
        hub.extensions["ansim"].inspections.close()
