"""Finding 9: five wrong passwords from anyone locked a user out for five minutes, even with
the right password, and behind a proxy every client shared one address. Now failures count
per address and user name together (and per address over all names), and the front door's
X-Forwarded-For is believed from the configured proxy only."""

import pytest

from tests.web.conftest import ADMIN, Browser, setup_code_of
from web import create_app

STRANGER, OWNER, PROXY = "10.42.0.66", "10.42.0.10", "127.0.0.1"


def _login(app, username, password, remote, forwarded=None):
    phone = Browser(app)
    phone.page("/login", environ_base={"REMOTE_ADDR": remote})
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return phone.client.post("/login", data={"csrf_token": phone.csrf, "username": username,
                                             "password": password},
                             environ_base={"REMOTE_ADDR": remote}, headers=headers)


def test_a_stranger_cannot_lock_the_owner_out(app, admin):
    for i in range(10):
        _login(app, ADMIN[0], f"guess {i}", STRANGER)
    assert _login(app, ADMIN[0], ADMIN[1], STRANGER).status_code == 429  # the guesser waits
    assert _login(app, ADMIN[0], ADMIN[1], OWNER).status_code == 302      # the owner does not


@pytest.fixture
def proxied(tmp_path, clocks):
    """The dashboard behind the front door: nginx on loopback forwards every phone."""
    app = create_app({"data_dir": tmp_path / "data", "simulate": True, "testing": True,
                      "system_now": clocks.system_now, "monotonic": clocks.monotonic,
                      "trusted_proxies": (PROXY,)})
    setup = Browser(app)
    setup.page("/setup")
    setup.form("/setup", {"setup_code": setup_code_of(app), "username": ADMIN[0],
                          "password": ADMIN[1], "password_again": ADMIN[1]})
    return app


def test_behind_the_front_door_each_phone_has_its_own_address(proxied):
    for i in range(25):
        _login(proxied, f"user{i}", "wrong password", PROXY, forwarded=STRANGER)
    assert _login(proxied, "anyone", "x", PROXY, forwarded=STRANGER).status_code == 429
    assert _login(proxied, ADMIN[0], ADMIN[1], PROXY, forwarded=OWNER).status_code == 302


def test_a_client_cannot_forge_its_address(proxied):
    """X-Forwarded-For from anyone but the proxy is the client's own claim: ignored."""
    statuses = [_login(proxied, f"user{i}", "wrong password", STRANGER,
                       forwarded=f"10.9.{i}.1").status_code for i in range(21)]
    assert statuses[-1] == 429
    # Through the proxy, only the last entry (what nginx saw) counts, not what the client put.
    statuses = [_login(proxied, f"user{i}", "wrong password", PROXY,
                       forwarded=f"10.9.{i}.1, {OWNER}").status_code for i in range(21)]
    assert statuses[-1] == 429
