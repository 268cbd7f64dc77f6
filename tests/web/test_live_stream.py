"""The live stream of a real optical scan on the simulated restroom, as two phones receive it
from ``/api/events``: the inspector's gets the scan's optics status (suspects marked, thinned by
the per-client throttle, never a picture), the volunteer's only progress and changes."""

import json

from detector.engine.sites import import_sites

SITES_CSV = "id,name,stalls,schedule\nS1,Station restroom,1,daily\n"


def _messages(response, until, limit=400):
    """(kind, data) of each SSE message on ``response`` until ``until(kind, data)`` is true."""
    seen = []
    for chunk in response.response:
        for block in chunk.decode().split("\n\n") if isinstance(chunk, bytes) else \
                chunk.split("\n\n"):
            lines = dict(line.split(": ", 1) for line in block.splitlines()
                         if line.startswith(("event: ", "data: ")))
            if "event" in lines:
                seen.append((lines["event"], json.loads(lines["data"])))
                if until(*seen[-1]):
                    return seen
        assert len(seen) < limit, "the stream never said what was awaited"
    raise AssertionError("the stream ended")


def test_a_scan_reaches_the_inspector_as_optics_status_and_not_the_volunteer(
        app, admin, make_user, clocks):
    svc = app.extensions["ansim"]
    sites = svc.config.data_dir / "sites.csv"
    sites.write_text(SITES_CSV, encoding="utf-8")
    import_sites(svc.inspections.store, sites)
    inspector = make_user("kim", "inspector")
    code = admin.api("POST", "/api/join-codes").get_json()["code"]
    volunteer = type(admin)(app)
    volunteer.page("/join")
    assert volunteer.form("/join", {"code": code, "display_name": "Lee"}).status_code == 302

    inspection_id = inspector.api("POST", "/api/inspections", {"site_id": "S1"}).get_json()["id"]
    staff_stream = inspector.client.get("/api/events", buffered=False)
    volunteer_stream = volunteer.client.get("/api/events", buffered=False)
    response = inspector.api("POST", f"/api/inspections/{inspection_id}/steps",
                             {"step": "optical", "stall": 1, "zone": "door_hook"})
    assert response.status_code == 202
    assert svc.steps.wait(timeout_s=120)

    def step_done(kind, data):
        return kind == "inspection" and data.get("event") == "step_done"

    staff = _messages(staff_stream, step_done)
    # The phone's clock moves on: the newest status held back by the throttle goes out.
    clocks.advance(1.0)
    staff += _messages(staff_stream, lambda kind, data: kind == "optics_status")
    statuses = [data for kind, data in staff if kind == "optics_status"]
    assert len(statuses) == 2  # 48 frames, thinned to the first and the newest
    first, last = statuses
    assert (first["frame"], last["frame"]) == (0, last["n_frames"] - 1)
    for status in statuses:
        assert status["inspection_id"] == inspection_id and status["zone"] == "door_hook"
        assert status["width"] > 0 and status["height"] > 0
        assert "image" not in status and len(json.dumps(status)) < 2_000
    # The door hook's hidden lens is marked in the last frame (lit on-axis), inside it.
    [[x, y]] = last["suspects"]
    assert 0 < x < last["width"] and 0 < y < last["height"]
    progress = [data for kind, data in staff if kind == "progress"]
    assert progress and progress[-1]["fraction"] == 1.0

    seen = _messages(volunteer_stream, step_done)
    assert {kind for kind, _ in seen} <= {"progress", "inspection", "alert"}
    assert "suspects" not in json.dumps(seen)
    assert all(set(data) <= {"inspection_id", "site_id", "event", "step", "stall", "zone",
                             "fraction", "message"} for _, data in seen)
    staff_stream.close()
    volunteer_stream.close()
