"""Access rules, tried the way an attacker would: no default account, anonymous requests,
missing CSRF tokens, the wrong role, brute-forced logins, expired join codes."""

import pytest

from tests.web.conftest import ADMIN, Browser, csrf_from, setup_code_of

PAGES = ["/", "/log", "/coverage", "/admin", "/volunteers", "/log/abc"]
APIS = ["/api/session", "/api/events", "/api/users"]


def test_first_run_leads_every_page_to_setup_and_there_is_no_default_login(browser):
    for path in PAGES:
        response = browser.client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/setup")
    browser.page("/setup")
    for username, password in [("admin", "admin"), ("admin", ""), ("root", "root"),
                               ("admin", "password")]:
        response = browser.form("/login", {"username": username, "password": password})
        assert response.status_code == 302 and response.headers["Location"].endswith("/setup")
    assert browser.client.get("/api/session").status_code == 401


def test_setup_creates_the_admin_once_and_then_closes(app, admin):
    assert admin.client.get("/api/session").get_json()["role"] == "admin"
    intruder = Browser(app)
    response = intruder.page("/setup")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    intruder.page("/login")
    response = intruder.form("/setup", {"username": "mallory", "password": "x" * 12,
                                        "password_again": "x" * 12})
    assert response.status_code == 302
    assert intruder.login("mallory", "x" * 12).status_code == 401


def test_setup_refuses_a_short_password(app, browser):
    browser.page("/setup")
    response = browser.form("/setup", {"setup_code": setup_code_of(app), "username": "kim",
                                       "password": "short", "password_again": "short"})
    assert response.status_code == 400
    assert app.extensions["ansim"].accounts.needs_first_run()


def test_anonymous_api_gets_401_and_pages_redirect_to_login(app, admin):
    anonymous = app.test_client()
    for path in APIS + ["/api/inspections", "/api/sites", "/api/evidence/" + "a" * 64]:
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response.get_json() == {"error": "login_required"}
    for path in PAGES:
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/join").status_code == 200


def test_anonymous_reach_only_the_static_files_the_login_page_needs(app, admin):
    anonymous = app.test_client()
    assert anonymous.get("/static/style.css").status_code == 200
    assert anonymous.get("/static/app.js").status_code == 200
    assert anonymous.get("/static/volunteers.js").status_code == 302


def test_state_changes_without_the_csrf_token_are_refused(app, admin):
    client = admin.client
    no_token = client.post("/api/users", json={"username": "eve", "password": "p" * 12,
                                               "role": "admin"})
    assert no_token.status_code == 400 and no_token.get_json() == {"error": "csrf"}
    wrong = client.post("/api/users", json={"username": "eve", "password": "p" * 12,
                                            "role": "admin"}, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 400
    other_session = Browser(app)
    other_session.page("/login")
    stolen = client.post("/api/users", json={"username": "eve", "password": "p" * 12,
                                             "role": "admin"},
                         headers={"X-CSRF-Token": other_session.csrf})
    assert stolen.status_code == 400
    form = client.post("/logout")
    assert form.status_code == 400
    assert client.get("/api/session").status_code == 200  # still logged in
    users = [u["username"] for u in client.get("/api/users").get_json()["users"]]
    assert "eve" not in users


def test_login_form_without_csrf_token_is_refused(app, admin):
    client = app.test_client()
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert response.status_code == 400
    assert client.get("/api/session").status_code == 401


def test_brute_force_login_is_slowed_then_allowed_again(app, admin, clocks):
    attacker = Browser(app)
    statuses = [attacker.login(ADMIN[0], f"guess number {i}").status_code for i in range(5)]
    assert statuses == [401] * 5
    # The guesser is slowed, even with the right password, on this address and name...
    locked = attacker.login(*ADMIN)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    clocks.advance(301)
    assert attacker.login(*ADMIN).status_code == 302


def test_one_address_guessing_many_names_is_slowed(app, admin):
    attacker = Browser(app)
    statuses = [attacker.login(f"user{i}", "password123").status_code for i in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


@pytest.mark.parametrize("role,allowed,forbidden", [
    ("inspector", ["/", "/volunteers"], ["/log", "/coverage", "/admin"]),
    ("supervisor", ["/log", "/coverage", "/volunteers"], ["/admin"]),
])
def test_pages_follow_the_role(make_user, role, allowed, forbidden):
    user = make_user(f"{role}1", role)
    for path in allowed:
        assert user.client.get(path).status_code == 200, path
    for path in forbidden:
        assert user.client.get(path).status_code == 403, path
    response = user.api("POST", "/api/users", {"username": "x", "password": "p" * 12,
                                               "role": "admin"})
    assert response.status_code == 403 and response.get_json() == {"error": "forbidden"}


def test_only_staff_may_hand_out_join_codes(make_user, admin, app):
    inspector = make_user("ins", "inspector")
    response = inspector.api("POST", "/api/join-codes")
    assert response.status_code == 201
    code = response.get_json()["code"]
    volunteer = Browser(app)
    volunteer.page("/join")
    assert volunteer.form("/join", {"code": code, "display_name": "Lee"}).status_code == 302
    volunteer.page("/", follow_redirects=True)
    assert volunteer.api("POST", "/api/join-codes").status_code == 403


def test_a_session_ends_when_its_user_is_removed(make_user, admin):
    inspector = make_user("leaving", "inspector")
    user_id = next(u["id"] for u in admin.client.get("/api/users").get_json()["users"]
                   if u["username"] == "leaving")
    assert admin.api("DELETE", f"/api/users/{user_id}").status_code == 204
    assert inspector.client.get("/api/session").status_code == 401


def test_session_cookie_is_httponly_and_samesite(app, admin):
    browser = Browser(app)
    browser.page("/login")
    response = browser.form("/login", {"username": ADMIN[0], "password": ADMIN[1]})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_goes_back_only_to_this_site(app, admin):
    browser = Browser(app)
    browser.page("/login")
    response = browser.client.post("/login?next=https://evil.example/x",
                                   data={"csrf_token": browser.csrf, "username": ADMIN[0],
                                         "password": ADMIN[1]})
    assert response.headers["Location"] == "/"
    assert csrf_from(browser.client.get("/volunteers").get_data(as_text=True))
