"""Is a django-q cluster working? Heartbeats written by workers, read by the admin.

A worker records that it is alive (``record_heartbeat``) when it starts, before and after
every task it runs, and every minute through the ``wagtail_openimmo:heartbeat`` schedule
(which also proves the scheduler runs). A running import's progress counts as a sign of
life too, so that workers busy with long imports are not reported as missing.

django-q2's own cluster status (``Stat``) is kept in Django's cache: with the ORM broker and
the default local-memory cache the web process never sees it, so it is not used.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .conf import get_setting
from .models import ImportRun, WorkerHeartbeat

# The command that starts the django-q cluster (shown to the operator as is).
START_COMMAND = "python manage.py qcluster"
# The command that imports every inbox once, without a cluster.
IMPORT_COMMAND = "python manage.py openimmo_import"
# A worker writes its heartbeat at most this often (seconds) from task signals.
WRITE_INTERVAL = 20.0

_last_write = 0.0
_write_lock = threading.Lock()


def record_heartbeat(*, force: bool = False, now: dt.datetime | None = None) -> bool:
    """Note that a worker on this host is alive; True if a row was written.

    Called from django-q's signals in the worker processes: throttled per process, and a
    database error never disturbs the task that triggered it.
    """
    global _last_write
    with _write_lock:
        if not force and time.monotonic() - _last_write < WRITE_INTERVAL:
            return False
        _last_write = time.monotonic()
    try:
        WorkerHeartbeat.objects.update_or_create(
            host=socket.gethostname()[:255],
            defaults={"pid": os.getpid(), "seen_at": now or timezone.now()},
        )
    except DatabaseError:
        return False
    return True


def is_sync() -> bool:
    """Whether django-q runs tasks at once in the process that queues them (``sync``)."""
    from django_q.conf import Conf

    return bool(Conf.SYNC)


SCHEDULE_LABELS = {
    "heartbeat": _("Worker heartbeat"),
    "inbox-scan": _("Inbox scan"),
    "archive-cleanup": _("Archive clean-up"),
    "run-log-purge": _("Import log clean-up"),
    "report-retry": _("Resending reports"),
    "export-push": _("Export to FTP targets"),
    "is24-sync": _("ImmobilienScout24 sync"),
}


@dataclass
class ScheduleInfo:
    name: str
    label: str
    func: str
    last_run: dt.datetime | None
    next_run: dt.datetime | None
    success: bool | None


@dataclass
class WorkerHealth:
    """What the admin says about the cluster."""

    alive: bool
    sync: bool
    last_seen: dt.datetime | None
    host: str = ""
    stale_minutes: int = 0
    start_command: str = START_COMMAND
    import_command: str = IMPORT_COMMAND
    schedules: list[ScheduleInfo] = field(default_factory=list)

    @property
    def warn(self) -> bool:
        return not self.alive and not self.sync


def worker_health(*, now: dt.datetime | None = None, with_schedules: bool = False) -> WorkerHealth:
    """Whether a worker was seen within ``WORKER_STALE_MINUTES`` (and when schedules ran)."""
    now = now or timezone.now()
    minutes = int(get_setting("WORKER_STALE_MINUTES"))
    since = now - dt.timedelta(minutes=minutes)
    beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    last_seen, host = (beat.seen_at, beat.host) if beat else (None, "")
    progress = (
        ImportRun.objects.filter(status=ImportRun.Status.RUNNING, progress_at__isnull=False)
        .order_by("-progress_at")
        .values_list("progress_at", flat=True)
        .first()
    )
    if progress and (last_seen is None or progress > last_seen):
        last_seen = progress
    health = WorkerHealth(
        alive=last_seen is not None and last_seen >= since,
        sync=is_sync(),
        last_seen=last_seen,
        host=host,
        stale_minutes=minutes,
    )
    if with_schedules:
        health.schedules = schedule_infos()
    return health


def schedule_infos() -> list[ScheduleInfo]:
    """The app's django-q schedules with when their last task finished and the next run."""
    from django_q.models import Schedule, Task

    from .schedules import PREFIX

    rows = list(Schedule.objects.filter(name__startswith=PREFIX).order_by("name"))
    tasks = {t.id: t for t in Task.objects.filter(id__in=[r.task for r in rows if r.task])}
    infos = []
    for row in rows:
        task = tasks.get(row.task)
        infos.append(
            ScheduleInfo(
                name=row.name.removeprefix(PREFIX),
                label=str(SCHEDULE_LABELS.get(row.name.removeprefix(PREFIX), row.name)),
                func=row.func,
                last_run=task.stopped if task else None,
                next_run=row.next_run,
                success=task.success if task else None,
            )
        )
    return infos


# --- django-q signal receivers (connected in signals.py) --------------------------------


def on_worker_signal(sender=None, **kwargs) -> None:
    record_heartbeat()


def on_worker_spawned(sender=None, **kwargs) -> None:
    record_heartbeat(force=True)
