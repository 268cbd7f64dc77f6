"""The inspection engine's lifecycle and rules, with RF and optical outcomes from doubles."""

import gzip

import pytest

from detector.engine import checklist
from detector.engine.events import EventBus
from detector.engine.inspection_rules import (
    InspectionClosed,
    InspectionError,
    InspectionNotFound,
    VerdictRefused,
)
from detector.i18n import describe_error
from detector.log.storage.models import Site
from detector.log.verify import verify_log
from hardware.sim.restroom import ZONE_TARGETS_M
from tests.support.inspection_doubles import (
    AMBIENT,
    FakeEmitter,
    FakeRestroom,
    video_emitter,
)

CAMERA_ROOM = FakeRestroom(
    emitters=(*AMBIENT, video_emitter(1.2e9, -48.0)),
    lenses={(1, "door_hook"): 0.9},
    power_by_zone_db={"door_hook": -30.0, "paper_holder": -41.0, "toilet_flush": -43.0,
                      "bin": -47.0, "vent": -44.0, "ceiling_light": -40.0,
                      "screws_holes": -45.0, "hinges": -38.0},
)


def _inspect(service, site_id="mapo-7", *, mark=True, stalls=None):
    """Every step of every place, marked from the scan, as the CLI's automatic run does."""
    state = service.start(site_id, "Kim Inspector", stalls=stalls)
    service.run_rf_step(state.id)
    for stall in range(1, state.stalls + 1):
        for zone in checklist.ITEMS:
            state = service.run_optical_step(state.id, stall, zone)
            if mark:
                findings = [s for s in state.steps if s.get("zone") == zone
                            and s.get("stall") == stall][-1]["findings"]
                status, _ = checklist.automatic_mark(findings)
                state = service.mark(state.id, stall, zone, status)
    return state


def test_the_checklist_covers_every_zone_of_the_simulated_stall():
    assert set(checklist.ITEMS) == set(ZONE_TARGETS_M)


def test_a_camera_transmitting_from_where_a_lens_glints_is_one_critical_alert(make_service):
    bus = EventBus()
    service = make_service(CAMERA_ROOM, bus)
    with bus.subscribe(kinds={"alert"}) as alerts_seen:
        state = _inspect(service)
        live = [alerts_seen.get(timeout_s=0) for _ in range(3)]
    assert [a["type"] for a in state.alerts] == ["camera_located"]
    alert = state.alerts[0]
    assert alert["severity"] == "critical" and alert["confirmed"]
    assert (alert["stall"], alert["zone"]) == (1, "door_hook")
    assert abs(alert["freq_hz"] - 1.2e9) < 1e6
    assert len(alert["replaces"]) == 2
    # Live, the video transmitter and the lens were announced as found, then tied together.
    assert [e.data["type"] for e in live if e] == ["video_transmitter", "lens", "camera_located"]
    assert checklist.suggested_verdict(checklist.coverage(1, state.steps, {
        (m["stall"], m["item"]): m for m in state.checklist}), state.alerts) == "found"


def test_a_transmitter_strongest_elsewhere_stays_a_separate_alert(make_service):
    room = FakeRestroom(emitters=CAMERA_ROOM.emitters, lenses={(1, "bin"): 0.9},
                        power_by_zone_db=CAMERA_ROOM.power_by_zone_db)
    state = _inspect(make_service(room))
    assert sorted(a["type"] for a in state.alerts) == ["lens", "video_transmitter"]


def test_rf_alone_never_clears_a_restroom(make_service):
    service = make_service(FakeRestroom())
    state = service.start("mapo-7", "Kim Inspector")
    service.run_rf_step(state.id)
    with pytest.raises(VerdictRefused) as refused:
        service.set_verdict(state.id, "clear")
    assert "inspect.reason.missing_scans" in refused.value.reasons
    assert "inspect.reason.missing_marks" in refused.value.reasons
    assert service.get(state.id).verdict is None


def test_clear_needs_every_place_scanned_and_marked_without_suspicion(make_service):
    service = make_service(FakeRestroom())
    state = _inspect(service, mark=False)
    with pytest.raises(VerdictRefused, match="cannot be clear"):
        service.set_verdict(state.id, "clear")
    for zone in checklist.ITEMS:
        service.mark(state.id, 1, zone, "checked")
    service.mark(state.id, 1, "vent", "suspicious", note="loose grille")
    with pytest.raises(VerdictRefused):
        service.set_verdict(state.id, "clear")
    service.mark(state.id, 1, "vent", "checked", note="grille screwed back")
    assert service.set_verdict(state.id, "clear").verdict == "clear"


def test_the_baseline_updates_only_from_clear_inspections(make_service):
    service = make_service(FakeRestroom())
    state = _inspect(service)
    service.set_verdict(state.id, "clear")
    service.sign_off(state.id, "Kim Inspector")
    with service.store.read() as session:
        first_baseline = session.get(Site, "mapo-7").baseline_json
    assert first_baseline and "95900000" in first_baseline

    # A new transmitter appears: it is new against the baseline, so the visit is not clear,
    # and the baseline does not learn it.
    service.steps.restroom = FakeRestroom(emitters=(*AMBIENT, FakeEmitter(433.9e6, 50e3, -50.0,
                                                                          "digital_burst")))
    state = _inspect(service)
    assert [a["type"] for a in state.alerts] == ["new_emitter"]
    assert service.steps.calls[-1 - 8 * 2 - 1][0] == "sweep"  # the second sweep had a baseline
    service.set_verdict(state.id, "suspicious")
    service.sign_off(state.id, "Kim Inspector")
    with service.store.read() as session:
        assert session.get(Site, "mapo-7").baseline_json == first_baseline


def test_a_signed_off_inspection_never_changes(make_service):
    service = make_service(CAMERA_ROOM)
    state = _inspect(service)
    service.set_verdict(state.id, "found", {"notified": "Mapo police station",
                                            "report_ref": "MP-2026-0113"})
    record = service.sign_off(state.id, "Kim Inspector")
    assert record.id == state.id and record.body["verdict"] == "found"
    assert record.body["escalation"] == {"notified": "Mapo police station",
                                         "report_ref": "MP-2026-0113"}
    for attempt in (lambda: service.mark(state.id, 1, "bin", "checked"),
                    lambda: service.set_verdict(state.id, "clear"),
                    lambda: service.run_optical_step(state.id, 1, "bin"),
                    lambda: service.sign_off(state.id, "Someone Else")):
        with pytest.raises(InspectionClosed) as refused:
            attempt()
        korean = describe_error(refused.value, "ko")
        assert "서명 완료" in korean and "signed_off" not in korean, korean
    after = service.get(state.id)
    assert (after.status, after.verdict) == ("signed_off", "found")
    assert after.steps == record.body["steps"] and after.alerts == record.body["alerts"]


def test_a_correction_is_a_new_record_pointing_to_the_old_one(make_service):
    service = make_service(CAMERA_ROOM)
    state = _inspect(service)
    service.set_verdict(state.id, "suspicious")
    original = service.sign_off(state.id, "Kim Inspector")
    correction = service.correct(original.id, "Park Supervisor", verdict="found",
                                 reason="the crop shows a pinhole lens",
                                 escalation={"notified": "Mapo police"})
    assert correction.id != original.id
    assert correction.body["supersedes"] == original.id
    assert correction.body["supersedes_hash"] == original.record_hash
    assert correction.body["seq"] == original.body["seq"] + 1
    assert service.get(state.id).verdict == "suspicious"  # the original is untouched
    assert verify_log(service.store, evidence=service.evidence).ok


def test_a_correction_cannot_clear_an_incomplete_inspection(make_service):
    service = make_service(CAMERA_ROOM)
    state = service.start("mapo-7", "Kim Inspector")
    service.run_rf_step(state.id)
    service.set_verdict(state.id, "found")
    record = service.sign_off(state.id, "Kim Inspector")
    with pytest.raises(VerdictRefused):
        service.correct(record.id, "Park Supervisor", verdict="clear", reason="false alarm")
    with pytest.raises(InspectionError, match="reason"):
        service.correct(record.id, "Park Supervisor", verdict="suspicious", reason=" ")


def test_an_inspection_cut_off_is_recovered_as_interrupted(data_dir, make_service):
    service = make_service(CAMERA_ROOM)
    state = service.start("jongno-1", "Lee Inspector")
    service.run_rf_step(state.id)
    service.run_optical_step(state.id, 1, "door_hook")
    service.mark(state.id, 1, "door_hook", "suspicious", note="glint in the hook")
    service.store.close()  # the process dies here: no verdict, no sign-off

    reopened = make_service(CAMERA_ROOM)
    recovered = reopened.get(state.id)
    assert recovered.status == "interrupted"
    assert [s["kind"] for s in recovered.steps] == ["rf_sweep", "optical_scan"]
    assert recovered.checklist[0]["note"] == "glint in the hook"
    assert verify_log(reopened.store, evidence=reopened.evidence).ok
    with pytest.raises(InspectionClosed):
        reopened.run_optical_step(state.id, 1, "bin")
    assert reopened.recover_interrupted() == []  # recovery happens once


def test_a_failing_step_keeps_the_steps_before_it(make_service):
    service = make_service(FakeRestroom())
    state = service.start("mapo-7", "Kim Inspector")
    service.run_rf_step(state.id)

    def broken_scan(stall, zone, on_progress, on_live):
        raise RuntimeError("camera unplugged")

    service.steps.scan = broken_scan
    with pytest.raises(RuntimeError):
        service.run_optical_step(state.id, 1, "door_hook")
    assert [s["kind"] for s in service.get(state.id).steps] == ["rf_sweep"]


def test_evidence_is_stored_by_hash_and_named_in_the_record(make_service, tmp_path):
    meta, data = tmp_path / "cap.sigmf-meta", tmp_path / "cap.sigmf-data"
    meta.write_text('{"global": {"core:datatype": "cu8"}}')
    payload = bytes(range(256)) * 8
    data.write_bytes(payload)
    room = FakeRestroom(emitters=CAMERA_ROOM.emitters, lenses={(1, "vent"): 0.3},
                        captures=[meta])
    service = make_service(room)
    state = _inspect(service)
    service.set_verdict(state.id, "suspicious")
    record = service.sign_off(state.id, "Kim Inspector")
    kinds = sorted(ref["kind"] for ref in record.body["evidence"])
    assert kinds == ["capture.sigmf-data", "capture.sigmf-meta", "lens_crop", "spectrum.csv.gz"]
    spectrum = next(r["sha256"] for r in record.body["evidence"] if r["kind"].startswith("spec"))
    assert gzip.decompress(service.evidence.read(spectrum)).startswith(b"freq_hz,power_db\n")
    for ref in record.body["evidence"]:
        assert service.evidence.problem_with(ref["sha256"], ref["size_bytes"]) is None
    assert service.evidence.read(next(r["sha256"] for r in record.body["evidence"]
                                      if r["kind"] == "capture.sigmf-data")) == payload
    assert not data.exists()  # moved into the store, not copied
    lens_alert = [a for a in record.body["alerts"] if a["type"] == "lens"][0]
    assert lens_alert["severity"] == "medium" and not lens_alert["confirmed"]
    assert lens_alert["evidence"][0] in {r["sha256"] for r in record.body["evidence"]}


def test_bad_requests_are_refused_with_the_reason(make_service):
    service = make_service(FakeRestroom())
    with pytest.raises(InspectionNotFound, match="no site 'nowhere'"):
        service.start("nowhere", "Kim Inspector")
    state = service.start("jongno-1", "Kim Inspector")
    assert state.stalls == 2  # from the site registry
    with pytest.raises(checklist.ChecklistError, match="stall 3 does not exist"):
        service.mark(state.id, 3, "bin", "checked")
    with pytest.raises(checklist.ChecklistError, match="unknown checklist item"):
        service.mark(state.id, 1, "sink", "checked")
    with pytest.raises(checklist.ChecklistError, match="unknown mark"):
        service.mark(state.id, 1, "bin", "fine")
    with pytest.raises(InspectionError, match="no verdict"):
        service.sign_off(state.id, "Kim Inspector")
    with pytest.raises(InspectionError, match="escalation"):
        service.set_verdict(state.id, "found", {"who": "police"})


def test_a_cancelled_inspection_ends_in_the_log_with_its_reason(make_service):
    service = make_service(CAMERA_ROOM)
    state = service.start("mapo-7", "Kim Inspector")
    service.run_rf_step(state.id)
    record = service.cancel(state.id, reason="cancelled on the handheld")
    assert record.body["status"] == "cancelled" and record.body["verdict"] is None
    assert record.body["cancel_reason"] == "cancelled on the handheld"
    assert service.get(state.id).status == "cancelled"
    with pytest.raises(InspectionClosed):
        service.run_optical_step(state.id, 1, "bin")
    assert verify_log(service.store, evidence=service.evidence).ok


def test_video_transmitters_are_followed_live_while_scanning(make_service):
    bus = EventBus()
    service = make_service(CAMERA_ROOM, bus)
    state = service.start("mapo-7", "Kim Inspector")
    service.run_rf_step(state.id)
    with bus.subscribe(kinds={"proximity"}) as readings:
        service.run_optical_step(state.id, 1, "door_hook")
        service.run_optical_step(state.id, 1, "bin")
        events = [readings.get(timeout_s=0) for _ in range(10)]
    assert all(e is not None for e in events)
    near = [e.data for e in events if e.data["zone"] == "door_hook"]
    far = [e.data for e in events if e.data["zone"] == "bin"]
    assert min(e["level"] for e in near) > max(e["level"] for e in far)
    assert {round(e["freq_hz"]) for e in near + far} == {1_200_000_000}


def test_steps_report_progress_as_fractions(make_service):
    bus = EventBus()
    service = make_service(FakeRestroom(), bus)
    state = service.start("mapo-7", "Kim Inspector")
    with bus.subscribe(kinds={"progress"}) as progress:
        service.run_rf_step(state.id)
        service.run_optical_step(state.id, 1, "vent")
        events = [progress.get(timeout_s=0) for _ in range(2)]
    assert [(e.data["step"], e.data.get("zone")) for e in events] == [
        ("rf_sweep", None), ("optical_scan", "vent")]
    assert all(0 <= e.data["fraction"] <= 1 for e in events)
    assert events[0].data["inspection_id"] == state.id


def test_a_reviewed_and_dismissed_alert_no_longer_blocks_clear(make_service):
    service = make_service(FakeRestroom(ir_leds={(1, "toilet_flush")}))
    state = _inspect(service)
    service.mark(state.id, 1, "toilet_flush", "checked", note="flush sensor LED")
    glow = next(a for a in state.alerts if a["type"] == "ir_emitter")
    with pytest.raises(VerdictRefused) as refused:
        service.set_verdict(state.id, "clear")
    assert refused.value.reasons == ["inspect.reason.alerts"]
    with pytest.raises(InspectionNotFound):
        service.dismiss_alert(state.id, "optics:9:nowhere:0", "typo", "Kim Inspector")
    service.dismiss_alert(state.id, glow["id"], "the flush sensor's indicator LED",
                          "Kim Inspector")
    service.set_verdict(state.id, "clear")
    record = service.sign_off(state.id, "Kim Inspector")
    kept = next(a for a in record.body["alerts"] if a["id"] == glow["id"])
    assert kept["dismissed"]["reason"] == "the flush sensor's indicator LED"
    assert kept["dismissed"]["by"] == "Kim Inspector"
