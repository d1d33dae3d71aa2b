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
