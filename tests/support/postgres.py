"""A real PostgreSQL 15 server for the tests, started once per session in a temporary directory.

``postgres_server`` starts one with ``testkit.postgres.temporary_server`` (``initdb`` and
``pg_ctl`` from the Debian ``postgresql`` package, 127.0.0.1 only, run as the ``postgres`` user
when the tests run as root; ``fsync`` off for speed), and stops and deletes it after the
session. ``postgres_url`` gives each test its own fresh database on that server.

Use from a conftest::

    from tests.support.postgres import postgres_server, postgres_url  # noqa: F401
"""

import itertools
import os

import pytest

from testkit.postgres import NoPostgres, temporary_server

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL prefix (``postgresql+psycopg://postgres@127.0.0.1:PORT``) of a running server."""
    try:
        server = temporary_server(fsync=False)
        url = server.__enter__()
    except NoPostgres as exc:
        if "did not start" in str(exc):
            raise
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


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
