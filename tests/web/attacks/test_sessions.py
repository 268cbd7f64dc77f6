"""Finding 11: logout did not end the session on the server (a copied cookie still worked),
and a removed user's open stream kept receiving events."""

from tests.web.conftest import Browser

COOKIE = "ansim_session"


def test_a_cookie_copied_before_logout_is_dead_after_it(app, make_user):
    inspector = make_user("kim", "inspector")
    stolen = inspector.client.get_cookie(COOKIE).value
    assert inspector.api("POST", "/logout").status_code == 302
    thief = Browser(app)
    thief.client.set_cookie(COOKIE, stolen)
    assert thief.client.get("/api/session").status_code == 401
    assert thief.client.get("/api/events").status_code == 401


def test_logging_out_one_phone_leaves_the_users_other_phone_logged_in(app, make_user):
    first = make_user("kim", "inspector")
    second = Browser(app)
    assert second.login("kim", "a long enough password").status_code == 302
    first.api("POST", "/logout")
    assert first.client.get("/api/session").status_code == 401
    assert second.client.get("/api/session").status_code == 200


def _chunks_until_end(response, limit=20):
    chunks = []
    for chunk in response.response:
        chunks.append(chunk.decode() if isinstance(chunk, bytes) else chunk)
        if "event: alert" in chunks[-1] or len(chunks) >= limit:
            break
    return "".join(chunks)


def test_a_removed_users_open_stream_stops_before_the_next_event(app, admin, make_user):
    inspector = make_user("kim", "inspector")
    response = inspector.client.get("/api/events", buffered=False)
    stream = iter(response.response)
    assert ": connected" in next(stream).decode()
    kim = [u for u in admin.api("GET", "/api/users").get_json()["users"]
           if u["username"] == "kim"][0]
    assert admin.api("DELETE", f"/api/users/{kim['id']}").status_code == 204
    app.extensions["ansim"].bus.publish("alert", severity="high", message_key="web.bench.alert",
                                        inspection_id="x", zone="door_hook")
    rest = _chunks_until_end(response)
    response.close()
    assert "event: alert" not in rest
    assert app.extensions["ansim"].streams.open_count == 0


def test_a_logged_out_phones_open_stream_stops_too(app, make_user):
    inspector = make_user("kim", "inspector")
    other_tab = Browser(app)
    other_tab.client = inspector.client  # the same phone: one cookie, two tabs
    response = inspector.client.get("/api/events", buffered=False)
    stream = iter(response.response)
    next(stream)
    inspector.api("POST", "/logout")
    app.extensions["ansim"].bus.publish("alert", severity="high", message_key="web.bench.alert",
                                        inspection_id="x", zone="door_hook")
    rest = _chunks_until_end(response)
    response.close()
    assert "event: alert" not in rest
