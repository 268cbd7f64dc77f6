"""A throwaway PostgreSQL 15 server, for the benchmarks (when not given ``--db``) and the tests'
fixture (``tests/support/postgres.py``).

``initdb`` and ``pg_ctl`` from the Debian ``postgresql`` package, a temporary directory,
127.0.0.1 only, trust authentication, run as the ``postgres`` user when we are root (PostgreSQL
refuses to run as root). Benchmarks keep ``fsync`` on, so their figures include the disk's
flushes; tests turn it off for speed.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("ANSIM_PG_BIN", "/usr/lib/postgresql/15/bin"))


class NoPostgres(RuntimeError):
    """No PostgreSQL server binaries (or no user to run them as) on this machine."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _hand_over(path: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)


def _check_available() -> None:
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        raise NoPostgres(f"PostgreSQL server binaries not found in {PG_BIN}; install the "
                         "Debian package 'postgresql' or give --db URL")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise NoPostgres("running as root but there is no 'postgres' user to run the "
                             "server as") from None


@contextmanager
def temporary_server(*, fsync: bool = True):
    """Yield the URL prefix (``postgresql+psycopg://postgres@127.0.0.1:PORT``) of a fresh
    server; stop it and delete its files afterwards. Its ``postgres`` database exists."""
    _check_available()
    root = Path(tempfile.mkdtemp(prefix="ansim-pg-"))
    os.chmod(root, 0o755)
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    for path in (data, sockets):
        path.mkdir()
        _hand_over(path)
    log.touch()
    _hand_over(log)
    port = _free_port()
    try:
        subprocess.run(_as_server_user([str(PG_BIN / "initdb"), "-D", str(data), "-U",
                                        "postgres", "--auth=trust", "-E", "UTF8",
                                        *([] if fsync else ["--no-sync"])]),
                       check=True, capture_output=True)
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"
        if not fsync:
            options += " -c fsync=off"
        started = subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l",
                                                  str(log), "-o", options, "-w", "start"]),
                                 capture_output=True, text=True)
        if started.returncode != 0:
            raise NoPostgres(f"PostgreSQL did not start: {started.stderr}\n{log.read_text()}")
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
        finally:
            subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m",
                                            "fast", "-w", "stop"]), capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
