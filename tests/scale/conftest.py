"""Fixtures for the scale tests: real PostgreSQL and Redis, real ``qcluster`` processes.

``servers`` (one per test session) starts both servers and migrates a template database
once; ``site`` gives each test a fresh copy of that database, an empty Redis, its own inbox
and media folders, and helpers to run the example site's processes against them. When the
servers are not installed the tests skip -- unless ``OPENIMMO_REQUIRE_SERVERS=1`` (CI), when
they fail.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.scale.servers import PostgresServer, RedisServer, ServersMissing

REPO = Path(__file__).resolve().parents[2]
MANAGE = REPO / "example_site" / "manage.py"
TEMPLATE_DB = "openimmo_template"
_numbers = itertools.count(1)


@dataclass
class Servers:
    pg: PostgresServer
    redis: RedisServer


def _base_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = "example_site.settings"
    env["DEBUG"] = "0"
    env["LOG_LEVEL"] = "WARNING"
    return env


@pytest.fixture(scope="session")
def servers():
    required = os.environ.get("OPENIMMO_REQUIRE_SERVERS") == "1"
    try:
        pg, redis = PostgresServer(), RedisServer()
    except ServersMissing as exc:
        if required:
            pytest.fail(f"OPENIMMO_REQUIRE_SERVERS=1 but {exc}", pytrace=False)
        pytest.skip(f"{exc} (install the Debian packages postgresql and redis-server)")
    pg.start()
    try:
        redis.start()
        pg.create_database(TEMPLATE_DB)
        env = _base_env() | {"DATABASE_URL": pg.url(TEMPLATE_DB)}
        done = subprocess.run(
            [sys.executable, str(MANAGE), "migrate", "--noinput", "-v", "0"],
            env=env, cwd=REPO, capture_output=True, text=True,
        )
        if done.returncode:
            raise AssertionError(f"migrate failed:\n{done.stdout}\n{done.stderr}")
        yield Servers(pg, redis)
    finally:
        redis.stop()
        pg.stop()


class Cluster:
    """One ``manage.py qcluster`` (a "machine" running N workers), in its own process group."""

    def __init__(self, env: dict[str, str], log: Path, workers: int):
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE), "qcluster"],
            env=env | {"Q_WORKERS": str(workers)},
            cwd=REPO,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def descendants(self) -> list[int]:
        """The pids of every process of this cluster (sentinel, workers, monitor, ...)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            for child in children.get(pid, []):
                found.append(child)
                todo.append(child)
        return found

    def stop(self) -> None:
        """Kill what is left of this cluster's process group (the data is thrown away)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._out.close()


@dataclass
class Site:
    servers: Servers
    dbname: str
    root: Path
    env: dict[str, str]
    clusters: list[Cluster] = field(default_factory=list)

    @property
    def inbox(self) -> Path:
        return Path(self.env["OPENIMMO_INBOX_DIR"])

    @property
    def media(self) -> Path:
        return Path(self.env["MEDIA_ROOT"])

    def probe(self, command: str, timeout: float = 120, **args):
        """Run ``tests.scale.probe <command>`` in a process of the example site."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.scale.probe", command, json.dumps(args)],
            env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout,
        )
        if done.returncode:
            raise AssertionError(f"probe {command} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def manage(self, *args: str, timeout: float = 300, check: bool = True):
        return subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=check,
        )

    def start_cluster(self, workers: int = 2) -> Cluster:
        cluster = Cluster(self.env, self.root / f"qcluster-{len(self.clusters) + 1}.log", workers)
        self.clusters.append(cluster)
        return cluster

    def sql(self, query: str, params=None) -> list[tuple]:
        return self.servers.pg.execute(query, params, dbname=self.dbname)

    def wait_for(self, condition, *, timeout: float = 120, interval: float = 0.2, what=""):
        """Poll ``condition()`` until it returns something true; return that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            for cluster in self.clusters:
                if cluster.process.poll() is not None and not getattr(cluster, "killed", False):
                    raise AssertionError(
                        f"qcluster exited early:\n{cluster.log.read_text(errors='replace')}"
                    )
            time.sleep(interval)
        logs = "\n".join(c.log.read_text(errors="replace")[-4000:] for c in self.clusters)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")

    def runs(self) -> list[dict]:
        rows = self.sql(
            "SELECT r.id, b.slug, r.file_name, r.file_path, r.status, r.created, r.updated, "
            "r.unchanged FROM wagtail_openimmo_importrun r "
            "LEFT JOIN wagtail_openimmo_broker b ON b.id = r.broker_id ORDER BY r.id"
        )
        keys = ("id", "broker", "file_name", "file_path", "status", "created", "updated",
                "unchanged")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def files(self, *parts: str) -> list[Path]:
        """Data files under ``<inbox>/<parts...>`` (the uploads not yet taken when no parts)."""
        base = self.inbox.joinpath(*parts)
        if not base.exists():
            return []
        return sorted(
            p for p in base.rglob("*")
            if p.is_file() and p.suffix in (".zip", ".xml")
            and (parts or ".openimmo" not in p.relative_to(base).parts)
        )


@pytest.fixture
def site(servers, tmp_path):
    """A fresh example site (database, Redis, inbox, media) on the session's servers."""
    dbname = f"openimmo_site_{os.getpid()}_{next(_numbers)}"
    servers.pg.create_database(dbname, template=TEMPLATE_DB)
    servers.redis.flush()
    env = _base_env() | {
        "DATABASE_URL": servers.pg.url(dbname),
        "REDIS_URL": servers.redis.url,
        "OPENIMMO_INBOX_DIR": str(tmp_path / "inbox"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    (tmp_path / "inbox").mkdir()
    site = Site(servers, dbname, tmp_path, env)
    try:
        yield site
    finally:
        for cluster in site.clusters:
            cluster.stop()
        servers.pg.drop_database(dbname)
