"""Known optical fixtures per site: a glow dismissed as the restroom's own light is information
at later visits of that place only, and supervisors can list and forget fixtures."""

import json

import numpy as np
import pytest

from ansim.cli import main
from detector.engine import checklist, fusion
from detector.engine.fixtures import FixtureNotFound, list_fixtures, remove_fixture
from detector.engine.inspection_rules import InspectionError, VerdictRefused
from tests.support.inspection_doubles import FakeFinding, FakeRestroom

FLUSH = (1, "toilet_flush")
FLUSH_LED = FakeRestroom(ir_leds={FLUSH})


def _visit(service, site_id="mapo-7"):
    """Every step of every place, marked from what the scan found that fixtures do not explain,
    as the CLI's automatic run does; returns the state and the verdict the findings support."""
    state = service.start(site_id, "Kim Inspector")
    service.run_rf_step(state.id)
    for zone in checklist.ITEMS:
        state = service.run_optical_step(state.id, 1, zone)
        status, _ = checklist.automatic_mark(fusion.unexplained_findings(state.steps[-1]))
        state = service.mark(state.id, 1, zone, status)
    cover = checklist.coverage(1, state.steps, {(m["stall"], m["item"]): m
                                                for m in state.checklist})
    return state, checklist.suggested_verdict(cover, state.alerts)


def _glows(state, place=FLUSH):
    return [a for a in state.alerts if a["type"] == "ir_emitter"
            and (a["stall"], a["zone"]) == place]


def _mark_flush_led(service):
    """The first visit: the LED is an alert until dismissed as a fixture; signed off clear."""
    state, verdict = _visit(service)
    assert verdict == "suspicious"
    [glow] = _glows(state)
    assert glow["severity"] == "high"
    service.mark(state.id, *FLUSH, "checked", note="flush sensor")
    service.dismiss_alert(state.id, glow["id"], "the flush sensor's indicator LED",
                          "Kim Inspector", as_fixture=True)
    service.set_verdict(state.id, "clear")
    return service.sign_off(state.id, "Kim Inspector"), glow


def test_a_glow_dismissed_as_a_fixture_is_information_at_later_visits(make_service):
    service = make_service(FLUSH_LED)
    record, glow = _mark_flush_led(service)
    dismissed = next(a for a in record.body["alerts"] if a["id"] == glow["id"])["dismissed"]
    assert dismissed["as_fixture"] is True and dismissed["by"] == "Kim Inspector"
    [fixture] = list_fixtures(service.store, "mapo-7")
    assert (fixture.stall, fixture.zone, fixture.record_id) == (*FLUSH, record.id)
    assert fixture.marked_by == "Kim Inspector"

    # The next day the same LED glows: information, already reviewed, and the visit is clear.
    state, verdict = _visit(service)
    [known] = _glows(state)
    assert known["severity"] == "info" and not known["confirmed"]
    assert known["message_key"] == "inspect.alert.ir_fixture"
    assert known["fixture"]["id"] == fixture.id
    assert known["fixture"]["marked_by"] == "Kim Inspector"
    assert known["fixture"]["record_id"] == record.id
    assert verdict == "clear"
    service.set_verdict(state.id, "clear")
    later = service.sign_off(state.id, "Kim Inspector")
    assert next(a for a in later.body["alerts"]
                if a["id"] == known["id"])["fixture"]["record_id"] == record.id
    assert len(list_fixtures(service.store, "mapo-7")) == 1  # nothing new to remember


def test_a_new_glow_elsewhere_or_a_lens_at_the_fixture_is_treated_as_before(make_service):
    service = make_service(FLUSH_LED)
    _mark_flush_led(service)
    service.steps.restroom = FakeRestroom(ir_leds={FLUSH, (1, "vent")}, lenses={FLUSH: 0.9})
    state, verdict = _visit(service)
    assert _glows(state)[0]["severity"] == "info"
    [vent] = _glows(state, (1, "vent"))
    assert vent["severity"] == "high" and "fixture" not in vent
    lens = next(a for a in state.alerts if a["type"] == "lens")
    assert (lens["stall"], lens["zone"], lens["severity"]) == (*FLUSH, "high")
    assert verdict == "found"
    # The same place at another site knows nothing of mapo-7's fixture.
    other, _ = _visit(service, "jongno-1")
    assert all(a["severity"] == "high" for a in _glows(other))


def test_a_second_glow_at_a_fixture_place_makes_every_glow_there_an_alert(make_service):
    service = make_service(FLUSH_LED)
    _mark_flush_led(service)
    scan = service.steps.scan

    def scan_with_a_camera_beside_the_sensor(stall, zone, on_progress, on_live):
        outcome = scan(stall, zone, on_progress, on_live)
        if (stall, zone) == FLUSH:
            outcome.findings.append(FakeFinding("ir_emitter", 5, 400.0, 90.0, 3.0, 0.6,
                                                np.full((24, 24), 200, dtype=np.uint8)))
        return outcome

    service.steps.scan = scan_with_a_camera_beside_the_sensor
    state, verdict = _visit(service)
    glows = _glows(state)
    assert len(glows) == 2 and all(g["severity"] == "high" for g in glows)
    assert verdict == "suspicious"


def test_lenses_and_known_fixtures_cannot_be_marked_and_unsigned_marks_are_not_kept(
        make_service):
    service = make_service(FakeRestroom(ir_leds={FLUSH}, lenses={(1, "vent"): 0.3}))
    state, _ = _visit(service)
    lens = next(a for a in state.alerts if a["type"] == "lens")
    with pytest.raises(InspectionError, match="only an IR glow"):
        service.dismiss_alert(state.id, lens["id"], "a screw head", "Kim Inspector",
                              as_fixture=True)
    service.dismiss_alert(state.id, _glows(state)[0]["id"], "flush sensor LED",
                          "Kim Inspector", as_fixture=True)
    service.cancel(state.id, reason="called away")
    assert list_fixtures(service.store, "mapo-7") == []  # only a signed-off record marks one

    service.steps.restroom = FLUSH_LED
    _mark_flush_led(service)
    state, _ = _visit(service)
    with pytest.raises(InspectionError, match="already the site's fixture"):
        service.dismiss_alert(state.id, _glows(state)[0]["id"], "again", "Kim Inspector",
                              as_fixture=True)


def test_a_removed_fixture_is_an_alert_again(make_service):
    service = make_service(FLUSH_LED)
    _mark_flush_led(service)
    [fixture] = list_fixtures(service.store, "mapo-7")
    with pytest.raises(FixtureNotFound):
        remove_fixture(service.store, "jongno-1", fixture.id)
    assert remove_fixture(service.store, "mapo-7", fixture.id) == fixture
    state, verdict = _visit(service)
    assert _glows(state)[0]["severity"] == "high" and verdict == "suspicious"
    with pytest.raises(VerdictRefused):
        service.set_verdict(state.id, "clear")


def test_supervisors_list_and_remove_fixtures_on_the_command_line(make_service, data_dir,
                                                                   capsys):
    service = make_service(FLUSH_LED)
    record, _ = _mark_flush_led(service)
    service.close()

    def ansim(*argv):
        code = main(["--lang", "en", *argv, "--data", str(data_dir)])
        return (code, *capsys.readouterr())

    code, out, _ = ansim("sites", "fixtures", "mapo-7", "--json")
    [listed] = json.loads(out)["fixtures"]
    assert code == 0 and (listed["stall"], listed["zone"]) == FLUSH
    assert listed["record_id"] == record.id
    code, out, _ = ansim("sites", "fixtures", "mapo-7")
    assert f"#{listed['id']}" in out and "flush sensor's indicator LED" in out
    code, out, err = ansim("sites", "fixtures", "mapo-7", "--remove", str(listed["id"] + 1))
    assert code == 1 and "no fixture" in err
    code, out, _ = ansim("sites", "fixtures", "mapo-7", "--remove", str(listed["id"]))
    assert code == 0 and f"#{listed['id']}" in out
    code, out, _ = ansim("sites", "fixtures", "mapo-7")
    assert "no known fixtures" in out
    code, out, err = ansim("sites", "fixtures", "nowhere")
    assert code == 1 and "no site 'nowhere'" in err
