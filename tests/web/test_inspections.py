"""The inspection API on the simulated restroom: the lifecycle as an inspector drives it from a
phone, what a volunteer may not do or see, evidence that is logged when viewed and cannot be
reached by path tricks, and a supervisor finding the signed record in the log.

One RF sweep of the default simulated stall (its hidden camera's 1.2 GHz PAL transmitter is
the truth these tests check against) is shared by the module's tests.
"""

import csv
import gzip
import io
import json

import pytest

from tests.web.conftest import ADMIN, Browser, setup_code_of
from web import create_app

SITES_CSV = "id,name,stalls,schedule\nS1,Station restroom,1,daily\nS2,Park restroom,1,weekly\n"


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    from detector.engine.sites import import_sites

    data_dir = tmp_path_factory.mktemp("device")
    app = create_app({"data_dir": data_dir, "simulate": True, "testing": True})
    sites = data_dir / "sites.csv"
    sites.write_text(SITES_CSV, encoding="utf-8")
    import_sites(app.extensions["ansim"].inspections.store, sites)
    admin = Browser(app)
    admin.page("/setup")
    admin.form("/setup", {"setup_code": setup_code_of(app),
                          "username": ADMIN[0], "password": ADMIN[1],
                          "password_again": ADMIN[1]})
    admin.page("/", follow_redirects=True)
    for username, role in [("kim", "inspector"), ("park", "supervisor")]:
        response = admin.api("POST", "/api/users", {"username": username, "role": role,
                                                     "password": "a long enough password",
                                                     "display_name": username.title()})
        assert response.status_code == 201
    app.admin = admin
    return app


def _user(app, username):
    b = Browser(app)
    assert b.login(username, "a long enough password").status_code == 302
    return b


def _volunteer(app):
    code = app.admin.api("POST", "/api/join-codes").get_json()["code"]
    b = Browser(app)
    b.page("/join")
    assert b.form("/join", {"code": code, "display_name": "Lee"}).status_code == 302
    b.page("/", follow_redirects=True)
    return b


@pytest.fixture(scope="module")
def swept(device):
    """An inspection of S1 whose RF sweep has run (through the API, on its worker thread)."""
    inspector = _user(device, "kim")
    started = inspector.api("POST", "/api/inspections", {"site_id": "S1"})
    assert started.status_code == 201
    inspection_id = started.get_json()["id"]
    response = inspector.api("POST", f"/api/inspections/{inspection_id}/steps", {"step": "rf"})
    assert response.status_code == 202
    assert device.extensions["ansim"].steps.wait(timeout_s=120)
    return inspector, inspection_id


def test_the_rf_sweep_finds_the_hidden_cameras_transmitter(device, swept):
    inspector, inspection_id = swept
    state = inspector.client.get(f"/api/inspections/{inspection_id}").get_json()["inspection"]
    rf = [s for s in state["steps"] if s["kind"] == "rf_sweep"][-1]
    video = [a for a in state["alerts"] if a["type"] == "video_transmitter"]
    assert video and abs(video[0]["freq_hz"] - 1.2e9) < 2e6  # the scene's camera
    assert "1200" in video[0]["message"]  # a sentence, in the inspector's language
    assert any(e["kind"] == "spectrum.csv.gz" for e in rf["evidence"])


def test_a_step_for_a_place_that_does_not_exist_is_refused(device, swept):
    inspector, inspection_id = swept
    response = inspector.api("POST", f"/api/inspections/{inspection_id}/steps",
                             {"step": "optical", "stall": 9, "zone": "door_hook"})
    assert response.status_code == 400  # no stall 9 in a one-stall restroom
    response = inspector.api("POST", f"/api/inspections/{inspection_id}/steps",
                             {"step": "optical", "stall": 1, "zone": "../../etc"})
    assert response.status_code == 400


def test_one_step_at_a_time_on_the_one_radio_and_camera(device, swept):
    inspector, inspection_id = swept
    first = inspector.api("POST", f"/api/inspections/{inspection_id}/steps", {"step": "rf"})
    assert first.status_code == 202
    second = inspector.api("POST", f"/api/inspections/{inspection_id}/steps",
                           {"step": "optical", "stall": 1, "zone": "bin"})
    assert second.status_code == 409 and second.get_json()["error"] == "step_busy"
    signing = inspector.api("POST", f"/api/inspections/{inspection_id}/sign-off")
    assert signing.status_code == 409
    assert device.extensions["ansim"].steps.wait(timeout_s=120)


def test_an_inspector_dismisses_an_alert_with_a_reason_that_stays_in_the_record(device, swept):
    inspector, inspection_id = swept
    state = inspector.client.get(f"/api/inspections/{inspection_id}").get_json()["inspection"]
    video = next(a for a in state["alerts"] if a["type"] == "video_transmitter")
    path = f"/api/inspections/{inspection_id}/alerts/{video['id']}/dismiss"
    assert inspector.api("POST", path, {"reason": "  "}).status_code == 400
    refused = inspector.api("POST", path, {"reason": "a TV", "as_fixture": True})
    assert refused.status_code == 400  # only an IR glow can be one of the restroom's lights
    assert _volunteer(device).api("POST", path, {"reason": "nothing"}).status_code == 403
    answered = inspector.api("POST", path, {"reason": "the caretaker's baby monitor"})
    assert answered.status_code == 200
    dismissed = next(a for a in answered.get_json()["inspection"]["alerts"]
                     if a["id"] == video["id"])["dismissed"]
    assert dismissed["reason"] == "the caretaker's baby monitor"
    assert dismissed["by"]


def test_rf_alone_never_makes_a_restroom_clear(device, swept):
    inspector, inspection_id = swept
    response = inspector.api("POST", f"/api/inspections/{inspection_id}/verdict",
                             {"verdict": "clear"})
    assert response.status_code == 409
    assert response.get_json()["reasons"]


def test_volunteers_cannot_drive_inspections_or_see_their_detail(device, swept):
    _, inspection_id = swept
    volunteer = _volunteer(device)
    assert volunteer.api("POST", "/api/inspections", {"site_id": "S1"}).status_code == 403
    assert volunteer.client.get(f"/api/inspections/{inspection_id}").status_code == 403
    assert volunteer.api("POST", f"/api/inspections/{inspection_id}/steps",
                         {"step": "rf"}).status_code == 403
    assert volunteer.api("POST", f"/api/inspections/{inspection_id}/sign-off").status_code == 403
    for path in ["/api/inspections", "/api/sites", "/api/log", "/api/coverage",
                 "/api/log/export.csv", "/log", f"/inspections/{inspection_id}"]:
        assert volunteer.client.get(path).status_code == 403, path
    current = volunteer.client.get("/api/inspections/current").get_json()
    assert current["inspection"]["inspection_id"] == inspection_id
    assert current["alerts"]
    for alert in current["alerts"]:
        assert "evidence" not in alert and "freq_hz" not in alert
        assert alert["message"]


def _spectrum_sha(inspector, inspection_id):
    state = inspector.client.get(f"/api/inspections/{inspection_id}").get_json()["inspection"]
    rf = [s for s in state["steps"] if s["kind"] == "rf_sweep"][-1]
    return next(e["sha256"] for e in rf["evidence"] if e["kind"] == "spectrum.csv.gz")


def test_every_view_of_evidence_is_logged_and_volunteers_get_none(device, swept):
    inspector, inspection_id = swept
    sha = _spectrum_sha(inspector, inspection_id)
    accounts = device.extensions["ansim"].accounts
    before = len(accounts.evidence_views(sha))
    response = inspector.client.get(f"/api/evidence/{sha}?inspection={inspection_id}")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert response.headers["Cache-Control"].startswith("no-store")
    views = accounts.evidence_views(sha)
    assert len(views) == before + 1
    assert views[-1]["username"] == "kim" and views[-1]["inspection_id"] == inspection_id
    volunteer = _volunteer(device)
    assert volunteer.client.get(f"/api/evidence/{sha}").status_code == 403
    assert len(accounts.evidence_views(sha)) == before + 1
    assert device.test_client().get(f"/api/evidence/{sha}").status_code == 401


@pytest.mark.parametrize("trick", [
    "../web-secret.key", "..%2fweb-secret.key", "%2e%2e/%2e%2e/etc/passwd", "web-secret.key",
    "../ansim.db", "/etc/passwd", "a" * 63, "A" * 64, "a" * 64 + "/../../ansim.db",
    "a" * 64 + ".png", "%00" + "a" * 64,
])
def test_path_tricks_in_evidence_urls_reach_nothing(device, swept, trick):
    inspector, _ = swept
    secret = (device.extensions["ansim"].config.data_dir / "web-secret.key").read_bytes()
    response = inspector.client.get(f"/api/evidence/{trick}")
    assert response.status_code in (404, 400, 308)
    assert secret not in response.data and b"SQLite" not in response.data


def test_sign_off_seals_the_inspection_and_a_supervisor_finds_it(device, swept):
    inspector, inspection_id = swept
    response = inspector.api("POST", f"/api/inspections/{inspection_id}/marks",
                             {"stall": 1, "item": "door_hook", "status": "suspicious"})
    assert response.status_code == 200
    response = inspector.api("POST", f"/api/inspections/{inspection_id}/verdict",
                             {"verdict": "found", "notified": "Jongno police",
                              "report_ref": "2026-113"})
    assert response.status_code == 200
    signed = inspector.api("POST", f"/api/inspections/{inspection_id}/sign-off")
    assert signed.status_code == 200
    record_id = signed.get_json()["record_id"]
    after = inspector.api("POST", f"/api/inspections/{inspection_id}/marks",
                          {"stall": 1, "item": "bin", "status": "checked"})
    assert after.status_code == 409  # a signed record never changes

    supervisor = _user(device, "park")
    rows = supervisor.client.get("/api/log?inspector=Kim&verdict=found").get_json()["records"]
    assert [r["id"] for r in rows] == [record_id]
    assert supervisor.client.get("/api/log?verdict=clear").get_json()["records"] == []
    assert supervisor.client.get("/api/log?site_id=S2").get_json()["records"] == []
    record = supervisor.client.get(f"/api/log/{record_id}").get_json()["record"]
    assert record["verdict"] == "found" and record["escalation"]["report_ref"] == "2026-113"
    exported = supervisor.client.get("/api/log/export.csv?verdict=found").get_data(as_text=True)
    assert exported.startswith("\ufeff")  # Excel reads the CSV as UTF-8 (Hangul) only so
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert [row["id"] for row in rows] == [record_id]
    assert rows[0]["report_ref"] == "2026-113"
    coverage = supervisor.client.get("/api/coverage").get_json()
    by_site = {s["site_id"]: s for s in coverage["sites"]}
    assert by_site["S1"]["done"] and by_site["S1"]["due"]
    assert by_site["S2"]["due"] and not by_site["S2"]["done"]
    assert (coverage["due"], coverage["done"]) == (2, 1)
    assert inspector.client.get("/api/log").status_code == 403  # the log is for supervisors


def test_a_supervisor_corrects_a_record_with_a_new_one(device, swept):
    _, inspection_id = swept
    supervisor = _user(device, "park")
    record_id = supervisor.client.get("/api/log?verdict=found").get_json()["records"][0]["id"]
    no_reason = supervisor.api("POST", f"/api/log/{record_id}/corrections",
                               {"verdict": "suspicious"})
    assert no_reason.status_code == 400
    made = supervisor.api("POST", f"/api/log/{record_id}/corrections",
                          {"verdict": "suspicious", "reason": "lens was a screw head"})
    assert made.status_code == 201
    original = supervisor.client.get(f"/api/log/{record_id}").get_json()
    assert original["record"]["verdict"] == "found"  # untouched
    assert original["corrected_by"] == [made.get_json()["record_id"]]


def test_the_spectrum_is_thinned_for_the_phone_without_losing_the_peak(device, swept):
    inspector, inspection_id = swept
    sha = _spectrum_sha(inspector, inspection_id)
    stored = gzip.decompress(device.extensions["ansim"].inspections.evidence.read(sha))
    stored_power_db = [float(row.split(",")[1]) for row in stored.decode().splitlines()[1:]]
    response = inspector.client.get(f"/api/inspections/{inspection_id}/spectrum")
    thinned = response.get_json()
    assert len(response.data) < 64 * 1024 < len(stored)
    assert len(thinned["power_db"]) <= 1024
    assert max(thinned["power_db"]) == pytest.approx(max(stored_power_db), abs=0.05)
    peak_hz = thinned["freqs_hz"][thinned["power_db"].index(max(thinned["power_db"]))]
    assert abs(peak_hz - 1.2e9) < 2e6


def test_a_supervisor_downloads_the_evidence_bundle_and_each_file_is_logged(device, swept):
    import zipfile

    inspector, _ = swept
    supervisor = _user(device, "park")
    row = supervisor.client.get("/api/log?verdict=found").get_json()["records"][0]
    assert row["presence"] == "none"  # the site's first inspection: nothing to recognise
    record = supervisor.client.get(f"/api/log/{row['id']}").get_json()["record"]
    assert record["presence"]["flagged"] is True
    accounts = device.extensions["ansim"].accounts
    shas = [e["sha256"] for e in record["evidence"]]
    before = {sha: len(accounts.evidence_views(sha)) for sha in shas}
    assert inspector.client.get(f"/api/log/{row['id']}/bundle.zip").status_code == 403
    response = supervisor.client.get(f"/api/log/{row['id']}/bundle.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = set(archive.namelist())
        signed = archive.read("record/record.json")
    assert {"VERIFY.txt", "report.html", "SHA256SUMS", "device/public_key.pem"} <= names
    assert {f"evidence/{sha}" for sha in shas} <= names
    assert json.loads(signed)["id"] == row["id"]
    assert all(len(accounts.evidence_views(sha)) == before[sha] + 1 for sha in shas)
    page = supervisor.client.get(f"/log/{row['id']}").get_data(as_text=True)
    assert f"/api/log/{row['id']}/bundle.zip" in page
