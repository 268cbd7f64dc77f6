"""The database (SQLite on the device, a real PostgreSQL server for the hub), the device key and
the evidence store."""

import csv
import io
import json
import os
import re
import sqlite3
import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from detector.engine import checklist
from detector.engine.inspections import InspectionService
from detector.engine.sites import SiteRecord
from detector.log.evidence import EvidenceStore
from detector.log.logquery import LogFilter, export_csv, export_json, list_records
from detector.log.signing import (
    DeviceKey,
    SigningError,
    canonical_json,
    verify_signature,
)
from detector.log.storage import (
    ForeignDatabase,
    NotADatabase,
    ReadOnlyStore,
    StoreBusy,
    StoreError,
    open_store,
)
from detector.log.storage.models import Base, Site
from detector.log.verify import verify_log
from tests.support.inspection_doubles import (
    AMBIENT,
    FakeRestroom,
    FakeSteps,
    video_emitter,
)


def _schema_differences(store):
    with store.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def _head_revision():
    """The newest migration shipped with ansim (the schema every open brings a log up to)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from detector.log.storage.store import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    (head,) = ScriptDirectory.from_config(config).get_heads()
    return head


def _revision(store):
    with store.read() as session:
        return session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_a_new_sqlite_log_is_migrated_to_the_models_schema(tmp_path):
    with open_store(tmp_path / "ansim.db") as store:
        assert _revision(store) == _head_revision()
        assert _schema_differences(store) == []
        with store.read() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_one_writer_at_a_time_and_readers_alongside(tmp_path):
    db = tmp_path / "ansim.db"
    with open_store(db, write=True) as writer:
        with pytest.raises(StoreBusy, match=f"pid {os.getpid()}"):
            open_store(db, write=True)
        with open_store(db) as reader:
            assert not reader.writable
            with reader.read() as session:
                assert session.scalar(text("SELECT count(*) FROM records")) == 0
            with pytest.raises(ReadOnlyStore):
                with reader.write():
                    pass
        assert writer.writable
    with open_store(db, write=True) as again:  # the lock went with the first writer
        assert again.writable


def test_a_reader_needs_an_existing_log(tmp_path):
    with open_store(tmp_path / "ansim.db", write=True):
        with pytest.raises(StoreError, match="no log here yet"):
            open_store(tmp_path / "other.db", write=False)


@pytest.mark.parametrize("url", ["nope://host/db", "postgresql://user:secret@host:port/db",
                                 "bad url://user:secret@host/db"])
def test_a_database_url_ansim_cannot_open_is_refused_by_name(url):
    """A mistyped ``--db``: named, with what the hub takes, and no password repeated."""
    with pytest.raises(StoreError, match="not a database URL ansim can open") as refused:
        open_store(url)
    assert url.split("://")[0] in str(refused.value) and "secret" not in str(refused.value)


def test_a_database_url_ansim_cannot_open_is_said_in_korean_without_english_left():
    """The refusal's detail (SQLAlchemy's words) stays in the developers' message; the
    inspector reads the scheme, then the problem in Korean, then the address the hub takes."""
    from detector.i18n import describe_error, t

    with pytest.raises(StoreError) as refused:
        open_store("nope://user:secret@host/db")
    korean = describe_error(refused.value, lang="ko")
    assert korean.startswith(f"{t('error.StoreError', 'ko')}: nope://...: ")
    words = set(re.findall(r"[A-Za-z]{3,}", korean.replace("postgresql+psycopg://user@host/db",
                                                           "")))
    assert words <= {"nope", "ansim"}, words
    assert "secret" not in korean


def test_a_file_that_is_not_a_database_is_refused_by_name(tmp_path):
    bad = tmp_path / "ansim.db"
    bad.write_bytes(b"PK\x03\x04 this is a zip file, not a log" * 100)
    with pytest.raises(NotADatabase, match=str(bad)):
        open_store(bad)
    assert bad.read_bytes().startswith(b"PK")  # and left as it was


def test_another_programs_database_is_refused(tmp_path):
    foreign = tmp_path / "ansim.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    with pytest.raises(ForeignDatabase, match="not an ansim log.*photos"):
        open_store(foreign)


def test_a_log_from_a_newer_ansim_is_refused(tmp_path):
    db = tmp_path / "ansim.db"
    open_store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    with pytest.raises(ForeignDatabase, match="newer ansim.*0099_future"):
        open_store(db)


def test_the_device_key_is_made_once_and_kept_private(tmp_path):
    key = DeviceKey.load_or_create(tmp_path)
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    again = DeviceKey.load_or_create(tmp_path)
    assert again.public_key_hex == key.public_key_hex and again.device_id == key.device_id
    data = canonical_json({"b": [1, 2.5, "안심"], "a": None})
    assert data == '{"a":null,"b":[1,2.5,"안심"]}'.encode()
    assert verify_signature(key.public_key_hex, data, again.sign(data))
    assert not verify_signature(key.public_key_hex, data + b" ", key.sign(data))


def test_a_damaged_key_file_is_named(tmp_path):
    (tmp_path / "device_key.pem").write_text("not a key")
    with pytest.raises(SigningError, match="device_key.pem"):
        DeviceKey.load_or_create(tmp_path)


def test_evidence_is_content_addressed(tmp_path):
    evidence = EvidenceStore(tmp_path / "evidence")
    first = evidence.put_bytes(b"crop", kind="lens_crop", media_type="image/png")
    second = evidence.put_bytes(b"crop", kind="lens_crop", media_type="image/png")
    assert first == second
    assert evidence.path_for(first.sha256).parent.name == first.sha256[:2]
    assert evidence.read(first.sha256) == b"crop"
    assert list((tmp_path / "evidence").rglob(".*tmp")) == []


@pytest.mark.slow
def test_the_same_schema_and_log_work_on_postgresql(postgres_url, tmp_path):
    store = open_store(postgres_url)
    try:
        assert store.dialect == "postgresql"
        assert _revision(store) == _head_revision()
        assert _schema_differences(store) == []
        with store.write() as session:
            session.add(Site(**SiteRecord("gangnam-3", "Gangnam station restroom",
                                          stalls=1).to_dict(), updated_at="2026-05-09T00:00:00"
                                                                          ".000000Z"))
        room = FakeRestroom(emitters=(*AMBIENT, video_emitter()), lenses={(1, "vent"): 0.9})
        service = InspectionService(store, None, None, EvidenceStore(tmp_path / "evidence"),
                                    DeviceKey.load_or_create(tmp_path), steps=FakeSteps(room))
        state = service.start("gangnam-3", "Choi Inspector")
        service.run_rf_step(state.id)
        for zone in checklist.ITEMS:
            service.run_optical_step(state.id, 1, zone)
        service.set_verdict(state.id, "found")
        record = service.sign_off(state.id, "Choi Inspector")
        service.correct(record.id, "Park Supervisor", reason="escalated late",
                        escalation={"notified": "Gangnam police"})
        assert verify_log(store, evidence=service.evidence).ok
        assert service.get(state.id).verdict == "found"
        out = io.StringIO()
        assert export_csv(store, LogFilter(site_id="gangnam-3"), out) == 2
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert [(r["site_name"], r["seq"]) for r in rows] == [
            ("Gangnam station restroom", "1"), ("Gangnam station restroom", "2")]
        assert list_records(store, LogFilter(verdict="found"))[0][0]["id"] == record.id
        out = io.StringIO()
        export_json(store, LogFilter(), out)
        assert [r["record_hash"] for r in json.loads(out.getvalue())["records"]][0] == \
            record.record_hash
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE records SET verdict = 'clear' WHERE id = :id"),
                         {"id": record.id})
        report = verify_log(store)
        assert report.problems[0].record_id == record.id
    finally:
        store.close()
    # Opening again (as each hub worker does) finds the schema current and migrates nothing.
    with open_store(postgres_url) as again:
        assert _revision(again) == _head_revision()
