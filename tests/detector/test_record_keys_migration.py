"""Migration 0008 (records keyed by device and id) on a log that already holds records, on
SQLite and on PostgreSQL: down to 0007 and up again, every record and body is kept, the chain
verifies, and the schema is the models' again."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from detector.engine.inspections import InspectionService
from detector.engine.sites import SiteRecord
from detector.log.evidence import EvidenceStore
from detector.log.signing import DeviceKey
from detector.log.storage import open_store
from detector.log.storage.models import Base, Site
from detector.log.storage.store import _alembic_config
from detector.log.verify import verify_log
from tests.support.inspection_doubles import FakeSteps

BEFORE = "0007_presence"


def _fill(store, tmp_path) -> list[tuple]:
    with store.write() as session:
        session.add(Site(**SiteRecord("mapo-7", "Mapo station restroom", stalls=1).to_dict(),
                         updated_at="2026-05-09T00:00:00.000000Z"))
    service = InspectionService(store, None, None, EvidenceStore(tmp_path / "evidence"),
                                DeviceKey.load_or_create(tmp_path), steps=FakeSteps(None))
    for reason in ("closed for cleaning", "no access", "the stall was locked"):
        service.cancel(service.start("mapo-7", "Kim Inspector").id, reason)
    return _records(store)


def _records(store) -> list[tuple]:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT r.device_id, r.id, r.seq, r.record_hash, b.body "
                                 "FROM records r JOIN record_bodies b ON b.id = r.id "
                                 "ORDER BY r.seq")).all()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return tmp_path / "log"
    return request.getfixturevalue("postgres_url")


def test_records_and_bodies_survive_the_new_keys_both_ways(database, tmp_path):
    store = open_store(database, write=True)
    try:
        before = _fill(store, tmp_path)
        with store.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), BEFORE)
        with store.engine.connect() as conn:
            assert inspect(conn).get_pk_constraint("records")["constrained_columns"] == ["id"]
            assert "device_id" not in {c["name"] for c in inspect(conn).get_columns(
                "record_bodies")}
        assert _records(store) == before
    finally:
        store.close()

    with open_store(database, write=True) as store:  # migrated up again at open
        with store.engine.connect() as conn:
            assert inspect(conn).get_pk_constraint("records")["constrained_columns"] == [
                "device_id", "id"]
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert _records(store) == before and len(before) == 3
        report = verify_log(store)
        assert report.ok and report.records_checked == 3, report.problems
