"""django-q entry points of the IS24 sync.

Its schedule (every ``IS24_SYNC_MINUTES``) is the ``is24-sync`` job of the app's
``schedules.JOBS``, written by ``openimmo_schedule`` like every other job;
``is24_sync --install-schedule`` does the same. One list of jobs keeps the two commands
from creating two schedules of the same sync (or removing each other's).
"""

from __future__ import annotations

from typing import Any

SCHEDULE_NAME = "wagtail_openimmo:is24-sync"  # schedules.PREFIX + the job name


def sync_all() -> list[dict[str, Any]]:
    """Sync every active IS24 connection; the results as JSON-ready dicts."""
    from . import sync

    return [result.as_dict() for result in sync.sync_all()]


def sync_broker(broker_id: int) -> dict[str, Any]:
    """Sync one broker (e.g. right after an import): the result as a JSON-ready dict."""
    from . import sync

    return sync.sync_broker(broker_id).as_dict()


def ensure_schedules():
    """Write the app's schedules (``schedules.ensure_schedules``); the IS24 sync's row(s)."""
    from django_q.models import Schedule

    from ..schedules import ensure_schedules as ensure_all

    ensure_all()
    return list(Schedule.objects.filter(name=SCHEDULE_NAME))
