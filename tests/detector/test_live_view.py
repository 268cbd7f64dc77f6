"""What the engine shows live while a step runs on the simulated restroom: the spectrum as it is
swept and the optical scan's status per frame, judged against the scene's truth and the
sweep's own final spectrum."""

import json

import numpy as np
import pytest

from detector.appliance.backends import open_hardware
from detector.appliance.profile import load_profile
from detector.engine.events import EventBus
from detector.engine.inspection_steps import read_spectrum_evidence
from detector.engine.inspections import open_service
from detector.engine.live_view import SCREEN_POINTS, SPECTRUM_UPDATES, screen_spectrum
from detector.engine.scanning import blink_code
from hardware.sim.optics_truth import project

pytestmark = pytest.mark.slow


@pytest.fixture
def engine(data_dir):
    bus = EventBus()
    profile = load_profile()
    hardware = open_hardware(profile, simulate=True)
    service = open_service(data_dir, hardware=hardware, bus=bus, profile=profile)
    yield service, bus, hardware
    service.close()


def test_a_sweep_shows_its_spectrum_as_it_goes(engine):
    service, bus, hardware = engine
    state = service.start("mapo-7", "Kim Inspector")
    with bus.subscribe(kinds={"spectrum"}, maxsize=1000) as live:
        service.run_rf_step(state.id)
        events = [e.data for e in iter(lambda: live.get(timeout_s=0), None)]
    assert SPECTRUM_UPDATES <= len(events) <= SPECTRUM_UPDATES + 1
    assert all(e["inspection_id"] == state.id for e in events)
    done = [e["hops_done"] for e in events]
    assert done == sorted(set(done)) and done[-1] == events[-1]["hops_total"]
    for event in events:
        assert len(event["power_db"]) == len(event["freqs_hz"]) == len(event["noise_floor_db"])
        assert len(event["power_db"]) <= event["points_total"] <= SCREEN_POINTS
        assert np.all(np.diff(event["freqs_hz"]) > 0)
    # The part swept so far grows from the bottom of the bands up.
    assert events[0]["freqs_hz"][-1] < events[-1]["freqs_hz"][-1]
    assert len(events[-1]["power_db"]) == events[-1]["points_total"]
    assert len(json.dumps(events[-1])) < 40_000  # a phone's update, not the evidence

    # The finished live view keeps the hidden camera's peak where the scene put it.
    last = events[-1]
    camera_hz = hardware.handheld.scene.hidden_camera_emitters()[0].freq_hz
    peak = int(np.argmax(last["power_db"]))
    assert abs(last["freqs_hz"][peak] - camera_hz) < 10e6
    # ...at the strength the stored spectrum (the record's evidence) has, and above its floor.
    stored = service.get(state.id).steps[0]["evidence"][0]["sha256"]
    freqs_hz, power_db = read_spectrum_evidence(service.evidence, stored)
    assert last["power_db"][peak] == pytest.approx(float(power_db.max()), abs=0.1)
    assert last["power_db"][peak] > last["noise_floor_db"][peak] + 20
    floor = np.median(last["noise_floor_db"])
    assert np.median(last["power_db"]) == pytest.approx(floor, abs=3)
    # The evidence thinned for the screen falls on the same points as the live view.
    assert screen_spectrum(freqs_hz, power_db)["freqs_hz"] == last["freqs_hz"]


def test_a_scan_shows_where_the_suspects_are_frame_by_frame(engine):
    service, bus, hardware = engine
    state = service.start("mapo-7", "Kim Inspector")
    camera = hardware.camera
    poses = {}
    read_frame = camera.read_frame

    def read_and_note_pose():
        frame = read_frame()
        poses[frame.index] = frame.pose
        return frame

    camera.read_frame = read_and_note_pose
    with bus.subscribe(kinds={"optics_status"}, maxsize=1000) as live:
        service.run_optical_step(state.id, 1, "door_hook")
        events = [e.data for e in iter(lambda: live.get(timeout_s=0), None)]
    assert len(events) == events[0]["n_frames"] == len(poses)
    assert {(e["stall"], e["zone"], e["inspection_id"]) for e in events} == {
        (1, "door_hook", state.id)}
    assert sorted(e["frame"] for e in events) == sorted(poses)
    assert all((e["width"], e["height"]) == (camera.width, camera.height) for e in events)
    assert all(set(e) == {"inspection_id", "stall", "zone", "frame", "n_frames", "width",
                          "height", "n_candidates", "n_tracks", "suspects"} for e in events)
    assert max(len(json.dumps(e)) for e in events) < 2_000  # never the frame's pixels

    # The hidden camera's lens is marked where it is in the frame, in the frames lit on-axis
    # (where a lens glints) once the pipeline has seen it blink; nothing else is marked.
    lens = hardware.handheld.scene.hidden_camera_lenses()[0]
    assert lens.zone == "door_hook"
    lit = {i for i, state in enumerate(blink_code(len(events))) if state == "on_axis"}
    marked = set()
    for event in events:
        x, y = project(lens.position_m, poses[event["frame"]], camera)
        for sx, sy in event["suspects"]:
            assert np.hypot(sx - x, sy - y) < 8, f"frame {event['frame']}: a suspect off the lens"
            marked.add(event["frame"])
    settled = {i for i in lit if i >= 9}
    assert len(marked & settled) >= 0.75 * len(settled)
