"""Opening the database: SQLite on the device, PostgreSQL on the hub, migrated at open.

On SQLite the database runs in WAL mode with ``synchronous=FULL`` (a committed transaction is on
the disk before ``commit`` returns, so a power cut loses nothing committed) and one writer
process: ``open_store`` takes an exclusive ``flock`` on ``<db>.lock``. A second process that only
reads (``ansim log list`` while the handheld's service runs) gets a read-only store; one that must
write is refused with ``StoreBusy`` naming the holder's pid. Holding the lock is also what makes
crash recovery safe: whoever holds it knows no other process is in the middle of an inspection.

Every error a user can meet here is a ``StoreError`` naming the database and the problem: a file
that is not a database, a database of another program, one made by a newer ansim, a full disk.
"""

import ast
import fcntl
import functools
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from detector.errors import DetectorError, Unavailable
from detector.log.storage.files import PRIVATE_FILE_MODE, private_dir, private_file
from hardware.errors import os_reason

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
DB_FILENAME = "ansim.db"
_MIGRATION_LOCK_KEY = 0x616E73696D  # "ansim": a PostgreSQL advisory lock around migrations


class StoreError(DetectorError):
    """The database cannot be opened or written; the message names it and the problem."""


class BadDatabaseUrl(StoreError):
    """A ``--db`` URL ansim cannot open: mistyped, or no installed driver speaks its scheme.
    Named by its scheme alone (the rest may hold a password); ``problem_code`` lets a front
    end say it in the user's language (``detector.i18n.describe_problem``)."""

    #: What the hub takes, shown with the refusal.
    EXAMPLE = "postgresql+psycopg://user@host/db"

    def __init__(self, url: str, reason: str):
        self.where = url.split("://", 1)[0] + "://..."
        self.problem_code = "bad_database_url"
        self.problem_params = {"example": self.EXAMPLE}
        super().__init__(f"{self.where}: not a database URL ansim can open "
                         f"({reason.replace(url, self.where)}); the hub takes {self.EXAMPLE}")


class NotADatabase(StoreError):
    """The file is not an SQLite database (or is damaged beyond reading)."""


class ForeignDatabase(StoreError):
    """The database belongs to another program, or to a newer version of ansim."""


class StoreBusy(StoreError, Unavailable):
    """Another process is the writer of this database."""


class DiskFull(StoreError, Unavailable):
    """The disk holding the database or the evidence is full."""


class ReadOnlyStore(StoreError, Unavailable):
    """A write was attempted on a store opened for reading only."""


class Store:
    """An open database: ``read()`` and ``write()`` give sessions inside one transaction."""

    def __init__(self, engine, label: str, writable: bool, lock_file=None):
        self.engine = engine
        self.label = label
        self.writable = writable
        self._lock_file = lock_file
        self._write_lock = threading.Lock()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Called with ``session.info["sealed"]`` after a write that sealed records commits
        # (the log's chain-head witness; see detector/log/witness.py).
        self.after_seal: list = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self):
        """A session for reading; one snapshot for everything read in it."""
        with translate_errors(self.label), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self):
        """A session whose changes commit (durably) when the block ends, or not at all."""
        if not self.writable:
            raise ReadOnlyStore(f"{self.label}: opened read-only (another process is writing)",
                                problem="store_read_only", db=self.label)
        with self._write_lock, translate_errors(self.label), self._sessions() as session:
            with session.begin():
                yield session
            sealed = session.info.get("sealed")
            if sealed:
                for hook in self.after_seal:
                    hook(sealed)

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it (SQLite; waits for readers up to
        the busy timeout), so what was committed does not live only in ``ansim.db-wal``.

        TRUNCATE, not FULL: a WAL left holding frames already copied is a hazard of its own,
        since a WAL later cut short would hand SQLite an older version of a page than the one
        in the database file (a log whose tables disagree)."""
        if self.dialect == "sqlite" and self.writable:
            with translate_errors(self.label), self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        try:
            self.engine.dispose()
        finally:
            if self._lock_file is not None:
                self._lock_file.close()  # closing the descriptor releases the flock
                self._lock_file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


@contextmanager
def translate_errors(label: str):
    """Turn driver errors into ``StoreError``s that name the database and the problem."""
    try:
        yield
    except StoreError:
        raise
    except DBAPIError as exc:
        raise _classify(label, exc.orig) from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"{label}: {exc}", problem="database_error", db=label,
                         detail=str(exc)) from exc


def _classify(label: str, orig) -> StoreError:
    message = str(orig).strip()
    lowered = message.lower()
    if "disk is full" in lowered or "no space left" in lowered or "diskfull" in lowered:
        return DiskFull(f"{label}: the disk is full ({message})", problem="database_disk_full",
                        db=label, detail=message)
    if "not a database" in lowered or "malformed" in lowered:
        return NotADatabase(f"{label}: not a readable SQLite database ({message})",
                            problem="not_a_database", db=label, detail=message)
    return StoreError(f"{label}: {message}", problem="database_error", db=label, detail=message)


def open_store(url_or_path, *, write: bool | None = None) -> Store:
    """Open (creating and migrating as needed) the database at a path or SQLAlchemy URL.

    ``write=True`` insists on being the writer (``StoreBusy`` otherwise); ``write=None`` takes the
    writer's role if it is free and falls back to read-only; ``write=False`` never writes.
    A directory path means ``<dir>/ansim.db``.
    """
    text_url = str(url_or_path)
    if "://" in text_url:
        return _open_server(text_url)
    return _open_sqlite(Path(url_or_path), write)


def _open_server(url: str) -> Store:
    try:
        label = make_url(url).render_as_string(hide_password=True)
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ValueError) as exc:  # mistyped, or no installed driver speaks it
        raise BadDatabaseUrl(url, str(exc)) from None
    store = Store(engine, label, writable=True)
    try:
        with translate_errors(label), engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": _MIGRATION_LOCK_KEY})
            _migrate(conn, label)
    except BaseException:
        store.close()
        raise
    return store


def _open_sqlite(path: Path, write: bool | None) -> Store:
    if path.is_dir():
        path = path / DB_FILENAME
    label = str(path)
    lock_file = None
    if write is not False:
        try:
            lock_file = _try_writer_lock(path, required=write is True)
        except StoreBusy:
            raise
        except StoreError:
            if write:
                raise
            # Read-only media or a full disk: no lock file can be made, but the log can still
            # be read and verified.
    writable = lock_file is not None
    if not writable and not path.exists():
        raise StoreError(f"{label}: no log here yet", problem="no_log_yet", db=label)
    if writable:
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    else:
        engine = create_engine("sqlite://", creator=_read_only_connector(path))
    _configure_sqlite(engine, writable)
    store = Store(engine, label, writable, lock_file)
    try:
        with translate_errors(label), engine.begin() as conn:
            if writable:
                _migrate(conn, label)
            else:
                _check_current(conn, label)
    except BaseException:
        store.close()
        raise
    return store


def _read_only_connector(path: Path):
    """Connections that never write, nor make ``-shm``/``-wal``/journal files.

    ``mode=ro`` opens without write access. On a directory ansim cannot write (read-only
    media, a card mounted read-only to be examined), SQLite could not even make the WAL's
    shared-memory file, so ``immutable=1`` tells it that nothing else changes the file (true:
    nobody can write there); the writer checkpoints after every sign-off, so the database file
    itself holds every signed record.
    """
    # quote() is what pathname2url does on POSIX, without importing urllib.request (and with it
    # http.client, ssl and email) into every command that reads the log
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if not os.access(path.parent, os.W_OK):
        uri += "&immutable=1"
    return lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)


def _try_writer_lock(path: Path, required: bool):
    """The open lock file if this process became the writer, else None (or ``StoreBusy``)."""
    try:
        private_dir(path.parent)
        fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        lock_file = os.fdopen(fd, "a+", encoding="ascii")  # noqa: SIM115 - held open
        private_file(path)  # before SQLite makes it (0644): its -wal and -shm copy its mode
        for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            if companion.exists():
                private_file(companion)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the lock file: {exc.strerror}",
                         problem="lock_file_not_created", db=path, reason=os_reason(exc)) from exc
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.seek(0)
        holder = lock_file.read().strip() or "?"
        lock_file.close()
        if required:
            raise StoreBusy(f"{path}: another ansim process (pid {holder}) is writing to this "
                            "log", problem="store_busy", db=path, pid=holder) from None
        return None
    try:
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(str(os.getpid()))
        lock_file.flush()
    except OSError as exc:  # a full disk
        lock_file.close()
        raise StoreError(f"{path}: cannot write the lock file: {exc.strerror}",
                         problem="lock_file_not_written", db=path, reason=os_reason(exc)) from exc
    return lock_file


def _configure_sqlite(engine, writable: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (the
        # documented recipe), so reads get one snapshot and writes are atomic.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if writable:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def _alembic_config(conn):
    from alembic.config import Config  # noqa: PLC0415 - alembic is only needed at open

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def _known_revisions(config) -> tuple[set[str], set[str]]:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    scripts = ScriptDirectory.from_config(config)
    return {s.revision for s in scripts.walk_revisions()}, set(scripts.get_heads())


def _current_revisions(conn) -> set[str] | None:
    """The database's Alembic revisions; None if it has no version table."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def _refuse_foreign(conn, label: str, known: set[str]) -> set[str] | None:
    current = _current_revisions(conn)
    if current is None:
        tables = sorted(inspect(conn).get_table_names())
        if tables:
            raise ForeignDatabase(f"{label}: not an ansim log (it holds other tables: "
                                  f"{', '.join(tables[:5])})", problem="foreign_database",
                                  db=label, tables=", ".join(tables[:5]))
        return None
    unknown = current - known
    if unknown:
        raise ForeignDatabase(f"{label}: made by a newer ansim (schema revision "
                              f"{', '.join(sorted(unknown))}); update ansim to open it",
                              problem="newer_database", db=label,
                              revisions=", ".join(sorted(unknown)))
    return current


@functools.cache
def _migration_heads() -> frozenset[str]:
    """The newest revisions of the migration scripts, read from their ``revision`` and
    ``down_revision`` assignments: what a current database's version table holds. This lets
    every open of a current log skip importing Alembic (a third of a quick command's time)."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], ast.Name):
                name, value = node.targets[0].id, ast.literal_eval(node.value)
                if name == "revision":
                    revisions.add(value)
                elif name == "down_revision" and value is not None:
                    parents.update([value] if isinstance(value, str) else value)
    return frozenset(revisions - parents)


def _is_current(conn) -> bool:
    return _current_revisions(conn) == _migration_heads()


def _migrate(conn, label: str) -> None:
    if _is_current(conn):
        return
    from alembic import command  # noqa: PLC0415
    config = _alembic_config(conn)
    known, heads = _known_revisions(config)
    current = _refuse_foreign(conn, label, known)
    if current != heads:
        command.upgrade(config, "heads")


def _check_current(conn, label: str) -> None:
    if _is_current(conn):
        return
    config = _alembic_config(conn)
    known, heads = _known_revisions(config)
    if _refuse_foreign(conn, label, known) != heads:
        raise StoreError(f"{label}: the log needs an upgrade; open it once while no other "
                         "ansim process is running", problem="log_needs_upgrade", db=label)
