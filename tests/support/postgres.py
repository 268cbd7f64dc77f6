"""A real PostgreSQL 15 server for the tests, started once per session in a temporary directory.

``postgres_server`` runs ``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/15/bin`` (the
Debian ``postgresql`` package) on a free port, listening on 127.0.0.1 only, with trust
authentication, and stops and deletes it after the session. PostgreSQL refuses to run as root,
so when the tests run as root the server runs as the unprivileged ``postgres`` user (via
``runuser``) in a directory handed to that user. ``postgres_url`` gives each test its own fresh
database on that server.

Use from a conftest::

    from tests.support.postgres import postgres_server, postgres_url  # noqa: F401
"""

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("ANSIM_PG_BIN", "/usr/lib/postgresql/15/bin"))
_counter = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _hand_over(path: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL prefix (``postgresql+psycopg://postgres@127.0.0.1:PORT``) of a running server."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} "
                    "(install the Debian package 'postgresql')")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root but there is no 'postgres' user to run the server as")
    root = Path(tempfile.mkdtemp(prefix="ansim-pg-"))
    os.chmod(root, 0o755)
    data, sockets = root / "data", root / "sockets"
    for path in (data, sockets):
        path.mkdir()
        _hand_over(path)
    port = _free_port()
    log = root / "server.log"
    log.touch()
    _hand_over(log)
    subprocess.run(_as_server_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                    "--auth=trust", "--no-sync", "-E", "UTF8"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l",
                                              str(log), "-o", options, "-w", "start"]),
                             capture_output=True, text=True)
    if started.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log.read_text()}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
                                        "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A new, empty database on the session's server, dropped after the test."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL tests need the driver

    name = f"ansim_test_{os.getpid()}_{next(_counter)}"
    admin = postgres_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
