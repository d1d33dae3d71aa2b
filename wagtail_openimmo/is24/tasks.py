"""django-q entry points of the IS24 sync, and its schedule.

The schedule is a row in django-q's ``Schedule`` table, upserted by name with
``ensure_schedules()`` (``python manage.py is24_sync --install-schedule``); django-q2's own
``schedule()`` helper fails on an existing name, and a data migration would tie our
migrations to django-q's.
"""

from __future__ import annotations

from typing import Any

from .. import conf

SCHEDULE_NAME = "wagtail_openimmo:is24_sync"


def sync_all() -> list[dict[str, Any]]:
    """Sync every active IS24 connection; the results as JSON-ready dicts."""
    from . import sync

    return [result.as_dict() for result in sync.sync_all()]


def sync_broker(broker_id: int) -> dict[str, Any]:
    """Sync one broker (e.g. right after an import): the result as a JSON-ready dict."""
    from . import sync

    return sync.sync_broker(broker_id).as_dict()


def schedules() -> list[dict[str, Any]]:
    """The declarative list of this sub-app's django-q schedules."""
    from django_q.models import Schedule

    return [
        {
            "name": SCHEDULE_NAME,
            "func": "wagtail_openimmo.is24.tasks.sync_all",
            "schedule_type": Schedule.MINUTES,
            "minutes": int(conf.get_setting("IS24_SYNC_MINUTES")),
            "repeats": -1,
        }
    ]


def ensure_schedules():
    """Create or update the schedules by name (idempotent); returns the Schedule rows."""
    from django_q.models import Schedule

    rows = []
    for spec in schedules():
        values = {k: v for k, v in spec.items() if k != "name"}
        row, _created = Schedule.objects.update_or_create(name=spec["name"], defaults=values)
        rows.append(row)
    return rows
