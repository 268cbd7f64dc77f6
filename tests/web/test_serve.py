"""``ansim serve`` as the device runs it: a real process on waitress, answering on its port,
and stopping cleanly."""

import json
import re
import signal
import subprocess
import sys
import urllib.request


def test_ansim_serve_runs_the_dashboard_on_waitress(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "detector", "serve", "--lang", "en", "--port", "0",
         "--data", str(tmp_path / "data"), "--simulate"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # printed once the socket is bound
        url = re.search(r"http://[0-9.]+:\d+/", line).group(0)
        with urllib.request.urlopen(url + "healthz", timeout=10) as response:
            assert response.headers["Server"] == "ansim"  # waitress, not Flask's dev server
            assert json.load(response) == {"status": "ok", "setup_needed": True,
                                           "open_streams": 0}
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.url.endswith("/setup")  # no default account: set up first
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
