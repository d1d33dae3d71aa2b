"""django-q entry points: thin functions the cluster calls by dotted path.

Schedules (see ``schedules.py``) and ``async_task`` name these functions; the work is done
in the service modules. Keep their arguments JSON/pickle-friendly (ids and paths, not model
instances).
"""

from __future__ import annotations

from . import reports, retention


def send_pending_reports() -> int:
    """Send the broker reports that are due (the mail server was away, say)."""
    return reports.send_pending_reports()


def purge_import_runs() -> int:
    """Delete import runs older than ``RUN_RETENTION_DAYS`` (the newest per broker stays)."""
    return retention.purge_import_runs()
