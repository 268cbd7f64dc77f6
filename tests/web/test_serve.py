"""``ansim serve`` as the device runs it: a real process on waitress, answering on its port,
and stopping cleanly; and the handheld's buttons it wires to the dashboard's engine."""

import json
import re
import signal
import subprocess
import sys
import urllib.request

import pytest

from ansim.cli.commands.serve import start_buttons
from detector.appliance.profile import DEFAULT_PROFILE_PATH, load_profile
from detector.engine.sites import import_sites


def test_ansim_serve_runs_the_dashboard_on_waitress(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "ansim", "serve", "--lang", "en", "--port", "0",
         "--data", str(tmp_path / "data"), "--simulate"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # printed once the socket is bound
        url = re.search(r"http://[0-9.]+:\d+/", line).group(0)
        # The one-time setup code is on the console, and only there (the data directory
        # keeps its hash).
        code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", process.stdout.readline())
        assert code and code.group(0) not in (tmp_path / "data" / "setup-code.sha256").read_text()
        with urllib.request.urlopen(url + "healthz", timeout=10) as response:
            assert response.headers["Server"] == "ansim"  # waitress, not Flask's dev server
            assert json.load(response) == {"status": "ok"}  # nothing a stranger could use
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.url.endswith("/setup")  # no default account: set up first
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


HANDHELD = '\n[handheld]\nsite_id = "S1"\ninspector = "Kim Inspector"\n'


def _profile_with_handheld(tmp_path):
    path = tmp_path / "profile.toml"
    path.write_text(DEFAULT_PROFILE_PATH.read_text(encoding="utf-8") + HANDHELD,
                    encoding="utf-8")
    return path


def test_buttons_without_a_handheld_table_are_refused_by_name(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ansim", "serve", "--lang", "en", "--port", "0", "--buttons",
         "--data", str(tmp_path / "data"), "--simulate"],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "[handheld]: missing table" in result.stderr and "default_profile.toml" in result.stderr


def test_ansim_serve_with_buttons_says_whose_inspections_they_start(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "ansim", "serve", "--lang", "en", "--port", "0", "--buttons",
         "--data", str(tmp_path / "data"), "--simulate", "--profile",
         str(_profile_with_handheld(tmp_path))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "http://" in process.stdout.readline()
        assert "setup code" in process.stdout.readline()
        line = process.stdout.readline()
        assert "S1" in line and "Kim Inspector" in line
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def _ignore_ctrl_c():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell's background job starts


@pytest.mark.parametrize("stop_signal, start", [(signal.SIGTERM, None),
                                                (signal.SIGINT, _ignore_ctrl_c)])
def test_ansim_serve_stops_cleanly_on_systemd_s_stop_and_on_ctrl_c_it_inherited_ignored(
        tmp_path, stop_signal, start):
    """systemd stops the service with SIGTERM, and a background job inherits SIGINT ignored:
    either way the server ends its streams, releases the handheld and exits 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ansim", "serve", "--lang", "en", "--port", "0", "--buttons",
         "--data", str(tmp_path / "data"), "--simulate", "--profile",
         str(_profile_with_handheld(tmp_path))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=start)
    try:
        for _ in range(3):  # the address, the setup code, the buttons' site: all set up
            assert process.stdout.readline()
    finally:
        process.send_signal(stop_signal)
        try:
            assert process.wait(timeout=30) == 0
        finally:
            process.kill()


def test_a_button_started_inspection_shows_live_on_a_phone(tmp_path, app, make_user,
                                                          mock_factory):
    """The buttons drive the dashboard's own engine, bus and step runner."""
    svc = app.extensions["ansim"]
    sites = tmp_path / "sites.csv"
    sites.write_text("id,name,stalls,schedule\nS1,Station restroom,1,daily\n", encoding="utf-8")
    import_sites(svc.inspections.store, sites)
    inspector = make_user("kim", "inspector")
    stream = inspector.client.get("/api/events", buffered=False)
    profile = load_profile(_profile_with_handheld(tmp_path))
    handheld = start_buttons(app, profile, mock_factory)
    try:
        start = mock_factory.pin(profile.pins.button_start)
        start.drive_low()
        start.drive_high()  # start acts on release: a new inspection, and its RF sweep
        assert handheld.controller.wait_idle(timeout_s=120)
    finally:
        handheld.close()
    current = inspector.client.get("/api/inspections/current").get_json()["inspection"]
    assert current["site_id"] == "S1"
    state = svc.inspections.get(current["inspection_id"])
    assert state.inspector == "Kim Inspector"
    assert [s["kind"] for s in state.steps] == ["rf_sweep", "wifi_survey"]  # the Wi-Fi survey too

    seen = []
    for chunk in stream.response:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        seen += re.findall(r"event: (\w+)\ndata: (.*)\n", text)
        if any(kind == "alert" for kind, _ in seen):  # published once the step is recorded
            break
    stream.close()
    mine = [(kind, json.loads(data)) for kind, data in seen
            if json.loads(data).get("inspection_id") == state.id]
    kinds = [kind for kind, _ in mine]
    assert kinds[0] == "inspection" and "spectrum" in kinds and "progress" in kinds
    assert any(kind == "alert" and "1200" in data["message"] for kind, data in mine)


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_outside_0_to_65535_is_refused_by_name_not_wrapped(port):
    """The socket layer took 99999 as 99999 mod 65536 and served on 34463: refused now, in
    the user's language, naming the value."""
    done = subprocess.run([sys.executable, "-m", "ansim", "serve", "--lang", "ko", "--port", port],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "65535" in done.stderr and repr(port) in done.stderr and "error" not in done.stderr
