"""Two inbox runs at the same time, with the real per-broker lock (``locks.broker_lock``:
flock on SQLite, an advisory lock on PostgreSQL); only the import itself is the stand-in."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from tests.helpers import make_broker
from tests.inbox_support import ensure_default_site, make_account, stamp, write_upload, zip_bytes
from wagtail_openimmo import locks
from wagtail_openimmo.inbox import process, process_inboxes
from wagtail_openimmo.models import ImportRun


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_with_the_real_lock_import_each_file_once_in_order(
    inbox, standin, settings, monkeypatch
):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "LOCK_TIMEOUT": 30}
    monkeypatch.setattr(process, "broker_lock", locks.broker_lock)  # the real one
    ensure_default_site()
    acme = make_broker("acme")
    make_account("acme", acme)
    for n in range(5):
        write_upload(
            inbox / "acme", f"f{n}.zip", zip_bytes(timestamp=stamp(n)), mtime=time.time() - 5
        )
    inside = []
    overlap = []
    real_import = standin.import_file

    def slow(*args, **kwargs):
        if inside:
            overlap.append(args[0])  # two imports of one broker at once
        inside.append(1)
        try:
            time.sleep(0.03)
            return real_import(*args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(process, "import_file", slow)
    start = threading.Barrier(3)
    errors = []
    outcomes = []

    def run():
        try:
            start.wait(5)
            outcomes.extend(process_inboxes())
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert overlap == []
    assert standin.names == [f"f{n}.zip" for n in range(5)]
    assert sorted(o.file for o in outcomes if o.status == "imported") == standin.names
    assert ImportRun.objects.filter(status="imported").count() == 5
    archive = inbox / ".openimmo" / "archive" / "acme"
    assert sorted(p.name for p in archive.rglob("*.zip")) == standin.names


def test_state_file_written_by_many_threads_at_once(tmp_path):
    """Scans in threads of one process (the threaded FTP server, the runs above) write the
    folder's state file at the same moment: no writer fails, and the file stays whole."""
    from wagtail_openimmo.inbox import layout

    path = tmp_path / "state" / "acme.json"
    errors = []

    def write(n):
        for k in range(200):
            try:
                layout.write_json(path, {"writer": n, "k": k})
            except Exception as exc:  # pragma: no cover - shown in the assertion
                errors.append(repr(exc))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert layout.read_json(path)["k"] == 199
    assert [p.name for p in path.parent.iterdir()] == ["acme.json"]  # no temporary files left
