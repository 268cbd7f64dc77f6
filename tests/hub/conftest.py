"""Fixtures for the city hub: a real PostgreSQL database, the hub app on it served by waitress on
127.0.0.1, and devices whose logs hold real inspections (with evidence files) and many more
records sealed by the log's own code."""

import random
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from detector.engine import checklist
from detector.engine.inspections import open_service
from detector.engine.sites import import_sites
from detector.hub.devices import enrol_device
from detector.log import records
from detector.log.evidence import EvidenceStore
from detector.log.signing import DeviceKey
from detector.log.storage import open_store
from detector.log.storage.models import Record
from detector.timestamps import format_utc
from tests.support.browser import chromium, screens  # noqa: F401 - fixtures
from tests.support.inspection_doubles import (
    AMBIENT,
    FakeRestroom,
    FakeSteps,
    video_emitter,
)
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures
from web import create_app
from web.server import ServerThread

SITES_CSV = """id,name,address,lat,lon,stalls,risk,schedule
jongno-1,Jongno Tower public restroom,"Jongno-gu, Seoul",37.5704,126.9831,1,high,weekly
mapo-7,Mapo station restroom,"Mapo-gu, Seoul",37.5395,126.9459,1,medium,monthly
"""


def hub_app(database_url: str, data_dir: Path):
    return create_app({"data_dir": data_dir, "database_url": database_url, "testing": True})


@pytest.fixture
def hub(postgres_url, tmp_path):
    """The hub app on a fresh PostgreSQL database (not yet served)."""
    app = hub_app(postgres_url, tmp_path / "hub")
    yield app
    app.extensions["ansim"].inspections.close()


@pytest.fixture
def served(hub):
    """The hub served by waitress on a free port of 127.0.0.1."""
    with ServerThread(hub) as running:
        yield running


class Device:
    """A handheld's data directory: its key, its log and its evidence."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.service = None

    def open(self):
        return open_service(self.data_dir, steps=FakeSteps(FakeRestroom(
            emitters=(*AMBIENT, video_emitter()), lenses={(1, "vent"): 0.9})))

    def inspect(self, site_id: str) -> records.SignedRecord:
        """A real inspection on the outcome doubles: sweep, every place scanned (a lens
        at the vent: PNG crops, a spectrum, an IQ capture as evidence), verdict, sign-off."""
        with self.open() as service:
            state = service.start(site_id, "Kim Inspector")
            service.run_rf_step(state.id)
            for zone in checklist.ITEMS:
                service.run_optical_step(state.id, 1, zone)
            service.set_verdict(state.id, "found", {"notified": "Jongno police"})
            return service.sign_off(state.id, "Kim Inspector")

    def correct(self, record_id: str) -> records.SignedRecord:
        with self.open() as service:
            return service.correct(record_id, "Park Supervisor", reason="police report number",
                                   escalation={"report_ref": "2026-113"})

    def add_records(self, count: int, seed: int) -> None:
        """``count`` more signed inspection records, one small evidence file in every tenth."""
        rng = random.Random(seed)
        evidence = EvidenceStore(self.data_dir / "evidence")
        start = datetime(2026, 5, 1, 8, tzinfo=UTC)
        contents = []
        for i in range(count):
            refs = []
            if i % 10 == 0:
                ref = evidence.put_bytes(rng.randbytes(1500), kind="lens_crop",
                                         media_type="image/png")
                refs.append(ref.to_dict())
            site, name = (("jongno-1", "Jongno Tower public restroom"),
                          ("mapo-7", "Mapo station restroom"))[i % 2]
            contents.append({
                "type": "inspection", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "status": "signed_off", "site": {"id": site, "name": name, "address": None},
                "inspector": f"Inspector {i % 7}", "signed_by": "Kim", "stalls": 1,
                "started_at": format_utc(start + timedelta(minutes=10 * i)),
                "signed_at": format_utc(start + timedelta(minutes=10 * i + 6)),
                "steps": [], "checklist": [], "alerts": [], "coverage": {},
                "verdict": "clear", "escalation": None, "evidence": refs,
                "software": "ansim test"})
        with self.open() as service, service.store.write() as session:
            records.append_many(session, service.signer, contents, format_utc(start))

    def local_records(self) -> list[records.SignedRecord]:
        with open_store(self.data_dir, write=False) as store, store.read() as session:
            ids = session.scalars(select(Record.id).order_by(Record.seq)).all()
            return [records.get(session, i) for i in ids]

    @property
    def key(self) -> DeviceKey:
        return DeviceKey.load_or_create(self.data_dir)

    def copy_to(self, data_dir: Path) -> "Device":
        shutil.copytree(self.data_dir, data_dir)
        return Device(data_dir)


@pytest.fixture
def make_device(tmp_path):
    """``make_device(name)``: a device data directory holding the example sites."""
    csv_path = tmp_path / "sites.csv"
    csv_path.write_text(SITES_CSV, encoding="utf-8")

    def make(name: str) -> Device:
        path = tmp_path / name
        path.mkdir()
        with open_store(path, write=True) as store:
            import_sites(store, csv_path)
        return Device(path)

    return make


@pytest.fixture
def enrolled(hub):
    """``enrolled(device)``: enrol a device on the hub; its upload token."""

    def enrol(device: Device, label: str = "") -> str:
        return enrol_device(hub.extensions["ansim"].inspections.store,
                            device.key.public_key_hex, label=label, by="test").token

    return enrol
