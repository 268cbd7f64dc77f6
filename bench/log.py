"""``ansim bench log``: list, filter and export times on a busy device's log.

A busy device inspects 100 restrooms a day for 5 years: 182,500 signed, hash-chained records,
built here with the log's own sealing code (real canonical JSON, SHA-256 chain and Ed25519
signatures, bodies shaped like real inspections: an RF sweep, eight optical scans, eight
checklist marks, alerts and evidence references on the few that found something) and bulk
inserts, then cached in the temp directory so later runs measure at once.

Each timed query runs five times on the cached log and the median is printed (the
information-only ones run once). The target is under one
second for listing, filtering and exporting (a month, a site, or everything as CSV). Exporting
every record with its full signed body as JSON (hundreds of megabytes) and verifying all of them
are printed too, for information.
"""

import io
import json
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from detector.engine import checklist
from detector.i18n import t
from detector.log import records
from detector.log.logquery import LogFilter, export_csv, export_json, list_records
from detector.log.signing import DeviceKey
from detector.log.storage import DB_FILENAME, open_store
from detector.log.storage.models import Record, Site
from detector.log.verify import verify_log
from detector.timestamps import format_utc

TARGET_S = 1.0
REPEATS = 5
SITES = 200
INSPECTORS = 30
CHUNK = 5000
CACHE_VERSION = 3
KST = timezone(timedelta(hours=9))


def add_arguments(parser):
    parser.add_argument("--per-day", type=int, default=100, help=t("bench.arg.log.per_day"))
    parser.add_argument("--years", type=int, default=5, help=t("bench.arg.log.years"))
    parser.add_argument("--rebuild", action="store_true", help=t("bench.arg.log.rebuild"))
    parser.add_argument("--verify", action="store_true",
                        help=t("bench.arg.log.verify"))


def run(args) -> int:
    days = 365 * args.years
    total = days * args.per_day
    cache = Path(tempfile.gettempdir()) / f"ansim-bench-log-v{CACHE_VERSION}-{total}"
    build_s = _ensure_log(cache, args.per_day, days, args.rebuild, quiet=args.json)
    with open_store(cache / DB_FILENAME, write=False) as store:
        timings = _measure(store, args.years, args.verify)
    slow = [name for name, seconds, _, _, counted in timings if counted and seconds >= TARGET_S]
    if args.json:
        print(json.dumps({"records": total, "build_s": build_s, "target_s": TARGET_S,
                          "timings": [{"name": n, "seconds": s, "cpu_seconds": cpu, "rows": r,
                                       "target": c} for n, s, cpu, r, c in timings],
                          "slow": slow}))
    else:
        for name, seconds, cpu_s, rows, counted in timings:
            mark = "" if counted else "  (information)"
            print(t("log.bench.timing", name=name, seconds=f"{seconds:.3f}",
                    cpu_seconds=f"{cpu_s:.3f}", rows=rows) + mark)
        print(t("log.bench.verdict_fail", limit=TARGET_S, names=", ".join(slow)) if slow
              else t("log.bench.verdict_pass", limit=TARGET_S))
    return 1 if slow else 0


# -- building the log ------------------------------------------------------------------------

def _ensure_log(cache: Path, per_day: int, days: int, rebuild: bool, quiet: bool):
    """Build the log unless a complete one is cached; the build time, or None if cached."""
    marker = cache / "complete"
    total = per_day * days
    if marker.exists() and not rebuild:
        if not quiet:
            print(t("log.bench.cached", path=cache, records=total))
        # A log cached by an older ansim is brought up to the current schema, as a device's is.
        open_store(cache / DB_FILENAME, write=True).close()
        return None
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    if not quiet:
        print(t("log.bench.building", records=total, path=cache))
    started = time.perf_counter()
    key = DeviceKey.load_or_create(cache)
    with open_store(cache / DB_FILENAME, write=True) as store:
        _add_sites(store)
        generator = _Contents(random.Random(5), per_day, days)
        for start in range(0, total, CHUNK):
            contents = [generator.content(i) for i in range(start, min(start + CHUNK, total))]
            with store.write() as session:
                records.append_many(session, key, contents, contents[-1]["signed_at"])
    marker.write_text(str(total))
    build_s = time.perf_counter() - started
    if not quiet:
        print(t("log.bench.built", seconds=f"{build_s:.1f}"))
    return build_s


def _add_sites(store) -> None:
    with store.write() as session:
        for i in range(SITES):
            session.add(Site(id=f"site-{i:03d}", name=f"Public restroom {i:03d}",
                             address=f"Seoul, district {i % 25}", stalls=1 + i % 4,
                             updated_at="2021-01-01T00:00:00.000000Z"))


class _Contents:
    """Plausible inspection bodies, 100 a day (08:00-18:00 Seoul time) for ``days`` days."""

    def __init__(self, rng: random.Random, per_day: int, days: int):
        self.rng, self.per_day = rng, per_day
        self.first_day = datetime(2021, 1, 1, 8, tzinfo=KST)
        self.spacing_s = 10 * 3600 / per_day
        self.rf_step = {"kind": "rf_sweep", "duration_s": 14.2, "comparison": None, "emitters": [
            {"freq_hz": f, "bandwidth_hz": b, "power_db": p, "kind": "broadcast",
             "video_standard": None, "line_rate_hz": None, "confidence": 0.95}
            for f, b, p in ((95.9e6, 2e5, -41.2), (183.008e6, 1.536e6, -52.7),
                            (575e6, 5.6e6, -47.9), (874e6, 1e7, -55.1))]}
        self.optical = [{"kind": "optical_scan", "stall": 1, "zone": zone, "n_frames": 48,
                         "code": "on-off-off-on", "findings": [], "proximity": [],
                         "evidence": []} for zone in checklist.ITEMS]

    def content(self, i: int) -> dict:
        rng = self.rng
        day, slot = divmod(i, self.per_day)
        started = self.first_day + timedelta(days=day, seconds=slot * self.spacing_s)
        verdict = rng.choices(("clear", "suspicious", "found"), (0.97, 0.025, 0.005))[0]
        spectrum = {"sha256": f"{rng.getrandbits(256):064x}", "kind": "spectrum.csv.gz",
                    "media_type": "application/gzip", "size_bytes": 423152}
        alerts = [] if verdict == "clear" else [_alert(rng, verdict)]
        site = rng.randrange(SITES)
        return {
            "type": "inspection", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "status": "signed_off",
            "site": {"id": f"site-{site:03d}", "name": f"Public restroom {site:03d}",
                     "address": f"Seoul, district {site % 25}", "lat": None, "lon": None},
            "inspector": f"Inspector {rng.randrange(INSPECTORS):02d}",
            "signed_by": "Supervisor", "started_at": format_utc(started), "stalls": 1,
            "steps": [{**self.rf_step, "evidence": [spectrum]}, *self.optical],
            "checklist": [{"stall": 1, "item": item, "status": "checked", "note": "",
                           "marked_at": format_utc(started + timedelta(seconds=30 + 20 * k))}
                          for k, item in enumerate(checklist.ITEMS)],
            "alerts": alerts, "coverage": {"rf_swept": True, "complete": True,
                                           "missing_scans": [], "missing_marks": [],
                                           "suspicious_marks": []},
            "verdict": verdict, "proposed_verdict": None,
            "escalation": {"notified": "local police"} if verdict == "found" else None,
            "evidence": [spectrum, *[{"sha256": e, "kind": "lens_crop", "media_type":
                                      "image/png", "size_bytes": 2100}
                                     for a in alerts for e in a["evidence"]]],
            "software": "ansim 0.1.0",
            "signed_at": format_utc(started + timedelta(minutes=6)),
        }


def _alert(rng, verdict) -> dict:
    return {"id": "optics:1:vent:0", "type": "lens", "severity": "high",
            "confirmed": verdict == "found", "message_key": "inspect.alert.lens",
            "evidence": [f"{rng.getrandbits(256):064x}"], "replaces": [], "stall": 1,
            "zone": "vent", "confidence": 0.8}


# -- measuring -------------------------------------------------------------------------------

def _median_s(action, repeats: int) -> tuple[float, float, int]:
    """Median wall-clock and CPU seconds of ``action`` (CPU time shows what is this process's
    own work when other processes share the cores), and the rows it handled."""
    wall, cpu, rows = [], [], 0
    for _ in range(repeats):
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        rows = action()
        wall.append(time.perf_counter() - started_wall)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), rows


def _measure(store, years: int, with_verify: bool) -> list[tuple]:
    """(name, wall s, CPU s, rows, counts towards the target) for each query."""
    with store.read() as session:
        newest = session.scalar(select(func.max(Record.signed_at)))
        middle = session.execute(select(Record.signed_at, Record.id)
                                 .order_by(Record.signed_at).offset(
                                     session.scalar(select(func.count(Record.id))) // 2)
                                 .limit(1)).one()
    month_start = (datetime.fromisoformat(newest.replace("Z", "+00:00"))
                   - timedelta(days=30))
    month = LogFilter(since=format_utc(month_start))
    site = LogFilter(site_id="site-042")

    def page(log_filter, limit=50, before=None):
        return lambda: len(list_records(store, log_filter, limit=limit, before=before)[0])

    def export(writer, log_filter, to_null=False):
        def go():
            if to_null:
                with open(os.devnull, "w", encoding="utf-8") as out:
                    return writer(store, log_filter, out)
            return writer(store, log_filter, io.StringIO())
        return go

    plan = [
        ("list: newest page (50)", page(LogFilter()), True),
        (f"list: a page {years / 2:g} years back (cursor)",
         page(LogFilter(), before=f"{middle[0]}|{middle[1]}"), True),
        ("filter: one site, newest page", page(site), True),
        (f"filter: every 'found' in {years} years", page(LogFilter(verdict="found"), 10_000),
         True),
        ("filter: last 30 days, all rows", page(month, 10_000), True),
        ("filter: one site, all rows", page(site, 10_000), True),
        ("export CSV: last 30 days", export(export_csv, month), True),
        ("export JSON (signed bodies): last 30 days", export(export_json, month), True),
        (f"export CSV: one site, {years} years", export(export_csv, site), True),
        ("export CSV: the whole log", export(export_csv, LogFilter(), True), True),
        ("export JSON (signed bodies): the whole log", export(export_json, LogFilter(), True),
         False),
    ]
    timings = []
    for name, action, counted in plan:
        seconds, cpu_s, rows = _median_s(action, REPEATS if counted else 1)
        timings.append((name, seconds, cpu_s, rows, counted))
    if with_verify:
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        report = verify_log(store)
        timings.append(("verify: every hash, link and signature",
                        time.perf_counter() - started_wall, time.process_time() - started_cpu,
                        report.records_checked, False))
    return timings
