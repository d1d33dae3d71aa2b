"""django-q2 entry points: thin functions the cluster calls by dotted path.

Their arguments are JSON/pickle-friendly (ids and paths, not model instances) and their
results JSON-safe lists/dicts so that django-q can store them; the work is done in the
service modules. Schedules (see ``schedules.py``) and ``async_task`` name these functions.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import reports, retention

logger = logging.getLogger("wagtail_openimmo.tasks")

INBOX_GROUP = "wagtail_openimmo:inbox"


def process_inboxes() -> list[dict]:
    """Import every complete upload in every inbox folder."""
    from .inbox import process_inboxes as run

    return [outcome.as_json() for outcome in run()]


def import_upload(path: str) -> list[dict]:
    """Import an upload the built-in FTP server has just received.

    The whole folder it arrived in is processed, not only this file: one broker's files must
    be applied in order, and an older file may still be waiting there.
    """
    from .conf import inbox_dir
    from .inbox import process_inboxes as run

    folder = _inbox_folder_of(Path(path), inbox_dir())
    if folder is None:
        logger.warning("import_upload: %s is not in an inbox folder; nothing done.", path)
        return []
    return [outcome.as_json() for outcome in run(folder=folder)]


def confirm_held_run(run_id: int) -> dict | None:
    """Apply a full transfer the mass-withdrawal guard held, on the operator's confirmation.

    Queued by the admin's "Confirm and import" button. The broker's later uploads, which
    waited behind the held file, are imported right after it. Nothing is done (and None
    returned) when the run is no longer held: confirmed twice, discarded meanwhile, or its
    file gone.
    """
    from .inbox import HeldFileError, confirm_held
    from .inbox import process_inboxes as run_inboxes
    from .models import ImportRun

    run = ImportRun.objects.filter(pk=run_id).select_related("broker").first()
    if run is None:
        logger.warning("confirm_held_run: import run %s does not exist.", run_id)
        return None
    try:
        outcome = confirm_held(run)
    except HeldFileError as exc:
        logger.warning("confirm_held_run: run %s not confirmed: %s", run_id, exc)
        return None
    later = run_inboxes(broker=run.broker)
    return {**outcome.as_json(), "then": [o.as_json() for o in later]}


def clean_archive() -> int:
    """Delete archived inbox files older than ARCHIVE_DAYS."""
    from .inbox import clean_archive as clean

    return clean()


def enqueue_upload(path: str | Path) -> None:
    """Queue ``import_upload(path)`` for the django-q cluster (called by the FTP server)."""
    from django_q.tasks import async_task

    async_task("wagtail_openimmo.tasks.import_upload", str(path), group=INBOX_GROUP)


def _inbox_folder_of(path: Path, root: Path) -> str | None:
    try:
        relative = path.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return None
    parts = relative.parts
    if len(parts) != 2 or parts[0].startswith("."):
        return None
    return parts[0]


def push_exports() -> dict[str, int]:
    """Upload the export of every active ``ExportTarget`` (see ``exporting.push``).

    Returns how many targets were pushed, skipped (nothing changed) and failed.
    """
    from .exporting.push import push_all

    counts = {"pushed": 0, "skipped": 0, "failed": 0}
    for result in push_all():
        counts[result.status] += 1
    return counts


def send_pending_reports() -> int:
    """Send the broker reports that are due (the mail server was away, say)."""
    return reports.send_pending_reports()


def purge_import_runs() -> int:
    """Delete import runs older than ``RUN_RETENTION_DAYS`` (the newest per broker stays)."""
    return retention.purge_import_runs()


def heartbeat() -> bool:
    """Note that a worker is alive (the ``wagtail_openimmo:heartbeat`` schedule, every minute)."""
    from .workers import record_heartbeat

    return record_heartbeat(force=True)


def import_staged(run_id: int) -> dict | None:
    """Import a file an editor uploaded and confirmed in the admin (see importing.staged)."""
    from .importing.staged import import_run
    from .models import ImportRun

    run = ImportRun.objects.filter(pk=run_id).select_related("broker").first()
    if run is None or run.broker is None:
        logger.warning("import_staged: import run %s does not exist.", run_id)
        return None
    run = import_run(run)
    return {"run": run.pk, "status": run.status, "created": run.created,
            "updated": run.updated, "withdrawn": run.withdrawn, "rejected": run.rejected}


def match_search_agents(listing_ids: list[int]) -> int:
    """Record which search agents the listings an import created or changed match, then
    send what is due (see ``leads.agents``)."""
    from .leads import agents

    found = agents.match_listings(listing_ids)
    if found:
        agents.send_due()
    return found


def send_search_agent_mails() -> dict[str, int]:
    """Send the search agents' due mails; delete unconfirmed agents past their time."""
    from .leads import agents

    return {"sent": agents.send_due(), "purged": agents.purge_unconfirmed()}
