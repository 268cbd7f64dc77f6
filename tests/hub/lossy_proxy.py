"""A real HTTP proxy in front of the hub that loses chosen answers: the request reaches the
hub (which commits it), then the proxy closes the device's connection without a reply, as a
mobile network dropping mid-response does. Used to prove an upload whose acknowledgement
never arrived is neither lost nor duplicated."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class LossyProxy:
    """``with LossyProxy(upstream_url, lose=lambda method, path, n: ...) as proxy``: requests to
    ``proxy.url`` go to the hub; ``lose(method, path, n)`` (n counts requests of that method
    and path, from 1) says whether to drop the answer."""

    def __init__(self, upstream_url: str, lose):
        upstream = urlsplit(upstream_url)
        counts: dict[tuple[str, str], int] = {}
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                with lock:
                    key = (self.command, self.path.split("?")[0])
                    counts[key] = counts.get(key, 0) + 1
                    n = counts[key]
                if lose(self.command, key[1], n):
                    self.close_connection = True
                    return  # the hub has answered; the device never hears it
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _forward

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
