"""The site's Wi-Fi baseline through the engine and its log, on SQLite and PostgreSQL: clear
inspections teach the site its transmitters, a camera that was not there before is named new,
and the site's access points witness that the device was there.

The Wi-Fi survey is the real one (``detector.engine.wifi_survey.passive_survey``) on the
simulated restroom's Wi-Fi world, analysed by ``rf.wifi`` and kept as pcapng evidence; the RF
and optical steps come from the doubles.
"""

import json

import pytest

from ansim.cli.commands._logbook import alert_text
from ansim.cli.commands._proof import presence_lines
from detector.engine import checklist
from detector.engine.inspections import InspectionService
from detector.engine.sites import import_sites
from detector.engine.wifi_survey import passive_survey
from detector.i18n import t
from detector.log.bundle_report import report_html
from detector.log.evidence import EvidenceStore
from detector.log.signing import DeviceKey
from detector.log.storage import open_store
from detector.log.storage.models import Site
from detector.log.verify import verify_log
from hardware.clock import SimulatedClock
from hardware.sim.wifi_world import WifiWorld
from hardware.wifi.pcapfile import read_capture
from hardware.wifi.simulated import SimulatedCapture
from tests.detector.conftest import SITES_CSV
from tests.support.inspection_doubles import FakeSteps

WORLD_SEED = 7


class WifiSteps(FakeSteps):
    """The doubles' sweep and scans, with a real passive Wi-Fi survey of a simulated world
    (the same building every time; a hidden camera only when ``camera`` is set)."""

    camera = False

    def wifi_passive(self):
        world = WifiWorld(WORLD_SEED, hidden_camera="continuous" if self.camera else "none")
        return passive_survey(SimulatedCapture(world, SimulatedClock()))


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request, tmp_path):
    if request.param == "sqlite":
        store = open_store(tmp_path / "log.db", write=True)
    else:
        store = open_store(request.getfixturevalue("postgres_url"))
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV, encoding="utf-8")
    import_sites(store, sites)
    engine = InspectionService(store, None, None, EvidenceStore(tmp_path / "evidence"),
                               DeviceKey.load_or_create(tmp_path), steps=WifiSteps())
    yield engine
    store.close()


def _inspect(service, verdict, site_id="mapo-7"):
    """A whole inspection; Wi-Fi alerts the inspector has looked at are dismissed as the
    neighbours' (the next room's camera is one), then the verdict and sign-off."""
    state = service.start(site_id, "Kim Inspector")
    state = service.run_rf_step(state.id)
    for zone in checklist.ITEMS:
        service.run_optical_step(state.id, 1, zone)
        state = service.mark(state.id, 1, zone, "checked")
    if verdict == "clear":
        for alert in state.alerts:
            service.dismiss_alert(state.id, alert["id"], "the next room's camera",
                                  "Kim Inspector")
    service.set_verdict(state.id, verdict)
    return service.sign_off(state.id, "Kim Inspector")


def _baseline(service, site_id="mapo-7") -> dict | None:
    with service.store.read() as session:
        text = session.get(Site, site_id).wifi_baseline_json
    return json.loads(text) if text else None


def _wifi_step(record) -> dict:
    (step,) = [s for s in record.body["steps"] if s["kind"] == "wifi_survey"]
    return step


def test_clear_inspections_teach_the_site_and_a_new_camera_is_named(service):
    first = _inspect(service, "clear")
    assert _wifi_step(first)["site_baseline"] is None  # nothing is new against nothing
    assert not [a for a in first.body["alerts"] if a["type"] == "wifi_new"]
    learned = _baseline(service)
    assert learned["inspections"] == 1
    roles = {t["mac"]: t["role"] for t in learned["transmitters"]}
    assert "ap" in roles.values()
    assert not [mac for mac in roles if int(mac[:2], 16) & 2]  # no made-up phone address

    second = _inspect(service, "clear")
    step = _wifi_step(second)
    statuses = {t["mac"]: t["baseline"]["status"] for t in step["transmitters"]}
    assert set(statuses.values()) <= {"known", "transient"}
    assert _baseline(service)["inspections"] == 2

    service.steps.camera = True
    third = _inspect(service, "suspicious")
    step = _wifi_step(third)
    new = [t for t in step["transmitters"] if t["baseline"]["status"] == "new"]
    assert [t["kind"] for t in new] == ["camera"]
    (alert,) = [a for a in third.body["alerts"] if a.get("mac") == new[0]["mac"]]
    assert (alert["type"], alert["site_baseline"]) == ("wifi_video", "new")
    assert alert["raised_at"] == step["finished_at"]
    assert step["site_baseline"]["stable_bssids"] == [
        t["mac"] for t in learned["transmitters"] if t["role"] == "ap"]
    assert third.body["presence"]["wifi"] == {"known": 1, "recognised": 1}
    shown = [line.strip() for line in presence_lines(third.body)]  # as ansim log show says it
    assert t("presence.reason.wifi", known=1, recognised=1) in shown
    assert _baseline(service)["inspections"] == 2  # a suspicious visit teaches nothing
    # The camera's sentence, with its level, in the command line's and the bundle's report.
    assert "dBm" in alert_text(alert) and "{" not in alert_text(alert)
    report = report_html(third, {}).split("<body>", 1)[1]
    assert report.count(f"{alert['rssi_dbm']:.0f} dBm") == 2 and "{" not in report

    # The survey's pcapng evidence holds the new camera's frames.
    (ref,) = step["evidence"]
    capture = read_capture(service.evidence.path_for(ref["sha256"]))
    assert len(capture.frames) == step["frames"]
    assert verify_log(service.store, evidence=service.evidence).ok


def test_an_unreadable_stored_baseline_keeps_the_survey_and_says_why(service):
    with service.store.write() as session:
        session.get(Site, "mapo-7").wifi_baseline_json = '{"format": "something else"}'
    record = _inspect(service, "suspicious")
    step = _wifi_step(record)
    assert "format must be" in step["site_baseline"]["error"]
    assert step["transmitters"] and all(t["baseline"] is None for t in step["transmitters"])
