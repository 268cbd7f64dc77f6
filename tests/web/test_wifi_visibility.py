"""Volunteers follow alerts, never transmitters: no ``wifi`` or ``proximity`` events, no MAC in
an alert, no Wi-Fi panel; inspectors see every transmitter and only they (and admins) point the
proximity meter at one."""

import re

import pytest

from detector.engine.events import Event
from tests.web.conftest import ADMIN, Browser, setup_code_of
from web import create_app
from web.sse import kinds_for, visible_data

MAC = re.compile(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", re.IGNORECASE)
PASSWORD = "a long enough password"


def test_volunteers_get_no_transmitters_and_no_mac():
    assert "wifi" in kinds_for("inspector") and "wifi" not in kinds_for("volunteer")
    alert = Event(1, "alert", {"type": "wifi_camera", "severity": "high", "stall": 1,
                               "zone": "vent", "mac": "44:47:cc:12:34:56",
                               "message_key": "inspect.alert.wifi_camera"}, 0.0)
    seen = visible_data(alert, "volunteer", "ko", b"the app's secret key")
    assert "mac" not in seen and "44:47:cc" not in str(seen)
    assert seen["message"].startswith("와이파이 카메라가 1번 칸")  # stall and place, no MAC


# -- on a device: the simulated restroom's Wi-Fi survey through the dashboard --------------


@pytest.fixture(scope="module")
def surveyed(tmp_path_factory):
    """A device whose inspector has run the RF sweep (and the Wi-Fi survey beside it) of a
    restroom whose simulated Wi-Fi holds cameras and a passer's video call."""
    from detector.engine.sites import import_sites

    data_dir = tmp_path_factory.mktemp("device")
    app = create_app({"data_dir": data_dir, "simulate": True, "testing": True})
    sites = data_dir / "sites.csv"
    sites.write_text("id,name,stalls,schedule\nS1,Station restroom,1,daily\n", encoding="utf-8")
    import_sites(app.extensions["ansim"].inspections.store, sites)
    admin = Browser(app)
    admin.page("/setup")
    admin.form("/setup", {"setup_code": setup_code_of(app), "username": ADMIN[0],
                          "password": ADMIN[1], "password_again": ADMIN[1]})
    admin.page("/", follow_redirects=True)
    users = {}
    for name, role in [("kim", "inspector"), ("park", "supervisor")]:
        assert admin.api("POST", "/api/users", {"username": name, "role": role,
                                                "password": PASSWORD}).status_code == 201
        users[role] = Browser(app)
        users[role].login(name, PASSWORD)
    code = admin.api("POST", "/api/join-codes").get_json()["code"]
    volunteer = Browser(app)
    volunteer.page("/join")
    volunteer.form("/join", {"code": code, "display_name": "Lee"})
    volunteer.page("/", follow_redirects=True)
    users["volunteer"] = volunteer
    inspector = users["inspector"]
    inspection_id = inspector.api("POST", "/api/inspections", {"site_id": "S1"}).get_json()["id"]
    assert inspector.api("POST", f"/api/inspections/{inspection_id}/steps",
                         {"step": "rf"}).status_code == 202
    assert app.extensions["ansim"].steps.wait(timeout_s=300)
    return app, users, inspection_id


def _state(browser, inspection_id):
    return browser.client.get(f"/api/inspections/{inspection_id}").get_json()["inspection"]


def test_an_inspector_sees_every_transmitter_and_the_wifi_alerts_with_macs(surveyed):
    _, users, inspection_id = surveyed
    state = _state(users["inspector"], inspection_id)
    (survey,) = [s for s in state["steps"] if s["kind"] == "wifi_survey"]
    kinds = {t["kind"] for t in survey["transmitters"]}
    assert {"ap", "camera"} <= kinds
    assert all(MAC.fullmatch(t["mac"]) and "baseline" in t for t in survey["transmitters"])
    wifi = [a for a in state["alerts"] if a["type"].startswith("wifi")]
    assert wifi and all(a["mac"] and a["raised_at"] and a["message"] for a in wifi)
    assert len({a["mac"] for a in wifi}) == len(wifi)  # one alert per transmitter
    page = users["inspector"].client.get(f"/inspections/{inspection_id}")
    assert page.status_code == 200 and b'id="wifi-card"' in page.data


def test_a_volunteer_gets_timed_wifi_alerts_without_a_mac_and_no_panel(surveyed):
    _, users, inspection_id = surveyed
    volunteer = users["volunteer"]
    assert volunteer.client.get(f"/inspections/{inspection_id}").status_code == 403
    response = volunteer.client.get("/api/inspections/current")
    assert not MAC.search(response.get_data(as_text=True))
    alerts = response.get_json()["alerts"]
    wifi = [a for a in alerts if a.get("type", "").startswith("wifi")]
    assert wifi and all(a["raised_at"] and a["message"] for a in wifi)
    # The hidden camera (close), the next room's (further away) and a passer's video call
    # each read differently; none is said twice.
    assert len({a["message"] for a in wifi}) == len(wifi) >= 3
    assert "proximity" not in kinds_for("volunteer")


def test_only_the_inspector_or_admin_points_the_meter_at_a_transmitter(surveyed):
    app, users, inspection_id = surveyed
    svc = app.extensions["ansim"]
    state = _state(users["inspector"], inspection_id)
    camera = next(t["mac"] for s in state["steps"] if s["kind"] == "wifi_survey"
                  for t in s["transmitters"] if t["kind"] == "camera")
    path = f"/api/inspections/{inspection_id}/steps"
    assert users["volunteer"].api("POST", path, {"step": "wifi_follow",
                                                 "mac": camera}).status_code == 403
    assert users["supervisor"].api("POST", path, {"step": "wifi_follow",
                                                  "mac": camera}).status_code == 403
    assert users["inspector"].api("POST", path, {"step": "wifi_follow"}).status_code == 400
    with svc.bus.subscribe(kinds={"proximity"}, maxsize=1000) as readings:
        assert users["inspector"].api("POST", path, {"step": "wifi_follow",
                                                     "mac": camera}).status_code == 202
        assert svc.steps.wait(timeout_s=300)
        events = []
        while (event := readings.get(timeout_s=0)) is not None:
            events.append(event)
    assert len(events) >= 5 * 20  # >= 5 readings a second for the follow's 20 s
    assert {e.data["mac"] for e in events} == {camera}
    seen = visible_data(events[-1], "volunteer", "en", b"key")
    assert "mac" not in seen and "rssi_dbm" not in seen
