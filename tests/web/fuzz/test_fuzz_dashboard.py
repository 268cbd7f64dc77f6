"""Every form and JSON API of the dashboard, fed whatever Hypothesis makes of it: bodies of
any JSON shape (not only objects), fields of every type, text with control characters and
surrogates, broken JSON, odd paths and query strings, from any address, as every role.

The only acceptable outcome is ansim's own answer: a 2xx or 3xx, or a 4xx that is ansim's
(JSON ``{"error": ...}`` on the API, the error page on pages); never a 5xx, and never a
traceback (the app runs with ``testing``, so an unhandled exception fails the example).
Profiles: tests/web/fuzz/conftest.py.
"""

import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.engine.sites import import_sites
from tests.web.conftest import ADMIN, Browser, setup_code_of
from web import create_app

PASSWORD = "a long enough password"

texts = st.text(max_size=40) | st.sampled_from(
    ["", " ", "\x00", "\r\n", "=1+1", "../../etc/passwd", "%00", "' OR 1=1 --", "NaN", "-1",
     "1e309", "9" * 400, "S1", "door_hook", "clear", "found", "suspicious", "rf", "optical",
     "admin", "inspector", "volunteer", "ko", "en", "\ud800", "①", "²"])
scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | texts)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(texts, inner, max_size=4), max_leaves=12)
addresses = st.ip_addresses(v=4).map(str)
# What reaches a WSGI app as a header value: bytes read as Latin-1, never CR, LF or NUL (the
# server ends the header there).
header_values = (st.binary(max_size=40).map(lambda raw: raw.decode("latin-1"))
                 | st.sampled_from(["ko-KR,ko;q=0.9", "*", "10.42.0.7", "1.2.3.4, 10.0.0.1",
                                    "en;q=NaN", "999999999999999999999"])
                 ).map(lambda value: "".join(ch for ch in value if ch not in "\r\n\x00"))


def objects_with(*keys):
    """JSON bodies: mostly objects with (some of) ``keys``, each of any type; else anything."""
    known = st.fixed_dictionaries({}, optional={k: json_values | texts for k in keys})
    return known | json_values


def forms_with(*keys):
    return st.fixed_dictionaries({}, optional={k: texts for k in keys})


def as_sent(text: str) -> bytes:
    """Text as a client can send it: UTF-8, lone surrogates included (invalid UTF-8 bytes)."""
    return text.encode("utf-8", "surrogatepass")


def urlencoded(fields: dict) -> str:
    return urllib.parse.urlencode({k: as_sent(v) for k, v in fields.items()})


segments = texts.map(lambda s: urllib.parse.quote(as_sent(s), safe=""))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A dashboard with a site, an inspection under way and one signed off, and a browser
    per role."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    app = create_app({"data_dir": data_dir / "data", "simulate": True, "testing": True})
    svc = app.extensions["ansim"]
    sites = data_dir / "sites.csv"
    sites.write_text("id,name,stalls\nS1,Station,1\n", encoding="utf-8")
    import_sites(svc.inspections.store, sites)
    admin = Browser(app)
    admin.page("/setup")
    admin.form("/setup", {"setup_code": setup_code_of(app), "username": ADMIN[0],
                          "password": ADMIN[1], "password_again": ADMIN[1]})
    admin.page("/", follow_redirects=True)
    browsers = {"admin": admin}
    for role in ("supervisor", "inspector"):
        admin.api("POST", "/api/users", {"username": role, "password": PASSWORD, "role": role})
        browsers[role] = Browser(app)
        browsers[role].login(role, PASSWORD)
    code = admin.api("POST", "/api/join-codes").get_json()["code"]
    volunteer = Browser(app)
    volunteer.page("/join")
    volunteer.form("/join", {"code": code, "display_name": "fuzz volunteer"})
    volunteer.page("/", follow_redirects=True)
    browsers["volunteer"] = volunteer
    signed = svc.inspections.start("S1", "Fuzz")
    svc.inspections.set_verdict(signed.id, "suspicious", {"notified": "x"})
    record = svc.inspections.sign_off(signed.id, "Fuzz")
    running = svc.inspections.start("S1", "Fuzz")
    return {"app": app, "browsers": browsers, "signed": signed.id, "record": record.id,
            "running": running.id, "join_code": code}


def assert_ansims_own_answer(response, path):
    assert response.status_code < 500, (path, response.status_code)
    body = response.get_data()
    assert b"Traceback" not in body
    if response.status_code >= 400 and path.startswith("/api/"):
        if response.mimetype == "text/html":  # a plain form gets its page back, with the error
            assert b'role="alert"' in body, (path, body[:200])
        else:
            assert "error" in json.loads(body), (path, body[:200])


def send_json(browser, method, path, body, raw):
    headers = {"X-CSRF-Token": browser.csrf or "", "Content-Type": "application/json"}
    data = raw if raw is not None else json.dumps(body, allow_nan=True)
    return browser.client.open(path, method=method, data=data, headers=headers)


ROLES = st.sampled_from(["admin", "supervisor", "inspector", "volunteer"])
raw_bodies = st.none() | st.none() | st.none() | st.binary(max_size=64)


# -- JSON APIs ----------------------------------------------------------------------------------
JSON_TARGETS = {
    "clock": ("POST", "/api/clock", objects_with("phone_time_ms")),
    "start": ("POST", "/api/inspections", objects_with("site_id", "stalls")),
    "marks": ("POST", "/api/inspections/{running}/marks",
              objects_with("stall", "item", "status", "note")),
    "dismiss": ("POST", "/api/inspections/{running}/alerts/{seg}/dismiss",
                objects_with("reason", "as_fixture")),
    "verdict": ("POST", "/api/inspections/{running}/verdict",
                objects_with("verdict", "notified", "report_ref")),
    "steps": ("POST", "/api/inspections/{signed}/steps", objects_with("step", "stall", "zone")),
    "sign_off": ("POST", "/api/inspections/{seg}/sign-off", objects_with()),
    "correction": ("POST", "/api/log/{record}/corrections",
                   objects_with("verdict", "reason", "notified", "report_ref")),
    "users": ("POST", "/api/users", objects_with("username", "password", "role",
                                                 "display_name")),
    "join_codes": ("POST", "/api/join-codes", objects_with()),
}


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(JSON_TARGETS))
@given(data=st.data())
def test_json_apis_answer_only_as_ansim(world, target, data):
    method, template, bodies = JSON_TARGETS[target]
    path = template.format(seg=data.draw(segments), **world)
    browser = world["browsers"][data.draw(ROLES)]
    response = send_json(browser, method, path, data.draw(bodies), data.draw(raw_bodies))
    assert_ansims_own_answer(response, path)


NASTY_BODIES = ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
                '{"reason": "\\ud800", "verdict": "found", "note": "\\udfff", "stall": 1}',
                '{"\\ud800": 1}']


@pytest.mark.parametrize("target", sorted(JSON_TARGETS))
@pytest.mark.parametrize("body", NASTY_BODIES, ids=["deep-list", "deep-object", "surrogates",
                                                    "surrogate-key"])
def test_json_apis_refuse_what_no_record_can_hold(world, target, body):
    """Nesting deeper than Python parses, and lone surrogates (JSON spells them, UTF-8 and
    the signature cannot): found by the 10,000-example run, a 500 before."""
    method, template, _ = JSON_TARGETS[target]
    path = template.format(seg="x", **world)
    response = send_json(world["browsers"]["admin"], method, path, None, body.encode())
    assert_ansims_own_answer(response, path)


# -- reads with query strings, headers and path segments ---------------------------------------
QUERY_TARGETS = {
    "log": ("/api/log", ("site_id", "since", "until", "verdict", "type", "inspector",
                         "device_id", "before")),
    "export_csv": ("/api/log/export.csv", ("since", "until", "site_id", "verdict")),
    "export_other": ("/api/log/export.{seg}", ("since",)),
    "coverage": ("/api/coverage", ("date",)),
    "inspections": ("/api/inspections", ("status", "site_id", "limit")),
    "inspection": ("/api/inspections/{seg}", ()),
    "spectrum": ("/api/inspections/{seg}/spectrum", ()),
    "record": ("/api/log/{seg}", ()),
    "evidence": ("/api/evidence/{seg}", ("inspection",)),
    "evidence_views": ("/api/evidence-views", ("sha256",)),
    "join_qr": ("/join-codes/{seg}.svg", ()),
    "pages": ("/{seg}", ("next", "code")),
    "log_page": ("/log/{seg}", ()),
}


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(QUERY_TARGETS))
@given(data=st.data())
def test_reads_answer_only_as_ansim(world, target, data):
    template, params = QUERY_TARGETS[target]
    path = template.format(seg=data.draw(segments), **world)
    query = data.draw(st.fixed_dictionaries({}, optional={p: texts for p in params}))
    browser = world["browsers"][data.draw(ROLES)]
    response = browser.client.get(path, query_string=urlencoded(query), headers={
        "Accept-Language": data.draw(header_values),
        "X-Forwarded-For": data.draw(header_values)})
    assert_ansims_own_answer(response, path)


def test_the_event_stream_takes_any_last_event_id(world):
    @given(last=header_values, since=texts)
    def check(last, since):
        browser = world["browsers"]["inspector"]
        response = browser.client.get("/api/events", query_string=urlencoded({"since": since}),
                                      headers={"Last-Event-ID": last}, buffered=False)
        try:
            assert response.status_code in (200, 503)
        finally:
            response.close()

    check()


# -- forms --------------------------------------------------------------------------------------
FORM_TARGETS = {
    "login": ("/login", ("username", "password", "phone_time_ms")),
    "join": ("/join", ("code", "display_name", "phone_time_ms")),
    "lang": ("/lang", ("lang", "next")),
    "users_form": ("/api/users", ("username", "password", "role", "display_name")),
}


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(FORM_TARGETS))
@given(data=st.data())
def test_forms_answer_only_as_ansim(world, target, data):
    path, fields = FORM_TARGETS[target]
    anonymous = Browser(world["app"])
    anonymous.page("/login")
    browser = anonymous if target in ("login", "join") else world["browsers"]["admin"]
    form = {"csrf_token": browser.csrf, **data.draw(forms_with(*fields))}
    response = browser.client.post(path, data=urlencoded(form),
                                   content_type="application/x-www-form-urlencoded",
                                   query_string=urlencoded({"next": data.draw(texts)}),
                                   environ_base={"REMOTE_ADDR": data.draw(addresses)})
    assert_ansims_own_answer(response, path)


@pytest.mark.slow
@given(form=forms_with("setup_code", "username", "password", "password_again", "display_name",
                       "phone_time_ms"), address=addresses)
def test_the_setup_form_answers_only_as_ansim(tmp_path_factory, form, address):
    app = _fresh_device(tmp_path_factory)
    browser = Browser(app)
    browser.page("/setup")
    response = browser.client.post("/setup", data=urlencoded({"csrf_token": browser.csrf, **form}),
                                   content_type="application/x-www-form-urlencoded",
                                   environ_base={"REMOTE_ADDR": address})
    assert response.status_code in (200, 302, 400, 429)
    assert app.extensions["ansim"].accounts.needs_first_run()  # no code, no admin


_FRESH = {}


def _fresh_device(tmp_path_factory):
    if "app" not in _FRESH:
        _FRESH["app"] = create_app({"data_dir": tmp_path_factory.mktemp("fresh") / "data",
                                    "simulate": True, "testing": True})
    return _FRESH["app"]
