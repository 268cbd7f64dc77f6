"""Finding 2: one unauthenticated client froze the dashboard with half-sent requests, and a
300 MiB POST was spooled to disk before its 413. Now nginx (from Debian, configured by
firmware_config/nginx/ansim.conf, the file the device installs) is the front door and holds
slow clients itself, and ``ansim serve`` alone refuses large bodies from their
Content-Length. These run the real nginx in front of the real app."""

import socket

import pytest

from detector.engine.events import EventBus
from tests.web.conftest import ADMIN, Browser, setup_code_of
from web import create_app
from testkit.front_door import FrontDoor
from web.server import ServerThread
from testkit.loadgen import Phone, SlowClients

HUGE_BYTES = 300 * 1024 * 1024
pytestmark = pytest.mark.slow


def _post_head(host, port, path="/login", length=HUGE_BYTES):
    """Send only the headers of a huge POST; answer what the server says before the body."""
    with socket.create_connection((host, port), timeout=15) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: device\r\nContent-Type: "
                     f"application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n"
                     .encode())
        return conn.recv(4096).decode(errors="replace")


@pytest.fixture
def device(tmp_path):
    bus = EventBus()
    app = create_app({"data_dir": tmp_path / "data", "simulate": True}, bus=bus)
    admin = Browser(app)
    admin.page("/setup")
    admin.form("/setup", {"setup_code": setup_code_of(app), "username": ADMIN[0],
                          "password": ADMIN[1], "password_again": ADMIN[1]})
    with ServerThread(app) as server:
        server.bus = bus
        yield server


def test_ansim_serve_alone_refuses_a_huge_body_before_reading_it(device):
    answer = _post_head("127.0.0.1", device.port)
    assert answer.startswith("HTTP/1.1 413"), answer[:80]


def test_the_front_door_refuses_a_huge_body_before_reading_it(device):
    with FrontDoor(device.port) as door:
        answer = _post_head("127.0.0.1", door.port)
    assert answer.startswith("HTTP/1.1 413"), answer[:80]


def test_the_front_door_limits_connections_per_client(device):
    with FrontDoor(device.port) as door:
        held = []
        try:
            for _ in range(40):  # whole requests waiting for their body: counted per client
                conn = socket.create_connection(("127.0.0.1", door.port), timeout=10)
                conn.sendall(b"POST /login HTTP/1.1\r\nHost: device\r\nContent-Length: 10\r\n\r\n")
                held.append(conn)
            answers = []
            for conn in held:
                conn.settimeout(0.5)
                try:
                    answers.append(conn.recv(64).decode(errors="replace"))
                except TimeoutError:
                    answers.append("")  # still held open, waiting for its body
        finally:
            for conn in held:
                conn.close()
    refused = [a for a in answers if a.startswith("HTTP/1.1 429")]
    assert len(answers) - len(refused) == 16  # limit_conn ansim_per_client 16


def test_a_phone_gets_its_alert_while_the_front_door_holds_200_slow_clients(device):
    with FrontDoor(device.port) as door:
        svc = device.app.extensions["ansim"]
        code = svc.accounts.issue_join_code(1).code
        phone = Phone(door.url).join(code, "volunteer phone")
        with SlowClients(door.port, count=200, duration_s=30) as slow:
            all_held = slow.wait_connected(timeout_s=20)
            with phone.stream() as stream:
                event = device.bus.publish("alert", severity="high",
                                           message_key="web.bench.alert",
                                           inspection_id="attack", zone="door_hook")
                arrived = stream.wait_for(event.seq, timeout_s=10)
    assert all_held and slow.peak == 200
    assert stream.status == 200 and arrived
