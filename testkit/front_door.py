"""The front door (nginx from Debian, configured by ``firmware_config/nginx/ansim.conf``) run
in front of the dashboard on loopback ports, for the tests and ``ansim bench web``.

The configuration is the very file the device installs, rendered for two ports: the one nginx
listens on and the one ``ansim serve`` (here a ``ServerThread``) listens on. nginx runs as a
child process in a private directory (its own pid, logs and temporary files), in the
foreground, and is stopped when the ``with`` block ends.

Example::

    with ServerThread(app) as ansim, FrontDoor(ansim.port) as door:
        urllib.request.urlopen(door.url + "/healthz")
"""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SITE_CONF = Path(__file__).resolve().parents[1] / "firmware_config" / "nginx" / "ansim.conf"
LISTEN_LINE = "listen 80 default_server;"
UPSTREAM_LINE = "server 127.0.0.1:8080;"
START_TIMEOUT_S = 10.0

_MAIN_CONF = """\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/ansim.conf;
}}
"""


class FrontDoorError(RuntimeError):
    """nginx is missing, its configuration cannot be rendered, or it did not start."""


def render_site(listen_port: int, upstream_port: int, site_conf: Path = SITE_CONF) -> str:
    """``site_conf`` with nginx on 127.0.0.1:``listen_port`` and ansim on ``upstream_port``."""
    try:
        text = site_conf.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrontDoorError(f"{site_conf}: cannot read the front door's configuration "
                             f"({exc.strerror})") from None
    for line in (LISTEN_LINE, UPSTREAM_LINE):
        if text.count(line) != 1:
            raise FrontDoorError(f"{site_conf}: expected the line {line!r} once")
    return (text.replace(LISTEN_LINE, f"listen 127.0.0.1:{listen_port} default_server;")
            .replace(UPSTREAM_LINE, f"server 127.0.0.1:{upstream_port};"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FrontDoor:
    """nginx on a free loopback port in front of ansim on ``upstream_port``."""

    def __init__(self, upstream_port: int, site_conf: Path = SITE_CONF):
        self.nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(self.nginx).exists():
            raise FrontDoorError("nginx is not installed (Debian package nginx)")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._upstream_port = upstream_port
        self._site_conf = site_conf
        self._prefix = None
        self._process = None

    def __enter__(self):
        self._prefix = Path(tempfile.mkdtemp(prefix="ansim-front-door-"))
        self._prefix.chmod(0o755)  # nginx's workers run as nobody when started by root
        (self._prefix / "ansim.conf").write_text(
            render_site(self.port, self._upstream_port, self._site_conf), encoding="utf-8")
        conf = self._prefix / "nginx.conf"
        conf.write_text(_MAIN_CONF.format(prefix=self._prefix), encoding="utf-8")
        self._process = subprocess.Popen([self.nginx, "-p", str(self._prefix), "-c", str(conf)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        deadline_s = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline_s:
            if self._process.poll() is not None:
                error = self._process.stderr.read().decode(errors="replace")
                self._cleanup()
                raise FrontDoorError(f"nginx did not start: {error.strip()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)  # polling for nginx's socket; nginx offers no readiness signal
        self.__exit__(None, None, None)
        raise FrontDoorError(f"nginx did not listen on port {self.port} within "
                             f"{START_TIMEOUT_S:.0f} s")

    def __exit__(self, *exc_info):
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._process is not None and self._process.stderr is not None:
            self._process.stderr.close()
        if self._prefix is not None:
            shutil.rmtree(self._prefix, ignore_errors=True)
            self._prefix = None
