"""Change since last time and presence, through the inspection engine: each scan keeps its
place's keyframe; the next inspection compares with it, alerts on a new hole, and its record
says how strongly it was at this restroom. The pictures are ray-traced tuning places."""

from pathlib import Path

import cv2
import pytest

from detector.engine import checklist
from detector.engine.inspection_rules import VerdictRefused
from detector.log import logquery
from tests.support.inspection_doubles import FakeRestroom

PAIRS = Path(__file__).resolve().parents[2] / "bench" / "raytrace" / "change_pairs"
#: One tuning place per checklist zone. Not 9004: its bare panel seen 2 cm nearer is not
#: registered and shows a false change (a shortfall the benchmark counts, not this test's
#: subject: how the engine turns a change into an alert and presence).
PLACES = dict(zip(checklist.ITEMS, (9000, 9001, 9002, 9003, 9005, 9006, 9007, 9012),
                  strict=True))


def pictures(visit_of_zone) -> dict:
    """(1, zone) -> the keyframe of that zone's place at the visit ``visit_of_zone(zone)``
    names (a (place, visit) pair)."""
    out = {}
    for zone in checklist.ITEMS:
        place, visit = visit_of_zone(zone)
        out[(1, zone)] = cv2.imread(str(PAIRS / str(place) / f"{visit}.png"),
                                    cv2.IMREAD_GRAYSCALE)
    return out


def inspect(service, *, clear=True):
    state = service.start("mapo-7", "Kim Inspector")
    service.run_rf_step(state.id)
    for zone in checklist.ITEMS:
        service.run_optical_step(state.id, 1, zone)
        state = service.mark(state.id, 1, zone, "checked")
    return state


def sign(service, state, verdict="clear"):
    service.set_verdict(state.id, verdict)
    return service.sign_off(state.id, "Kim Inspector")


@pytest.fixture
def first_record(make_service):
    service = make_service(FakeRestroom(pictures=pictures(lambda z: (PLACES[z], "reference"))))
    state = inspect(service)
    assert not [a for a in state.alerts if a["type"] == "place_change"]
    record = sign(service, state)
    assert record.body["presence"]["level"] == "none"
    assert record.body["presence"]["reasons"][-1]["key"] == "presence.reason.no_history"
    for step in record.body["steps"]:
        if step["kind"] == "optical_scan":
            assert step["keyframe"]["sha256"] in {e["sha256"] for e in record.body["evidence"]}
            assert "change" not in step
    service.close()  # one writer at a time: the next inspection opens the log again
    return record


def test_a_new_hole_is_a_medium_alert_and_the_visit_is_present(first_record, make_service):
    today = pictures(lambda z: (PLACES[z], "hole" if z == "door_hook" else "same"))
    service = make_service(FakeRestroom(pictures=today))
    state = inspect(service)
    [alert] = [a for a in state.alerts if a["type"] == "place_change"]
    assert (alert["zone"], alert["severity"], alert["change"]) == ("door_hook", "medium", "new")
    assert alert["reference_record"] == first_record.id
    assert service.evidence.read(alert["evidence"][0])[:4] == b"\x89PNG"
    with pytest.raises(VerdictRefused):
        service.set_verdict(state.id, "clear")
    service.dismiss_alert(state.id, alert["id"], "a new coat hook's screw hole, filled",
                          "Kim Inspector")
    record = sign(service, state)
    presence = record.body["presence"]
    assert presence["level"] == "strong" and not presence["flagged"]
    assert presence["places"] == {"known": len(checklist.ITEMS),
                                  "recognised": len(checklist.ITEMS)}


def test_an_inspection_elsewhere_is_flagged(first_record, make_service):
    # Someone films other walls: every place is one of another site's places.
    others = list(range(9008, 9012)) * 2
    elsewhere = pictures(lambda z: (others[checklist.ITEMS.index(z)], "same"))
    service = make_service(FakeRestroom(pictures=elsewhere))
    state = inspect(service)
    assert not [a for a in state.alerts if a["type"] == "place_change"]
    record = sign(service, state, "suspicious")
    assert record.body["presence"]["level"] == "none" and record.body["presence"]["flagged"]
    assert record.body["presence"]["places"]["recognised"] == 0
    rows, _ = logquery.list_records(service.store)
    assert {r["id"]: r["presence"] for r in rows}[record.id] == "none"
