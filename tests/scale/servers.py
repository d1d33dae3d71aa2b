"""Throwaway PostgreSQL and Redis servers on 127.0.0.1, for the scale tests and benchmarks.

    with PostgresServer() as pg, RedisServer() as redis:
        pg.create_database("site")
        os.environ["DATABASE_URL"] = pg.url("site")
        os.environ["REDIS_URL"] = redis.url

Each server gets a fresh temporary data directory and a free port and is stopped (and its
directory deleted) afterwards. PostgreSQL runs with ``fsync=off``: the data is thrown away,
so durability only costs time. PostgreSQL refuses to run as root; when the tests run as
root (CI containers), ``initdb`` and ``postgres`` run as the ``postgres`` user (or
``nobody``) via ``runuser``, and the data directory is given to that user.

``ServersMissing`` is raised when the binaries are not installed (Debian packages
``postgresql`` and ``redis-server``); the test fixture turns that into a skip, or into a
failure when ``OPENIMMO_REQUIRE_SERVERS=1``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ServersMissing(RuntimeError):
    """PostgreSQL or Redis is not installed here."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def postgres_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: $PG_BIN, Debian's, or the PATH."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(os.environ["PG_BIN"])
    # Debian: /usr/lib/postgresql/<major>/bin, newest first.
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        path = Path(candidate)
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    return None


def redis_binary() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


def _run_as() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that drops root (PostgreSQL's rule), and the user it drops to."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], user
    raise ServersMissing("running as root and there is no postgres or nobody user")


class PostgresServer:
    """A PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 only."""

    def __init__(self, *, port: int | None = None):
        bindir = postgres_bin_dir()
        if bindir is None:
            raise ServersMissing("PostgreSQL (initdb, pg_ctl) is not installed")
        self.bindir = bindir
        self.port = port or free_port()
        self.user = "postgres"  # the superuser initdb creates
        self.tmp: Path | None = None
        self.datadir: Path | None = None
        self._prefix, self._owner = _run_as()

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> PostgresServer:
        self.tmp = Path(tempfile.mkdtemp(prefix="openimmo-pg-"))
        self.datadir = self.tmp / "data"
        if self._owner is not None:
            os.chmod(self.tmp, 0o755)  # noqa: S103 - the server's user must enter it
            os.chown(self.tmp, self._owner.pw_uid, self._owner.pw_gid)
        self._pg(
            "initdb", "-D", str(self.datadir), "-U", self.user, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start (or restart after ``stop_server``) the server on the same port and data."""
        options = " ".join([
            "-c listen_addresses=127.0.0.1",
            f"-c port={self.port}",
            f"-c unix_socket_directories={self.tmp}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200",
        ])
        self._pg(
            "pg_ctl", "-D", str(self.datadir), "-l", str(self.tmp / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )
        _wait_for_port(self.port, 30)

    def stop_server(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop", check=False)

    def stop(self) -> None:
        if self.datadir is not None and self.datadir.exists():
            self.stop_server("immediate")
        keep = os.environ.get("OPENIMMO_KEEP_PG_LOG")  # a file name, to debug a failed run
        if keep and self.tmp is not None and (self.tmp / "server.log").exists():
            shutil.copyfile(self.tmp / "server.log", keep)
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = self.datadir = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _pg(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self._prefix, str(self.bindir / tool), *args],
            check=check,
            capture_output=True,
            text=True,
            cwd=self.tmp,
        )

    # -- databases -------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        """A psycopg connection in autocommit mode (for CREATE DATABASE and inspection)."""
        import psycopg

        return psycopg.connect(self.url(dbname), autocommit=True)

    def execute(self, sql: str, params=None, *, dbname: str = "postgres") -> list[tuple]:
        with self.connect(dbname) as conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create database ``name`` (a copy of ``template``); return its URL."""
        sql = f'CREATE DATABASE "{name}"'
        if template:
            sql += f' TEMPLATE "{template}"'
        self.execute(sql)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def terminate_backends(self, dbname: str) -> int:
        """``pg_terminate_backend`` on every connection to ``dbname``; how many there were."""
        rows = self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        )
        return len(rows)


class RedisServer:
    """``redis-server`` on 127.0.0.1 without persistence, in a temporary directory."""

    def __init__(self, *, port: int | None = None):
        binary = redis_binary()
        if binary is None:
            raise ServersMissing("redis-server is not installed")
        self.binary = binary
        self.port = port or free_port()
        self.tmp: Path | None = None
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.tmp = Path(tempfile.mkdtemp(prefix="openimmo-redis-"))
        self.process = subprocess.Popen(
            [
                self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.tmp),
                "--protected-mode", "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 30, self.process)
        return self

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
