"""Finding 5: one volunteer could open every live-stream slot (24) and starve the inspector.
Now a login session holds at most two streams (its newest: an older one ends when a newer
takes its slot, as when a phone moves from page to page), volunteers together at most the
slots not kept for staff, and a stream a phone dropped before it started gives its slot
back."""

import pytest

from tests.web.conftest import Browser


@pytest.fixture
def join_code(app, admin):
    return admin.api("POST", "/api/join-codes").get_json()["code"]


def _volunteer(app, code, name):
    phone = Browser(app)
    phone.page("/join")
    assert phone.form("/join", {"code": code, "display_name": name}).status_code == 302
    return phone


def _open(browser):
    return browser.client.get("/api/events", buffered=False)


def test_one_volunteer_session_cannot_take_more_than_two_streams(app, join_code):
    phone = _volunteer(app, join_code, "greedy")
    held = [_open(phone) for _ in range(24)]
    try:
        assert {r.status_code for r in held} == {200}  # each newest stream is served...
        assert app.extensions["ansim"].streams.open_count == 2  # ...in the same two slots
        oldest = b"".join(held[0].response)  # ended by the newer streams, not by the phone
        assert oldest.startswith(b"retry:")
    finally:
        for response in held:
            response.close()
    assert app.extensions["ansim"].streams.open_count == 0


def test_volunteers_together_leave_the_staff_slots_free(app, join_code, make_user):
    config = app.extensions["ansim"].config
    volunteer_slots = config.max_event_streams - config.staff_stream_slots
    held = []
    try:
        for i in range(volunteer_slots // 2 + 1):
            phone = _volunteer(app, join_code, f"volunteer {i}")
            held += [_open(phone), _open(phone)]
        statuses = [r.status_code for r in held]
        assert statuses.count(200) == volunteer_slots
        assert held[-1].get_json()["limit"] == "role"
        inspector = make_user("kim", "inspector")
        stream = _open(inspector)
        held.append(stream)
        assert stream.status_code == 200
    finally:
        for response in held:
            response.close()


def test_a_stream_dropped_before_it_started_gives_its_slot_back(app, join_code):
    phone = _volunteer(app, join_code, "flaky")
    for _ in range(30):  # never read: the phone left at once
        response = _open(phone)
        assert response.status_code == 200
        response.close()
    assert app.extensions["ansim"].streams.open_count == 0
    assert app.extensions["ansim"].bus.subscriber_count == 0
