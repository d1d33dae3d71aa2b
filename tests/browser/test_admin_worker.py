"""The worker warning against the real thing: the example site served by ``runserver`` and,
halfway, a real ``manage.py qcluster`` on the same SQLite database (the ORM broker).

Without a cluster the German dashboard warns and names the start command, and "Import now"
says that no worker runs instead of pretending to have queued; once the cluster's workers
have started (they leave a heartbeat), the warning is gone.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import chromium_path, docs_screenshots, screenshot

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
MANAGE = ROOT / "example_site" / "manage.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    def __init__(self, root: Path):
        self.root = root
        self.db = root / "db.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "example_site.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite:///{self.db}",
            "MEDIA_ROOT": str(root / "media"),
            "OPENIMMO_INBOX_DIR": str(root / "inbox"),
            "EMAIL_FILE_PATH": str(root / "mail"),
            "STATIC_ROOT": str(root / "static"),
            "REDIS_URL": "",
            "Q_WORKERS": "1",
            "DJANGO_SUPERUSER_PASSWORD": "secret-pw",
        }
        self.processes: list[subprocess.Popen] = []

    def manage(self, *args, timeout=600):
        return subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )

    def start(self, *args, log: str) -> subprocess.Popen:
        out = (self.root / log).open("ab")
        process = subprocess.Popen(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def heartbeats(self) -> int:
        with sqlite3.connect(self.db, timeout=30) as db:
            return db.execute("SELECT COUNT(*) FROM wagtail_openimmo_workerheartbeat").fetchone()[0]


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    site.manage("migrate", "-v0")
    site.manage("openimmo_schedule")
    site.manage(
        "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"
    )
    try:
        yield site
    finally:
        for process in site.processes:
            site.stop(process)


def _wait(condition, timeout: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    text = "\n".join(p.read_text(errors="replace")[-3000:] for p in logs if p.exists())
    raise AssertionError(f"timed out waiting for {what}\n{text}")


def test_worker_warning_without_cluster_and_gone_with_a_real_qcluster(chromium, site):
    chromium_path()
    port = _free_port()
    server = site.start("runserver", "--noreload", f"127.0.0.1:{port}", log="runserver.log")
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return server.poll() is not None

    _wait(up, 120, "runserver", [site.root / "runserver.log"])
    assert server.poll() is None, (site.root / "runserver.log").read_text()

    page = chromium(locale="de-DE").new_page()
    page.goto(f"{url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/admin/")
    warning = page.locator("[data-openimmo-dashboard] [data-openimmo-worker-warning]")
    assert "Es läuft kein Hintergrund-Worker" in warning.inner_text()
    assert warning.locator("[data-openimmo-start-command]").inner_text() == (
        "python manage.py qcluster"
    )
    docs_screenshots(page, "admin-worker-warning")

    # "Import now" does not pretend: it says no worker runs (and imports in this process).
    page.goto(f"{url}/admin/openimmo/runs/")
    assert page.locator("[data-openimmo-worker-warning]").is_visible()
    page.click("[data-openimmo-run-now]")
    page.wait_for_url("**/admin/openimmo/runs/")
    message = page.locator(".messages").inner_text()
    assert "Es läuft kein Hintergrund-Worker" in message and "Import eingereiht" not in message
    screenshot(page, "admin-worker-warning-run-now")

    cluster = site.start("qcluster", log="qcluster.log")
    _wait(
        lambda: site.heartbeats() > 0 or cluster.poll() is not None,
        120,
        "a heartbeat",
        [site.root / "qcluster.log"],
    )
    assert cluster.poll() is None, (site.root / "qcluster.log").read_text()
    page.goto(f"{url}/admin/")
    assert page.locator("[data-openimmo-dashboard]").is_visible()
    assert page.locator("[data-openimmo-worker-warning]").count() == 0
    page.goto(f"{url}/admin/openimmo/inbox/")
    assert page.locator("[data-openimmo-worker-warning]").count() == 0
    screenshot(page, "admin-worker-running-inbox")
