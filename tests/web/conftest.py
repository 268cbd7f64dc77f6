"""Fixtures for the dashboard: an app on a fresh data directory with clocks the test moves,
and clients that log in the way a browser does (reading the CSRF token from the page)."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.browser import chromium, screens  # noqa: F401 - fixtures
from web import create_app

ADMIN = ("admin", "correct horse battery")


@dataclass
class FakeClocks:
    """The system clock and the monotonic clock, moved by the test (never by sleeping)."""

    utc: datetime = datetime(2026, 5, 9, 7, 30, tzinfo=UTC)
    mono_s: float = 1000.0

    def system_now(self) -> datetime:
        return self.utc

    def monotonic(self) -> float:
        return self.mono_s

    def advance(self, seconds: float) -> None:
        self.utc += timedelta(seconds=seconds)
        self.mono_s += seconds


@pytest.fixture
def clocks():
    return FakeClocks()


@pytest.fixture
def app(tmp_path, clocks):
    return create_app({"data_dir": tmp_path / "data", "simulate": True, "testing": True,
                       "system_now": clocks.system_now, "monotonic": clocks.monotonic})


def setup_code_of(app) -> str:
    """The one-time setup code the device shows on its console (the app keeps it in memory)."""
    return app.extensions["ansim"].setup_code


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Browser:
    """A Flask test client that keeps the page's CSRF token, as a real browser's page would."""

    def __init__(self, app):
        self.client = app.test_client()
        self.csrf = None

    def page(self, path, **kwargs):
        response = self.client.get(path, **kwargs)
        if response.status_code == 200 and response.mimetype == "text/html":
            self.csrf = csrf_from(response.get_data(as_text=True))
        return response

    def form(self, path, data, **kwargs):
        if self.csrf is None:
            self.page(path)
        return self.client.post(path, data={"csrf_token": self.csrf, **data}, **kwargs)

    def api(self, method, path, json=None):
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        return self.client.open(path, method=method, json=json, headers=headers)

    def login(self, username, password, **extra):
        self.page("/login")
        response = self.form("/login", {"username": username, "password": password, **extra})
        self.page("/", follow_redirects=True)  # the new session's token
        return response


@pytest.fixture
def browser(app):
    return Browser(app)


@pytest.fixture
def admin(app):
    """A browser logged in as the first admin, created through the setup page."""
    b = Browser(app)
    b.page("/setup")
    response = b.form("/setup", {"setup_code": setup_code_of(app),
                                 "username": ADMIN[0], "password": ADMIN[1],
                                 "password_again": ADMIN[1], "display_name": "Admin Kim"})
    assert response.status_code == 302
    b.page("/", follow_redirects=True)
    return b


@pytest.fixture
def make_user(app, admin):
    """Create a staff user through the admin API and return a browser logged in as them."""

    def make(username, role, password="a long enough password"):
        response = admin.api("POST", "/api/users", {"username": username, "password": password,
                                                     "role": role})
        assert response.status_code == 201, response.get_json()
        b = Browser(app)
        assert b.login(username, password).status_code == 302
        return b

    return make
