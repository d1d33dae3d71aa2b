"""Worker health: the admin warns when no django-q worker was seen, and "Import now" never
pretends (queued only when a worker is alive; else a thread of the web process, or the
command to run)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

from tests.helpers import make_broker
from tests.inbox_support import make_account, write_upload, zip_bytes
from wagtail_openimmo import tasks, workers
from wagtail_openimmo.models import ImportRun, WorkerHeartbeat
from wagtail_openimmo.schedules import ensure_schedules

RUN_NOW = "wagtail_openimmo_runs:run_now"


@pytest.fixture
def no_sync(monkeypatch):
    """django-q as in production: tasks go to the queue for a cluster (here: none)."""
    monkeypatch.setattr(Conf, "SYNC", False)


@pytest.fixture
def inbox(settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    return settings.OPENIMMO_INBOX_DIR


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.django_db
def test_no_worker_is_warned_about_on_dashboard_and_openimmo_pages(client, superuser, no_sync):
    client.force_login(superuser)
    for url in (
        "/admin/",
        reverse("wagtail_openimmo_runs:index"),
        reverse("wagtail_openimmo_inbox:index"),
        reverse("wagtail_openimmo_held:index"),
    ):
        page = client.get(url).content.decode()
        assert "data-openimmo-worker-warning" in page, url
        assert "python manage.py qcluster" in page, url


@pytest.mark.django_db
def test_a_recent_heartbeat_or_progress_means_alive(client, superuser, no_sync, settings):
    assert workers.worker_health().warn
    assert tasks.heartbeat() is True
    health = workers.worker_health()
    assert health.alive and not health.warn and health.last_seen
    client.force_login(superuser)
    assert "data-openimmo-worker-warning" not in client.get("/admin/").content.decode()
    # an old heartbeat is no sign of life; an import's recent progress is
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=6))
    assert workers.worker_health().warn
    ImportRun.objects.create(
        file_name="x.zip", status=ImportRun.Status.RUNNING, progress_at=timezone.now()
    )
    assert not workers.worker_health().warn


@pytest.mark.django_db
def test_heartbeats_from_task_signals_are_throttled(no_sync):
    assert workers.record_heartbeat(force=True)
    assert not workers.record_heartbeat()  # within WRITE_INTERVAL of the last write
    workers.on_worker_spawned()  # a new worker process: always written
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_heartbeat_is_a_schedule_and_its_last_run_is_shown(client, superuser):
    ensure_schedules()
    row = Schedule.objects.get(name="wagtail_openimmo:heartbeat")
    assert (row.func, row.schedule_type, row.minutes) == (
        "wagtail_openimmo.tasks.heartbeat",
        Schedule.MINUTES,
        1,
    )
    infos = {i.name: i for i in workers.schedule_infos()}
    assert infos["heartbeat"].last_run is None and infos["inbox-scan"].next_run
    client.force_login(superuser)
    page = client.get(reverse("wagtail_openimmo_inbox:index")).content.decode()
    assert "data-openimmo-schedules" in page and "Worker heartbeat" in page


@pytest.mark.django_db
def test_import_now_without_worker_and_without_threads_says_what_to_run(
    client, superuser, no_sync, settings
):
    settings.WAGTAIL_OPENIMMO = {"ADMIN_BACKGROUND_IMPORT": False}
    client.force_login(superuser)
    response = client.post(reverse(RUN_NOW), follow=True)
    text = _messages(response)
    assert "Nothing was started" in text and "python manage.py qcluster" in text
    assert "python manage.py openimmo_import" in text
    assert not OrmQ.objects.exists()  # nothing queued into the void


@pytest.mark.django_db
def test_import_now_with_a_worker_queues(client, superuser, no_sync):
    workers.record_heartbeat(force=True)
    client.force_login(superuser)
    response = client.post(reverse(RUN_NOW), follow=True)
    assert "Import queued" in _messages(response)
    assert OrmQ.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_import_now_without_worker_imports_in_a_thread(client, superuser, no_sync, inbox):
    acme = make_broker("acme")
    make_account("acme", acme)
    write_upload(inbox / "acme", "feed.zip", zip_bytes(anid="ACME-ANID"), mtime=time.time() - 10)
    client.force_login(superuser)
    # The redirect is followed only once the thread is done: the test database is SQLite
    # in memory with a shared cache, where a reader and the thread's writes collide at once
    # ("table is locked") instead of waiting as they do on a site's database file.
    response = client.post(reverse(RUN_NOW))
    assert not OrmQ.objects.exists()
    [thread] = [t for t in threading.enumerate() if t.name == "wagtail_openimmo:run-now"]
    thread.join(60)
    assert "No background worker is running" in _messages(client.get(response.url))
    [run] = ImportRun.objects.all()
    assert run.status == ImportRun.Status.IMPORTED and run.created == 1
