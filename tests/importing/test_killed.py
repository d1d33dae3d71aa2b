"""An import killed with ``kill -9`` (django-q's timeout does this): what it leaves and how the
next import cleans up (issue 15, item 8). A real ``openimmo_import`` process of the example
site, on its own SQLite file, killed in the middle of a large upload."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.inbox_support import zip_bytes
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="example_site.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        OPENIMMO_INBOX_DIR=str(tmp_path / "inbox"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TMPDIR=str(tmp_path / "tmp"),
    )
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


def manage(env, *args, timeout=600):
    result = subprocess.run(
        [sys.executable, str(ROOT / "example_site" / "manage.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def runs(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT id, status, message FROM wagtail_openimmo_importrun ORDER BY id"
        ).fetchall()


def test_a_killed_import_is_marked_interrupted_and_its_scratch_folder_swept(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "site.sqlite3"
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "openimmo_broker", "create", "acme", "--name", "Acme", "--anid", "ACME-ANID",
           "--email", "acme@example.com", "--approve")
    big = tmp_path / "big.zip"
    big.write_bytes(zip_bytes([generate.demo_property(n, images=2) for n in range(150)],
                              anid="ACME-ANID"))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "example_site" / "manage.py"), "openimmo_import",
         str(big), "--broker", "acme", "--no-report"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    work = tmp_path / "inbox" / ".openimmo" / "work"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if db.exists() and any(r[1] == "running" for r in _safe_runs(db)) and any(
                work.glob("upload_*")
            ):
                break
            assert process.poll() is None, "the import ended before it could be killed"
            time.sleep(0.2)
        else:
            pytest.fail("the import never started")
        time.sleep(1.0)  # in the middle of it
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    # what kill -9 leaves: a run "running" for ever and the unpacked upload, in the app's
    # own folder (not in bare /tmp)
    assert [r[1] for r in runs(db)] == ["running"]
    assert list(work.glob("upload_*"))
    assert not list((tmp_path / "tmp").glob("openimmo-*"))
    # the next import (any path: here the command again, with a small file) cleans up
    small = tmp_path / "small.zip"
    small.write_bytes(zip_bytes([generate.demo_property(500, images=0)], anid="ACME-ANID"))
    manage(env, "openimmo_import", str(small), "--broker", "acme", "--no-report", "--force")
    first, second = runs(db)
    # the example site speaks German
    assert first[1] == "failed" and "unterbrochen" in first[2]
    assert second[1] == "imported"
    assert not list(work.iterdir())


def _safe_runs(db: Path) -> list[tuple]:
    try:
        return runs(db)
    except sqlite3.Error:
        return []  # not migrated yet, or locked for a moment


def _entries(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT count(*) FROM wagtail_openimmo_importrunentry WHERE outcome='created'"
            ).fetchone()[0]
    except sqlite3.Error:
        return 0


def test_the_rerun_of_a_killed_inbox_import_reports_its_listings_as_new(tmp_path):
    """Issue 15, item 8: the listings a killed inbox import created were reported as
    "unchanged" by the run that completed the file, so the broker never heard they are new."""
    env = _env(tmp_path)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    env["EMAIL_FILE_PATH"] = str(tmp_path / "mail")
    db = tmp_path / "site.sqlite3"
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "openimmo_broker", "create", "acme", "--name", "Acme", "--anid", "ACME-ANID",
           "--email", "acme@example.com", "--approve", "--language", "en")
    folder = tmp_path / "inbox" / "acme"
    folder.mkdir(parents=True)
    total = 80
    (folder / "stock.zip").write_bytes(
        zip_bytes([generate.demo_property(n, images=2) for n in range(total)], anid="ACME-ANID")
    )
    (folder / "stock.zip.done").write_bytes(b"")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "example_site" / "manage.py"), "openimmo_import",
         "--broker", "acme"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if _entries(db) >= 5:
                break
            assert process.poll() is None, "the import ended before it could be killed"
            time.sleep(0.1)
        else:
            pytest.fail("the import never started")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    killed_created = _entries(db)
    assert 5 <= killed_created < total, "killed in the middle of the file"
    assert [r[1] for r in runs(db)] == ["running"]
    assert not list((tmp_path / "mail").glob("*")) if (tmp_path / "mail").exists() else True
    # the next inbox run takes the file left in processing/ and completes it
    manage(env, "openimmo_import", "--broker", "acme")
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT status, created, updated, unchanged FROM wagtail_openimmo_importrun "
            "ORDER BY id"
        ).fetchall()
        outcomes = conn.execute(
            "SELECT outcome, count(*) FROM wagtail_openimmo_importrunentry "
            "WHERE run_id = (SELECT max(id) FROM wagtail_openimmo_importrun) GROUP BY outcome"
        ).fetchall()
    assert rows[0][0] == "failed"
    # every listing of the file is new to the broker: none reads "unchanged"
    assert rows[1] == ("imported", total, 0, 0)
    assert dict(outcomes) == {"created": total}
    [report] = [
        p.read_text() for p in (tmp_path / "mail").iterdir() if "acme@example.com" in p.read_text()
    ]
    assert "New: 80" in report and "Unchanged: 0" in report
    # the same file once more: now it is unchanged (the killed run is not counted twice)
    archived = next((tmp_path / "inbox" / ".openimmo" / "archive").rglob("stock*.zip"))
    (folder / "again.zip").write_bytes(archived.read_bytes())
    (folder / "again.zip.done").write_bytes(b"")
    manage(env, "openimmo_import", "--broker", "acme")
    with sqlite3.connect(db) as conn:
        third = conn.execute(
            "SELECT status, created, updated, unchanged FROM wagtail_openimmo_importrun "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert third == ("imported", 0, 0, total)
