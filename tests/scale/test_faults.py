"""Faults during imports on PostgreSQL + Redis with real qcluster workers.

A worker SIGKILLed in the middle of an import and the database dropping every connection in
the middle of an import: the file is kept, nothing is half-applied (each property is one
transaction), and the next run -- the inbox schedule's, queued here by hand -- completes
it without duplicates.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.scale.uploads import drop, prop
from wagtail_openimmo.locks import _PG_LOCK_CLASS

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("scale"), pytest.mark.slow]

# Enough properties that the import is still running when the test strikes (it strikes
# after the first few are applied, so this only has to outlast a poll interval or two).
PROPERTIES = 40


def _lock_holder(site, broker: str) -> int | None:
    """The pid of the cluster process holding ``broker``'s import lock (PostgreSQL advisory
    lock): its backend's client port, found among the sockets of the clusters' processes."""
    rows = site.sql(
        "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "JOIN wagtail_openimmo_broker b ON b.id = l.objid "
        "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.granted AND b.slug = %s",
        [_PG_LOCK_CLASS, broker],
    )
    if not rows:
        return None
    port = rows[0][0]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            inodes.add(f"socket:[{fields[9]}]")
    for cluster in site.clusters:
        for pid in cluster.descendants():
            try:
                fds = list(Path(f"/proc/{pid}/fd").iterdir())
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(fd) in inodes:
                        return pid
                except OSError:
                    continue
    return None


def _listings(site, broker: str) -> int:
    return site.sql(
        "SELECT count(*) FROM wagtail_openimmo_listingpage l "
        "JOIN wagtail_openimmo_broker b ON b.id = l.broker_id WHERE b.slug = %s",
        [broker],
    )[0][0]


def _start_import(site) -> tuple[Path, int]:
    """Upload a VOLL of PROPERTIES listings and wait until a worker is part-way through it;
    return the upload's path in processing/ and the worker's pid."""
    site.probe("setup", brokers=["acme"])
    drop(site.inbox, "acme", "stock.zip", [prop(n) for n in range(PROPERTIES)],
         anid="ACME-ANID", umfang="VOLL")
    site.start_cluster(workers=1)
    site.probe("enqueue", count=1)
    processing = site.inbox / ".openimmo" / "processing" / "acme" / "stock.zip"

    def part_way():
        pid = _lock_holder(site, "acme")
        return pid if pid and _listings(site, "acme") >= 3 else None

    pid = site.wait_for(part_way, timeout=120, interval=0.05, what="the import to start")
    return processing, pid


def _assert_complete(site, processing: Path) -> dict:
    state = site.probe("state")
    assert not processing.exists()
    assert [p.name for p in site.files(".openimmo", "archive", "acme")] == ["stock.zip"]
    pages = state["pages"]
    assert len(pages) == PROPERTIES
    assert len({p["objektnr_extern"] for p in pages}) == PROPERTIES  # no duplicates
    assert all(p["live"] and p["images"] == 1 for p in pages)
    images = site.sql("SELECT count(*) FROM wagtailimages_image")[0][0]
    assert images == PROPERTIES
    assert state["tree_problems"] == [[], [], [], [], []]
    assert state["numchild_wrong"] == []
    return state


def test_worker_killed_mid_import_loses_nothing(site):
    processing, pid = _start_import(site)
    os.kill(pid, signal.SIGKILL)
    site.wait_for(lambda: not _lock_holder(site, "acme"), what="the lock to be released")

    # The file waits in processing/; the applied properties stay, complete.
    assert processing.exists()
    applied = _listings(site, "acme")
    assert 3 <= applied < PROPERTIES
    [run] = site.runs()
    assert run["status"] == "running"  # nobody was left to say otherwise

    # Another worker (a second machine) runs the next inbox scan.
    site.start_cluster(workers=1)
    site.probe("enqueue", count=1)
    site.wait_for(lambda: not processing.exists(), timeout=180, what="the file to be finished")

    state = _assert_complete(site, processing)
    killed, rerun = state["runs"]
    assert killed["status"] == "failed" and killed["finished_at"]
    # "interrupted" (the example site speaks German)
    assert "unterbrochen" in killed["message"] or "interrupted" in killed["message"]
    assert rerun["status"] == "imported"
    # What the killed worker had applied was recognised, not created twice.
    assert rerun["created"] + rerun["unchanged"] + rerun["updated"] == PROPERTIES
    assert rerun["created"] == PROPERTIES - applied


def test_database_gone_mid_import_fails_cleanly_and_is_retried(site):
    processing, pid = _start_import(site)
    terminated = site.servers.pg.terminate_backends(site.dbname)
    assert terminated >= 1
    site.wait_for(lambda: not _lock_holder(site, "acme"), what="the worker to give up")

    # The run is recorded as failed (on a new connection), the file kept for the retry,
    # and every listing that exists is complete (its transaction committed or nothing).
    assert processing.exists()
    [run] = site.wait_for(
        lambda: [r for r in site.runs() if r["status"] != "running"] or None,
        timeout=30, what="the run to be marked failed",
    )
    assert run["status"] == "failed"
    state = site.probe("state")
    assert 1 <= len(state["pages"]) < PROPERTIES
    assert all(p["live"] and p["images"] == 1 for p in state["pages"])
    images = site.sql("SELECT count(*) FROM wagtailimages_image")[0][0]
    assert images == len(state["pages"])

    site.probe("enqueue", count=1)  # the next inbox scan
    site.wait_for(lambda: not processing.exists(), timeout=180, what="the retry")
    state = _assert_complete(site, processing)
    assert [r["status"] for r in state["runs"]] == ["failed", "imported"]


def test_an_import_stops_when_its_lock_went_with_a_lost_database_session(site):
    # The advisory lock belongs to the database session: when the database drops it and
    # Django quietly opens a new connection, the import must stop, not go on unlocked beside
    # another worker's import of the same broker.
    site.probe("setup", brokers=["acme"])
    path = drop(site.inbox, "acme", "stock.zip", [prop(n) for n in range(6)],
                anid="ACME-ANID", marker=False)
    outcome = site.probe("import_losing_session", broker="acme", path=str(path), after=2)
    assert outcome == {"raised": "BrokerLockLost", "listings": 2}
    [run] = site.probe("state")["runs"]
    assert run["status"] == "failed" and "BrokerLockLost" in run["message"]
