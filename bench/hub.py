"""``ansim bench hub``: how fast the city hub takes in devices' signed records.

Several devices (5 by default), each with its own key and SQLite log holding 1,000 signed,
hash-chained inspection records shaped like real ones (``bench.log``'s bodies: an RF sweep,
eight optical scans, eight checklist marks, alerts on the few that found something), sync at
once to the hub: the real app on PostgreSQL, served by waitress on 127.0.0.1, through the
device's own client (``detector.hub.sync.sync_log``, urllib, batches of 100). The hub checks each
record's hash, signature and chain link and commits each batch.

Printed: records per second over the whole upload (wall clock, from the first request to the
last acknowledgement), then the time of an idempotent re-run (nothing left to send) and of
resending every record (all acknowledged as duplicates). Then the city coverage views at a
city's scale (``bench.hub_coverage``: 20,554 restrooms, a year of daily inspections). With no ``--db`` a throwaway
PostgreSQL server is started (fsync on); a given ``--db`` should be a scratch database.
"""

import json
import random
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

from bench import hub_coverage
from bench.log import _Contents
from detector.hub.devices import enrol_device
from detector.hub.sync import HubClient, sync_log
from detector.i18n import t
from detector.log import records
from detector.log.signing import DeviceKey
from detector.log.storage import DB_FILENAME, open_store
from detector.log.storage.models import RECORD_BODY, Record, RecordBody
from testkit.postgres import temporary_server
from web import create_app
from web.server import ServerThread


def add_arguments(parser):
    parser.add_argument("--db", metavar="URL", help=t("bench.arg.hub.db"))
    parser.add_argument("--records", type=int, default=5000, help=t("bench.arg.hub.records"))
    parser.add_argument("--devices", type=int, default=5, help=t("bench.arg.hub.devices"))
    parser.add_argument("--batch", type=int, default=100, help=t("bench.arg.hub.batch"))
    hub_coverage.add_arguments(parser)


def run(args) -> int:
    with tempfile.TemporaryDirectory(prefix="ansim-bench-hub-") as scratch:
        devices = _build_devices(Path(scratch), args.devices, args.records)
        if args.db:
            figures = _measure(args.db, Path(scratch) / "hub", devices, args.batch)
            server = args.db.rsplit("/", 1)[0]
            if args.city_sites:
                figures.update(hub_coverage.measure(server, args.city_sites, args.city_days))
        else:
            with temporary_server() as server:
                figures = _measure(f"{server}/postgres", Path(scratch) / "hub", devices, args.batch)
                if args.city_sites:
                    figures.update(hub_coverage.measure(server, args.city_sites, args.city_days))
    if args.json:
        print(json.dumps(figures))
    else:
        print(t("hub.bench.upload", records=figures["records"], devices=figures["devices"],
                seconds=f"{figures['upload_s']:.2f}",
                rate=f"{figures['records_per_s']:.0f}"))
        print(t("hub.bench.rerun", seconds=f"{figures['rerun_s']:.2f}"))
        print(t("hub.bench.resend", records=figures["records"],
                seconds=f"{figures['resend_s']:.2f}",
                rate=f"{figures['resend_records_per_s']:.0f}"))
        if "coverage_city_view_s" in figures:
            print(t("city.bench", sites=figures["city_sites"], rows=figures["coverage_rows"],
                    load=figures["city_load_s"], city=f"{figures['coverage_city_view_s']:.3f}",
                    district=f"{figures['coverage_district_view_s']:.3f}",
                    district_sites=figures["coverage_district_sites"]))
            print(t("city.bench_intake", sites=figures["city_sites"],
                    seconds=figures["coverage_intake_day_s"],
                    per_record=figures["coverage_intake_per_record_ms"],
                    cold=f"{figures['coverage_city_view_cold_s']:.3f}"))
    return 0


def _build_devices(root: Path, n_devices: int, n_records: int) -> list[Path]:
    """``n_devices`` data directories sharing ``n_records`` signed records between them."""
    per_device = n_records // n_devices
    dirs = []
    for d in range(n_devices):
        data_dir = root / f"device-{d}"
        data_dir.mkdir()
        key = DeviceKey.load_or_create(data_dir)
        generator = _Contents(random.Random(100 + d), per_day=100, days=per_device // 100 + 1)
        contents = [_without_evidence(generator.content(i)) for i in range(per_device)]
        with open_store(data_dir / DB_FILENAME, write=True) as store, \
                store.write() as session:
            records.append_many(session, key, contents, contents[-1]["signed_at"])
        dirs.append(data_dir)
    return dirs


def _without_evidence(content: dict) -> dict:
    """The benchmark's bodies name made-up evidence hashes; this measures records only."""
    content["evidence"] = []
    for step in content["steps"]:
        step["evidence"] = []
    return content


def _measure(url: str, hub_dir: Path, devices: list[Path], batch: int) -> dict:
    app = create_app({"data_dir": hub_dir, "database_url": url})
    store = app.extensions["ansim"].inspections.store
    tokens = [enrol_device(store, DeviceKey.load_or_create(d).public_key_hex).token
              for d in devices]
    try:
        with ServerThread(app) as running:
            upload_s, reports = _all_at_once(running.url, devices, tokens, batch)
            rerun_s, _ = _all_at_once(running.url, devices, tokens, batch)
            resend_s = _resend_all(running.url, devices, tokens, batch)
    finally:
        app.extensions["ansim"].inspections.close()
    total = sum(r.stored for r in reports)
    return {"records": total, "devices": len(devices), "batch": batch, "upload_s": upload_s,
            "records_per_s": total / upload_s, "rerun_s": rerun_s, "resend_s": resend_s,
            "resend_records_per_s": total / resend_s}


def _all_at_once(url: str, devices, tokens, batch: int):
    """Every device syncs in its own thread; the wall time from start to the last ack."""
    reports, errors = [None] * len(devices), []

    def sync(i):
        try:
            reports[i] = sync_log(devices[i], url, tokens[i], batch_records=batch)
        except Exception as exc:  # noqa: BLE001 - reported below, the benchmark fails
            errors.append(exc)

    threads = [threading.Thread(target=sync, args=(i,)) for i in range(len(devices))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, reports


def _resend_all(url: str, devices, tokens, batch: int) -> float:
    """Every record sent again (as after lost acknowledgements): all duplicates."""
    uploads = []
    for data_dir, token in zip(devices, tokens):
        key = DeviceKey.load_or_create(data_dir)
        with open_store(data_dir / DB_FILENAME, write=False) as store, \
                store.read() as session:
            rows = session.execute(select(Record.record_hash, Record.signature, RecordBody.body)
                                   .join(RecordBody, RECORD_BODY)
                                   .order_by(Record.seq)).all()
        items = [{"body_text": body, "record_hash": h, "signature": s} for h, s, body in rows]
        uploads.append((HubClient(url, key.device_id, token), items))
    started = time.perf_counter()
    for client, items in uploads:
        for start in range(0, len(items), batch):
            answer = client.post_records(items[start:start + batch])
            if any(r["outcome"] != "duplicate" for r in answer["results"]):
                raise RuntimeError("a resent record was stored twice")
    return time.perf_counter() - started
