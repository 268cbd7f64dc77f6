"""``ansim bench web [--json]``: the dashboard's figures, measured on the real server.

The dashboard runs on waitress (as ``ansim serve`` runs it) on 127.0.0.1, with phones played by
HTTP clients that log in or join the way a browser does:

1. **Alert latency**: ``--clients`` volunteers (20: a busy day's crowd) hold ``/api/events``
   open while the engine publishes spectra at 20 Hz (what a sweep produces) and alerts at
   random moments (every fourth phone is an inspector's, who also gets the spectra);
   latency is from the alert's publication on the event bus to its last byte
   arriving at each phone. Target: p95 < 500 ms.
2. **Serving under load**: while those streams are open, an inspector keeps loading pages and
   calling the API; every request must succeed, and we report its p95.
3. **Slow clients at the front door**: nginx (Debian's, with the very configuration
   ``firmware_config/nginx/ansim.conf`` installs, rendered for loopback ports) in front of the
   dashboard; ``--slow-clients`` (200) connections from distinct loopback addresses trickle
   their requests a byte at a time (half stall in the header, half in the body) and reconnect
   when dropped, while phones joined through the front door receive alerts.
   ``slow_clients_held`` is the fewest slow connections open at any alert's publication;
   ``alert_p95_ms_under_slow_clients`` the phones' p95 latency meanwhile. Target: 200 held,
   p95 < 500 ms.
4. **Page weight**: each main page's first load (HTML plus every stylesheet, script, image,
   icon and manifest it references, plus the API data the page fetches as it opens),
   uncompressed. The inspection and record pages are measured on a real inspection of the
   simulated restroom (RF sweep done, signed off). Target: < 300 KB each.
"""

import html.parser
import http.cookiejar
import json
import random
import re
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from detector.engine.events import EventBus
from detector.i18n import t

ALERT_TARGET_P95_S = 0.5
SLOW_CLIENTS_TARGET = 200
SLOW_PHONES = 4
SLOW_CLIENTS_MAX_S = 90.0  # the slow clients stop by themselves after this, whatever happens
PAGE_TARGET_BYTES = 300 * 1024
SPECTRUM_RATE_HZ = 20.0
SPECTRUM_BINS = 1024
PASSWORD = "benchmark password"


def add_arguments(parser):
    parser.add_argument("--clients", type=int, default=20, help=t("bench.arg.web.clients"))
    parser.add_argument("--alerts", type=int, default=40, help=t("bench.arg.web.alerts"))
    parser.add_argument("--slow-clients", type=int, default=SLOW_CLIENTS_TARGET,
                        help=t("bench.arg.web.slow_clients"))
    parser.add_argument("--seed", type=int, default=1, help=t("bench.arg.seed", default=1))


def run(args) -> int:
    from web import create_app  # noqa: PLC0415
    from web.server import ServerThread  # noqa: PLC0415

    rng = random.Random(args.seed)
    bus = EventBus()
    with tempfile.TemporaryDirectory(prefix="ansim-bench-web-") as data_dir:
        app = create_app({"data_dir": data_dir, "simulate": True}, bus=bus)
        _make_accounts(app)
        inspection_id = _signed_inspection(app, Path(data_dir))
        with ServerThread(app) as server:
            pages = measure_page_weights(server.url, inspection_id)
            streams = measure_streams(server.url, app, bus, args.clients, args.alerts, rng)
    slow = measure_slow_clients(args.slow_clients, args.alerts, rng)
    results = {"clients": args.clients, **streams, **slow, "pages": pages,
               "targets": {"alert_p95_s": ALERT_TARGET_P95_S, "page_bytes": PAGE_TARGET_BYTES,
                           "slow_clients_held": SLOW_CLIENTS_TARGET}}
    results["met"] = {
        "alert_latency": streams["alert_p95_s"] < ALERT_TARGET_P95_S and streams["missed"] == 0,
        "page_weight": all(p["bytes"] < PAGE_TARGET_BYTES for p in pages.values()),
        "serving_under_load": streams["requests_failed"] == 0,
        "front_door": (slow["slow_clients_held"] >= SLOW_CLIENTS_TARGET
                       and slow["alert_p95_ms_under_slow_clients"] < ALERT_TARGET_P95_S * 1000
                       and slow["alerts_missed_under_slow_clients"] == 0),
    }
    print(json.dumps(results) if args.json else "\n".join(_human(results)))
    return 0 if all(results["met"].values()) else 1


def _human(r) -> list[str]:
    lines = [
        f"alert latency to {r['clients']} phones: p50 {r['alert_p50_s'] * 1000:.1f} ms, "
        f"p95 {r['alert_p95_s'] * 1000:.1f} ms, max {r['alert_max_s'] * 1000:.1f} ms "
        f"over {r['deliveries']} deliveries, {r['missed']} missed (target p95 < 500 ms)",
        f"spectrum updates per inspector's phone: {r['spectra_per_inspector_per_s']:.1f}/s "
        f"(published {SPECTRUM_RATE_HZ:.0f}/s, throttled per client; volunteers get none)",
        f"requests while {r['clients']} streams open: {r['requests_ok']} ok, "
        f"{r['requests_failed']} failed, p95 {r['request_p95_s'] * 1000:.1f} ms",
        f"streams past the cap refused with 503: {r['refused_past_cap']}",
        f"front door (nginx) holding {r['slow_clients_held']} slow clients "
        f"(peak {r['slow_clients_peak']}, {r['slow_clients_dropped']} dropped and reopened): "
        f"alerts to {SLOW_PHONES} phones p95 {r['alert_p95_ms_under_slow_clients']:.1f} ms, "
        f"{r['alerts_missed_under_slow_clients']} missed "
        f"(target {SLOW_CLIENTS_TARGET} held, p95 < 500 ms)",
    ]
    for path, page in r["pages"].items():
        lines.append(f"first load {path}: {page['bytes'] / 1024:.1f} KB in {page['files']} files "
                     "(target < 300 KB)")
    lines.append("targets met: " + ", ".join(f"{k}={v}" for k, v in r["met"].items()))
    return lines


# -- accounts and clients ---------------------------------------------------------------------
def _make_accounts(app):
    accounts = app.extensions["ansim"].accounts
    admin = accounts.create_first_admin("admin", PASSWORD, "Bench Admin")
    accounts.create_user("inspector", PASSWORD, "inspector", "Bench Inspector")
    accounts.create_user("supervisor", PASSWORD, "supervisor", "Bench Supervisor")
    app.extensions["ansim"].bench_join_code = accounts.issue_join_code(admin.id).code


def _signed_inspection(app, data_dir: Path) -> str:
    """One inspection of the simulated restroom: RF sweep, a mark, verdict, sign-off."""
    from detector.engine.sites import import_sites  # noqa: PLC0415

    service = app.extensions["ansim"].inspections
    sites = data_dir / "sites.csv"
    sites.write_text("id,name,stalls,schedule\nB1,Bench restroom,1,daily\n", encoding="utf-8")
    import_sites(service.store, sites)
    state = service.start("B1", "Bench Inspector")
    service.run_rf_step(state.id)
    service.mark(state.id, 1, "door_hook", "suspicious")
    service.set_verdict(state.id, "found", {"notified": "bench", "report_ref": "B-1"})
    service.sign_off(state.id, "Bench Inspector")
    return state.id


class Phone:
    """One browser: a cookie jar and the page's CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = None

    def get(self, path: str, timeout_s: float = 10.0):
        response = self.opener.open(self.base_url + path, timeout=timeout_s)
        body = response.read()
        match = re.search(rb'name="csrf-token" content="([^"]+)"', body)
        if match:
            self.csrf = match.group(1).decode()
        return response, body

    def post_form(self, path: str, fields: dict):
        data = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self.opener.open(self.base_url + path, data=data, timeout=10).read()

    def login(self, username: str) -> "Phone":
        self.get("/login")
        self.post_form("/login", {"username": username, "password": PASSWORD})
        return self

    def join(self, code: str, name: str) -> "Phone":
        self.get("/join")
        self.post_form("/join", {"code": code, "display_name": name})
        return self


class StreamReader(threading.Thread):
    """Holds one ``/api/events`` stream open and notes when each event's last line arrived."""

    def __init__(self, phone: Phone):
        super().__init__(daemon=True)
        self.phone = phone
        self.connected = threading.Event()
        self.arrivals: dict[int, tuple[str, float]] = {}
        self.status = None

    def run(self):
        try:
            response = self.phone.opener.open(self.phone.base_url + "/api/events", timeout=30)
        except urllib.error.HTTPError as exc:
            self.status = exc.code
            self.connected.set()
            return
        self.status = response.status
        seq, kind = None, None
        try:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line == ": connected":
                    self.connected.set()
                elif line.startswith("id: "):
                    seq = int(line[4:])
                elif line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and seq is not None:
                    self.arrivals[seq] = (kind, time.monotonic())
        except (OSError, ValueError):
            pass  # the server closed the stream at the end of the run


# -- measurements -----------------------------------------------------------------------------
def measure_streams(base_url, app, bus, n_clients, n_alerts, rng) -> dict:
    code = app.extensions["ansim"].bench_join_code
    # Most phones are volunteers'; every fourth is an inspector's, which also gets spectra.
    readers = [StreamReader(Phone(base_url).login("inspector") if i % 4 == 3
                            else Phone(base_url).join(code, f"volunteer {i}"))
               for i in range(n_clients)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.connected.wait(10)

    stop = threading.Event()
    published: dict[int, float] = {}
    spectra = threading.Thread(target=_publish_spectra, args=(bus, stop, rng.randrange(2**31)),
                               daemon=True)
    load = RequestLoad(Phone(base_url).login("inspector"), stop)
    spectra.start()
    load.start()
    started_s = time.monotonic()
    for i in range(n_alerts):
        time.sleep(rng.uniform(0.05, 0.2))
        event = bus.publish("alert", severity="high", message_key="web.bench.alert",
                            inspection_id="bench", zone="door_hook", alert_id=i)
        published[event.seq] = event.published_s
    _wait_for_deliveries(readers, published, timeout_s=5.0)
    stop.set()
    spectra.join()
    load.join()
    elapsed_s = time.monotonic() - started_s

    latencies, missed = [], 0
    for reader in readers:
        for seq, published_s in published.items():
            arrival = reader.arrivals.get(seq)
            if arrival is None:
                missed += 1
            else:
                latencies.append(arrival[1] - published_s)
    refused = _streams_refused_past_cap(base_url, code, app)
    spectra_seen = [sum(1 for kind, _ in r.arrivals.values() if kind == "spectrum")
                    for i, r in enumerate(readers) if i % 4 == 3]
    return {
        "deliveries": len(latencies),
        "missed": missed,
        "alert_p50_s": float(np.percentile(latencies, 50)) if latencies else float("nan"),
        "alert_p95_s": float(np.percentile(latencies, 95)) if latencies else float("nan"),
        "alert_max_s": max(latencies) if latencies else float("nan"),
        "spectra_per_inspector_per_s": statistics.mean(spectra_seen or [0]) / elapsed_s,
        "requests_ok": load.ok,
        "requests_failed": load.failed,
        "request_p95_s": float(np.percentile(load.latencies, 95)) if load.latencies else 0.0,
        "refused_past_cap": refused,
    }


def measure_slow_clients(n_slow, n_alerts, rng) -> dict:
    """Alerts to phones behind the front door while it holds ``n_slow`` slow clients (on a
    dashboard of its own, so no stream of the other measurements takes a phone's slot)."""
    from web import create_app  # noqa: PLC0415
    from web.server import ServerThread  # noqa: PLC0415

    bus = EventBus()
    with tempfile.TemporaryDirectory(prefix="ansim-bench-door-") as data_dir, \
            ServerThread(create_app({"data_dir": data_dir, "simulate": True},
                                    bus=bus)) as server:
        _make_accounts(server.app)
        return _alerts_behind_the_door(server, bus, n_slow, n_alerts, rng)


def _alerts_behind_the_door(server, bus, n_slow, n_alerts, rng) -> dict:
    from testkit.front_door import FrontDoor  # noqa: PLC0415
    from testkit.loadgen import Phone as DoorPhone  # noqa: PLC0415
    from testkit.loadgen import SlowClients  # noqa: PLC0415

    code = server.app.extensions["ansim"].bench_join_code
    latencies, missed, held = [], 0, []
    with FrontDoor(server.port) as door, \
            SlowClients(door.port, count=n_slow, duration_s=SLOW_CLIENTS_MAX_S) as slow:
        slow.wait_connected(timeout_s=30)
        phones = [DoorPhone(door.url).join(code, f"door phone {i}").stream()
                  for i in range(SLOW_PHONES)]
        for phone in phones:
            phone.__enter__()
        try:
            published = {}
            for i in range(n_alerts):
                time.sleep(rng.uniform(0.05, 0.2))
                event = bus.publish("alert", severity="high", message_key="web.bench.alert",
                                    inspection_id="bench", zone="door_hook", alert_id=i)
                published[event.seq] = event.published_s
                held.append(slow.open_count())
            last = max(published)
            for phone in phones:
                phone.wait_for(last, timeout_s=5.0)
            for phone in phones:
                for seq, published_s in published.items():
                    if seq in phone.arrivals:
                        latencies.append(phone.arrivals[seq] - published_s)
                    else:
                        missed += 1
        finally:
            for phone in phones:
                phone.__exit__(None, None, None)
    return {
        "slow_clients": n_slow,
        "slow_clients_held": min(held) if held else 0,
        "slow_clients_peak": slow.peak,
        "slow_clients_dropped": slow.dropped,
        "alert_p95_ms_under_slow_clients":
            float(np.percentile(latencies, 95)) * 1000 if latencies else float("nan"),
        "alerts_missed_under_slow_clients": missed,
    }


def _streams_refused_past_cap(base_url, code, app) -> int:
    """Open streams until the cap, plus two: the two past it must get 503."""
    svc = app.extensions["ansim"]
    extra = svc.config.max_event_streams - svc.streams.open_count
    # Staff, whom only the cap itself refuses (volunteers meet their share first).
    holders = [StreamReader(Phone(base_url).login("inspector")) for _ in range(extra + 2)]
    for holder in holders:
        holder.start()
        holder.connected.wait(10)
    return sum(1 for h in holders if h.status == 503)


def _publish_spectra(bus, stop, seed):
    rng = np.random.default_rng(seed)
    freqs_hz = np.linspace(1.1e9, 1.3e9, SPECTRUM_BINS)
    while not stop.wait(1.0 / SPECTRUM_RATE_HZ):
        power_db = -90 + 3 * rng.standard_normal(SPECTRUM_BINS)
        bus.publish("spectrum", start_hz=float(freqs_hz[0]), stop_hz=float(freqs_hz[-1]),
                    power_db=np.round(power_db, 1).tolist())


class RequestLoad(threading.Thread):
    """An inspector using the pages and the API while the phones stream."""

    PATHS = ("/healthz", "/", "/api/session", "/volunteers", "/static/style.css")

    def __init__(self, phone: Phone, stop: threading.Event):
        super().__init__(daemon=True)
        self.phone, self.stop = phone, stop
        self.ok = self.failed = 0
        self.latencies: list[float] = []

    def run(self):
        while not self.stop.is_set():
            for path in self.PATHS:
                start_s = time.monotonic()
                try:
                    response, _ = self.phone.get(path, timeout_s=5)
                    success = response.status == 200
                except (OSError, urllib.error.HTTPError):
                    success = False
                self.latencies.append(time.monotonic() - start_s)
                self.ok += success
                self.failed += not success


def _wait_for_deliveries(readers, published, timeout_s):
    deadline_s = time.monotonic() + timeout_s
    while time.monotonic() < deadline_s:
        if all(seq in r.arrivals for r in readers for seq in published):
            return
        time.sleep(0.05)


# -- page weight ------------------------------------------------------------------------------
def main_pages(inspection_id: str) -> dict:
    """Who opens which page, and the API data each page fetches as it opens."""
    return {
        "admin": {"/login": [], "/join": [], "/": ["/api/inspections/current", "/api/worklist"],
                  "/volunteers": [], "/admin": []},
        "inspector": {f"/inspections/{inspection_id}": [
            f"/api/inspections/{inspection_id}", f"/api/inspections/{inspection_id}/spectrum"]},
        "supervisor": {"/log": ["/api/log", "/api/sites"], "/coverage": ["/api/coverage"],
                       f"/log/{inspection_id}": [f"/api/log/{inspection_id}"]},
    }


class _AssetFinder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])


def measure_page_weights(base_url, inspection_id) -> dict:
    weights = {}
    for role, pages in main_pages(inspection_id).items():
        phone = Phone(base_url).login(role)
        for path, data_paths in pages.items():
            anonymous = path in ("/login", "/join")
            key = path.replace(inspection_id, "<id>")
            weights[key] = page_weight(Phone(base_url) if anonymous else phone, path, data_paths)
    return weights


def page_weight(phone: Phone, path: str, data_paths=()) -> dict:
    _, body = phone.get(path)
    finder = _AssetFinder()
    finder.feed(body.decode("utf-8"))
    total, files = len(body), 1
    for asset in dict.fromkeys(finder.assets):
        if urllib.parse.urlsplit(asset).netloc:
            raise AssertionError(f"{path} loads {asset} from another host")
        _, asset_body = phone.get(asset)
        total += len(asset_body)
        files += 1
    for data_path in data_paths:
        _, data = phone.get(data_path)
        total += len(data)
        files += 1
    return {"bytes": total, "files": files}

