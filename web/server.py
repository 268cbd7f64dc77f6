"""Running the dashboard on waitress, a production-grade threaded WSGI server (pure Python,
so it runs the same on the Pi and the hub).

Each open event stream holds one waitress thread for as long as the phone stays connected, so
the pool is sized as ``max_event_streams`` (24 by default: 20 phones plus spares) plus
``REQUEST_THREADS`` for pages and API calls. The event-stream view refuses streams past its cap
(503), so pages and the API always find a free thread.

On the device, nginx is the front door (firmware_config/nginx/ansim.conf): it holds slow and
half-sent requests, which waitress cannot time out, and passes only whole ones on. Served
alone (off the Pi, or on the hub without a proxy), waitress gets every limit it has: a body
larger than ``max_request_bytes`` is refused from its Content-Length before a byte is read,
bodies up to that stay in memory (never spooled to disk), headers are capped, an idle
connection closes after ``CHANNEL_TIMEOUT_S``, and at most ``connection_limit`` are open.
"""

import signal
import threading

import waitress
from waitress import wasyncore

REQUEST_THREADS = 8
#: An idle connection (no byte either way, no request in progress) is closed after this long.
#: Streams are never idle: they write a keepalive every ``keepalive_s`` (15 s).
CHANNEL_TIMEOUT_S = 30
MAX_REQUEST_HEADER_BYTES = 32 * 1024
#: A response larger than this waits for the client to read it before the app writes on, so
#: a slow reader holds at most this much memory.
OUTBUF_HIGH_WATERMARK_BYTES = 4 * 1024 * 1024


def make_server(app, host: str, port: int):
    """A waitress server for ``app`` bound to ``host:port`` (port 0: any free port)."""
    config = app.extensions["ansim"].config
    body_limit = request_body_limit(app)
    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=config.max_event_streams + REQUEST_THREADS,
        channel_timeout=max(CHANNEL_TIMEOUT_S, int(config.keepalive_s * 2)),
        connection_limit=max(100, config.max_event_streams * 4),
        cleanup_interval=10,
        max_request_body_size=body_limit,
        max_request_header_size=MAX_REQUEST_HEADER_BYTES,
        # Bodies up to the limit stay in memory: nothing a stranger sends is written to disk.
        inbuf_overflow=body_limit + 1 if not config.hub else 1024 * 1024,
        outbuf_high_watermark=OUTBUF_HIGH_WATERMARK_BYTES,
        ident="ansim",
    )


def request_body_limit(app) -> int:
    """The largest body this app reads: its own ``max_request_bytes``, or on the hub the
    largest device upload (a batch of records, one evidence file)."""
    config = app.extensions["ansim"].config
    if config.hub:
        from web.views.hub import MAX_UPLOAD_BYTES  # noqa: PLC0415 (hub only)

        return max(config.max_request_bytes, MAX_UPLOAD_BYTES)
    return config.max_request_bytes


def server_address(server) -> tuple[str, int]:
    host, port = server.socket.getsockname()[:2]
    return host, port


def stop_on_signals() -> None:
    """Make Ctrl+C (SIGINT) and a service manager's stop (SIGTERM) raise KeyboardInterrupt in
    the main thread, so ``server.run()``'s caller stops the server (``stop``) and releases
    what it holds, then exits 0. Set whatever the process inherited: a shell's background job
    starts with SIGINT ignored, and SIGTERM's default ends the process without any of that."""
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.default_int_handler)


def stop(app, server) -> None:
    """End open streams (they check ``stopping`` at least once a second), let the worker
    threads finish, then close every channel, which ends ``server.run()``."""
    app.extensions["ansim"].stopping.set()
    server.task_dispatcher.shutdown(timeout=5)
    wasyncore.close_all(getattr(server, "map", None) or server._map)


class ServerThread:
    """The dashboard on a background thread, for tests and the benchmark.

    Example::

        with ServerThread(app) as running:
            urllib.request.urlopen(running.url + "/healthz")
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        self.server = make_server(app, host, port)
        host, self.port = server_address(self.server)
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._serve, name="ansim-web", daemon=True)

    def _serve(self):
        try:
            self.server.run()
        except OSError:
            # stop() closes the sockets under the loop's select(); only then is this expected.
            if not self.app.extensions["ansim"].stopping.is_set():
                raise

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        stop(self.app, self.server)
        self._thread.join(timeout=10)
