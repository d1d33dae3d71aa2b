"""The app's recurring django-q jobs, declared once and written to django-q's ``Schedule`` table.

django-q2 keeps schedules as database rows, which the cluster (``manage.py qcluster``) reads
every few seconds. ``ensure_schedules()`` makes those rows match the list below: it creates
missing ones, updates changed ones (an operator changed ``INBOX_SCAN_MINUTES``, say) and
removes ``wagtail_openimmo:`` rows that are no longer wanted, so running it again and again
is harmless. It runs from the ``openimmo_schedule`` command after ``migrate``; there is no
data migration, which would tie this app's migrations to django-q's.

django-q2's own ``schedule()`` helper is not used: it refuses a name that exists already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from .conf import get_setting

PREFIX = "wagtail_openimmo:"


def _search_agents_anywhere() -> bool:
    # Imported here: loading the app (and this module) does not load the front end.
    from .frontend.site_config import search_agents_anywhere

    return search_agents_anywhere()


@dataclass(frozen=True)
class JobSpec:
    """One recurring job.

    ``minutes`` is a setting name or a number (for ``Schedule.MINUTES``); ``at`` is the local
    time of day a daily job first runs; ``enabled`` says whether the job applies to this site
    (an optional app that is not installed, say).
    """

    name: str
    func: str
    schedule_type: str
    minutes: str | int | None = None
    at: dt.time | None = None
    enabled: Callable[[], bool] | None = None

    @property
    def full_name(self) -> str:
        return PREFIX + self.name

    def interval(self) -> int | None:
        if self.schedule_type != Schedule.MINUTES:
            return None
        value = get_setting(self.minutes) if isinstance(self.minutes, str) else self.minutes
        return max(1, int(value))


def _is24_installed() -> bool:
    return apps.is_installed("wagtail_openimmo.is24")


JOBS: list[JobSpec] = [
    # A sign of life of the cluster, for the admin's worker warning (see workers.py).
    JobSpec("heartbeat", "wagtail_openimmo.tasks.heartbeat", Schedule.MINUTES, minutes=1),
    # Import what brokers uploaded (uploads on the built-in FTP server are also queued at once).
    JobSpec(
        "inbox-scan",
        "wagtail_openimmo.tasks.process_inboxes",
        Schedule.MINUTES,
        minutes="INBOX_SCAN_MINUTES",
    ),
    # Delete archived uploads older than ARCHIVE_DAYS.
    JobSpec(
        "archive-cleanup", "wagtail_openimmo.tasks.clean_archive", Schedule.DAILY, at=dt.time(3, 15)
    ),
    # Delete import runs older than RUN_RETENTION_DAYS.
    JobSpec(
        "run-log-purge",
        "wagtail_openimmo.tasks.purge_import_runs",
        Schedule.DAILY,
        at=dt.time(3, 30),
    ),
    # Try again the broker reports the mail server refused.
    JobSpec(
        "report-retry",
        "wagtail_openimmo.tasks.send_pending_reports",
        Schedule.MINUTES,
        minutes="REPORT_RETRY_MINUTES",
    ),
    # Upload exports to the brokers' configured FTP targets (a no-op without targets).
    JobSpec("export-push", "wagtail_openimmo.tasks.push_exports", Schedule.HOURLY),
    # Mail search agents their new matching listings; delete unconfirmed agents.
    JobSpec(
        "search-agents",
        "wagtail_openimmo.tasks.send_search_agent_mails",
        Schedule.MINUTES,
        minutes="SEARCH_AGENT_SEND_MINUTES",
        enabled=lambda: _search_agents_anywhere(),  # on by default or for some site
    ),
    # Synchronise listings with ImmobilienScout24.
    JobSpec(
        "is24-sync",
        "wagtail_openimmo.is24.tasks.sync_all",
        Schedule.MINUTES,
        minutes="IS24_SYNC_MINUTES",
        enabled=_is24_installed,
    ),
]


@dataclass(frozen=True)
class Change:
    """What ``ensure_schedules`` did with one job: created, updated, unchanged, removed or
    skipped (with the reason)."""

    name: str
    action: str
    detail: str = ""


def _importable(dotted: str) -> bool:
    try:
        return callable(import_string(dotted))
    except ImportError:
        return False


def _first_run(spec: JobSpec, now: dt.datetime) -> dt.datetime:
    if spec.at is None:
        return now
    local = timezone.localtime(now)
    first = local.replace(hour=spec.at.hour, minute=spec.at.minute, second=0, microsecond=0)
    if first <= local:
        first += dt.timedelta(days=1)
    return first


def _describe(schedule_type: str, minutes: int | None) -> str:
    if schedule_type == Schedule.MINUTES:
        return f"every {minutes} min"
    # Command output for operators' logs: plain English, whatever LANGUAGE_CODE is.
    words = {Schedule.HOURLY: "hourly", Schedule.DAILY: "daily", Schedule.WEEKLY: "weekly"}
    return words.get(schedule_type, schedule_type)


@transaction.atomic
def ensure_schedules(*, jobs: list[JobSpec] | None = None, now=None) -> list[Change]:
    """Create, update or remove the app's ``Schedule`` rows so that they match ``jobs``."""
    now = now or timezone.now()
    jobs = JOBS if jobs is None else jobs
    changes: list[Change] = []
    wanted: set[str] = set()
    for spec in jobs:
        if spec.enabled is not None and not spec.enabled():
            changes.append(Change(spec.full_name, "skipped", "not enabled on this site"))
            continue
        if not _importable(spec.func):
            changes.append(Change(spec.full_name, "skipped", f"{spec.func} is not available"))
            continue
        wanted.add(spec.full_name)
        minutes = spec.interval()
        rows = list(Schedule.objects.filter(name=spec.full_name).order_by("id"))
        for duplicate in rows[1:]:
            duplicate.delete()
        row = rows[0] if rows else None
        detail = f"{spec.func}, {_describe(spec.schedule_type, minutes)}"
        if row is None:
            Schedule.objects.create(
                name=spec.full_name,
                func=spec.func,
                schedule_type=spec.schedule_type,
                minutes=minutes,
                repeats=-1,
                next_run=_first_run(spec, now),
            )
            changes.append(Change(spec.full_name, "created", detail))
            continue
        target = {
            "func": spec.func,
            "schedule_type": spec.schedule_type,
            "minutes": minutes,
            "repeats": -1,
            "cron": None,
            "args": None,
            "kwargs": None,
            "hook": None,
        }
        differs = {k for k, v in target.items() if getattr(row, k) != v}
        if not differs:
            changes.append(Change(spec.full_name, "unchanged", detail))
            continue
        for key, value in target.items():
            setattr(row, key, value)
        if differs & {"schedule_type", "minutes"} or row.next_run is None:
            row.next_run = _first_run(spec, now)
        row.save()
        changes.append(Change(spec.full_name, "updated", detail))
    for row in Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=wanted):
        changes.append(Change(row.name, "removed", row.func))
        row.delete()
    return changes
