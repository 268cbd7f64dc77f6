"""Clients played over HTTP against a running dashboard, for the attack tests and
``ansim bench web``: phones that join or log in as a browser does and follow ``/api/events``,
and slow clients that hold connections open by trickling their requests (slowloris).

The slow clients are bounded by construction: loopback targets only, at most
``MAX_SLOW_CLIENTS``, and they stop by themselves after ``duration_s`` (at most
``MAX_DURATION_S``). Each uses its own loopback source address (127.0.1.x), so a front door's
per-client limits see them as the distinct phones they play.

Example::

    with SlowClients(port, count=200, duration_s=20) as slow:
        slow.wait_connected(timeout_s=20)
        ...   # measure something while they hold their connections
"""

import http.client
import http.cookiejar
import ipaddress
import re
import selectors
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

MAX_SLOW_CLIENTS = 1000
MAX_DURATION_S = 600.0
#: A slow client sends one more byte this often: well inside any read timeout between bytes.
TRICKLE_INTERVAL_S = 2.0
_SLOW_HEADER = b"GET / HTTP/1.1\r\nHost: device\r\nUser-Agent: slow\r\nX-Trickle: "
_SLOW_BODY = (b"POST /login HTTP/1.1\r\nHost: device\r\nContent-Type: "
              b"application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername=")


class Phone:
    """One browser: a cookie jar and the page's CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.csrf = None

    def get(self, path: str, timeout_s: float = 10.0) -> bytes:
        with self.opener.open(self.base_url + path, timeout=timeout_s) as response:
            body = response.read()
        match = re.search(rb'name="csrf-token" content="([^"]+)"', body)
        if match:
            self.csrf = match.group(1).decode()
        return body

    def post_form(self, path: str, fields: dict) -> bytes:
        data = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        with self.opener.open(self.base_url + path, data=data, timeout=10) as response:
            return response.read()

    def join(self, code: str, name: str) -> "Phone":
        self.get("/join")
        self.post_form("/join", {"code": code, "display_name": name})
        return self

    def login(self, username: str, password: str) -> "Phone":
        self.get("/login")
        self.post_form("/login", {"username": username, "password": password})
        return self

    def stream(self) -> "EventStream":
        return EventStream(self)


class EventStream(threading.Thread):
    """Holds ``/api/events`` open and notes when each event's data line arrived
    (``time.monotonic()``, comparable with ``Event.published_s``)."""

    def __init__(self, phone: Phone):
        super().__init__(daemon=True)
        self.phone = phone
        self.status = None
        self.arrivals: dict[int, float] = {}
        self._changed = threading.Condition()
        parts = urllib.parse.urlsplit(phone.base_url)
        # http.client directly, not urllib: its socket can be shut down from another thread,
        # which ends a read blocked until the next keepalive.
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def run(self):
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.phone.cookies)
        try:
            self._conn.request("GET", "/api/events", headers={"Cookie": cookie})
            response = self._conn.getresponse()
        except OSError:
            self._settle(-1)
            return
        self._settle(response.status)
        seq = None
        try:
            for raw in response:
                line = raw.decode(errors="replace").rstrip("\n")
                if line.startswith("id: "):
                    seq = int(line[4:])
                elif line.startswith("data: ") and seq is not None:
                    with self._changed:
                        self.arrivals[seq] = time.monotonic()
                        self._changed.notify_all()
        except (OSError, ValueError, http.client.HTTPException):
            pass  # closed by us, or by the server stopping

    def _settle(self, status):
        with self._changed:
            self.status = status
            self._changed.notify_all()

    def wait_open(self, timeout_s: float) -> int | None:
        with self._changed:
            self._changed.wait_for(lambda: self.status is not None, timeout=timeout_s)
            return self.status

    def wait_for(self, seq: int, timeout_s: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: seq in self.arrivals, timeout=timeout_s)

    def __enter__(self):
        self.start()
        self.wait_open(timeout_s=30)
        return self

    def __exit__(self, *exc_info):
        if self._conn.sock is not None:
            try:
                self._conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the server
        self.join(timeout=10)
        self._conn.close()


class SlowClients(threading.Thread):
    """``count`` connections to 127.0.0.1:``port`` that each send a request a byte at a time
    (half stall in their header, half in their body) and reconnect when the server drops
    them, until ``duration_s`` has passed or the ``with`` block ends."""

    def __init__(self, port: int, *, count: int, duration_s: float, host: str = "127.0.0.1"):
        super().__init__(daemon=True, name="slow-clients")
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"slow clients only against loopback, not {host}")
        if not 1 <= count <= MAX_SLOW_CLIENTS:
            raise ValueError(f"count must be 1 to {MAX_SLOW_CLIENTS}, not {count}")
        if not 0 < duration_s <= MAX_DURATION_S:
            raise ValueError(f"duration_s must be above 0 and at most {MAX_DURATION_S}")
        self.target = (host, port)
        self.count = count
        self.duration_s = duration_s
        self.dropped = 0  # connections the server closed (each then reopened)
        self.peak = 0
        self._open: dict[int, socket.socket] = {}
        self._state = threading.Condition()
        self._halt = threading.Event()
        self._selector = selectors.DefaultSelector()

    def _source(self, i: int) -> str:
        return f"127.0.1.{1 + i % 250}" if i < 250 else f"127.0.2.{1 + (i - 250) % 250}"

    def _connect(self, i: int) -> None:
        try:
            conn = socket.create_connection(self.target, timeout=5,
                                            source_address=(self._source(i), 0))
            conn.sendall(_SLOW_HEADER if i % 2 == 0 else _SLOW_BODY)
        except OSError:
            return
        conn.setblocking(False)
        self._selector.register(conn, selectors.EVENT_READ, i)
        with self._state:
            self._open[i] = conn
            self.peak = max(self.peak, len(self._open))
            self._state.notify_all()

    def _drop(self, i: int) -> None:
        conn = self._open.pop(i, None)
        if conn is not None:
            self._selector.unregister(conn)
            conn.close()

    def run(self):
        deadline_s = time.monotonic() + self.duration_s
        for i in range(self.count):
            if self._halt.is_set():
                break
            self._connect(i)
        next_trickle_s = time.monotonic() + TRICKLE_INTERVAL_S
        while not self._halt.is_set() and time.monotonic() < deadline_s:
            timeout_s = max(0.0, min(next_trickle_s, deadline_s) - time.monotonic())
            for key, _ in self._selector.select(timeout=timeout_s):
                self._on_readable(key.fileobj, key.data)
            if time.monotonic() >= next_trickle_s:
                self._trickle()
                next_trickle_s += TRICKLE_INTERVAL_S
        with self._state:
            for i in list(self._open):
                self._drop(i)
            self._state.notify_all()
        self._selector.close()

    def _on_readable(self, conn, i) -> None:
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        # Any answer (a 408, a 400) or a close means the server let this client go.
        if not data or data.startswith(b"HTTP/"):
            with self._state:
                self._drop(i)
                self.dropped += 1
            self._connect(i)

    def _trickle(self) -> None:
        for i, conn in list(self._open.items()):
            try:
                conn.send(b"a")
            except OSError:
                with self._state:
                    self._drop(i)
                    self.dropped += 1
                self._connect(i)

    def open_count(self) -> int:
        with self._state:
            return len(self._open)

    def wait_connected(self, timeout_s: float) -> bool:
        """True once all ``count`` are connected at the same time."""
        with self._state:
            return self._state.wait_for(lambda: len(self._open) >= self.count,
                                        timeout=timeout_s)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self._halt.set()
        self.join(timeout=30)
