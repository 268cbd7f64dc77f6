"""Finding 18: a CR/LF in ``next=`` gave a 500 (the Location header refused it). Now any
control character, a backslash (browsers read ``/\\host`` as ``//host``) or another host
sends the user home."""

import pytest

from tests.web.conftest import ADMIN, Browser

BAD_NEXT = ["/log\r\nSet-Cookie: stolen=1", "/log\nX: y", "%0d%0aSet-Cookie:x=1",
            "/\\evil.example", "//evil.example", "https://evil.example/", "/log\x00",
            "\r\n", "/" + "a" * 5000]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_login_with_a_poisoned_next_goes_home(app, admin, target):
    phone = Browser(app)
    phone.page("/login")
    response = phone.client.post("/login", query_string={"next": target},
                                 data={"csrf_token": phone.csrf, "username": ADMIN[0],
                                       "password": ADMIN[1]})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in str(response.headers)


@pytest.mark.parametrize("target", BAD_NEXT)
def test_the_language_switch_with_a_poisoned_next_goes_home(admin, target):
    response = admin.client.post("/lang", data={"csrf_token": admin.csrf, "lang": "en",
                                                "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_good_next_still_works(app, admin):
    phone = Browser(app)
    phone.page("/login")
    response = phone.client.post("/login", query_string={"next": "/log?site_id=S1"},
                                 data={"csrf_token": phone.csrf, "username": ADMIN[0],
                                       "password": ADMIN[1]})
    assert response.headers["Location"] == "/log?site_id=S1"
