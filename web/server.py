"""Running the dashboard on waitress, a production-grade threaded WSGI server (pure Python,
so it runs the same on the Pi and the hub).

Each open event stream holds one waitress thread for as long as the phone stays connected, so
the pool is sized as ``max_event_streams`` (24 by default: 20 phones plus spares) plus
``REQUEST_THREADS`` for pages and API calls. The event-stream view refuses streams past its cap
(503), so pages and the API always find a free thread.
"""

import threading

import waitress
from waitress import wasyncore

REQUEST_THREADS = 8


def make_server(app, host: str, port: int):
    """A waitress server for ``app`` bound to ``host:port`` (port 0: any free port)."""
    svc = app.extensions["ansim"]
    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=svc.config.max_event_streams + REQUEST_THREADS,
        # Streams write a keepalive at least every keepalive_s; a silent channel is dead.
        channel_timeout=max(60, int(svc.config.keepalive_s * 4)),
        connection_limit=max(100, svc.config.max_event_streams * 4),
        ident="ansim",
    )


def server_address(server) -> tuple[str, int]:
    host, port = server.socket.getsockname()[:2]
    return host, port


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
        host, port = server_address(self.server)
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self.server.run, name="ansim-web", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        stop(self.app, self.server)
        self._thread.join(timeout=10)
