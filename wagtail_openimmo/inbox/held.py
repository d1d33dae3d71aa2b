"""Files that wait for the operator: the admin's "held files" list and its two actions.

Three kinds of files wait:

- ``approval``: uploads of a broker whose imports are not approved (they stay in the inbox;
  approving the broker lets the next run import them);
- ``voll_guard``: a full transfer (VOLL) that would have withdrawn too many listings, kept in
  ``held/`` until the operator confirms it (``confirm_held``: imported with ``force``) or
  discards it (``discard_held``: moved to ``failed/``);
- ``waiting``: later uploads of a broker with a held full transfer; applying them first
  would put the broker's changes out of order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..conf import inbox_dir
from ..messages import records_of, say
from ..models import Broker, ImportRun
from . import layout, process, scan
from .approval import is_import_approved
from .folders import inbox_folders

Status = ImportRun.Status

APPROVAL = "approval"
VOLL_GUARD = "voll_guard"
WAITING = "waiting"


class HeldFileError(Exception):
    """The held file cannot be confirmed or discarded (already done, or missing)."""


@dataclass
class HeldFile:
    path: Path
    folder: str
    broker: Broker | None
    kind: str  # approval | voll_guard | waiting
    reason: str
    size: int
    since: dt.datetime  # upload time, or when the guard held it
    run: ImportRun | None = None

    @property
    def name(self) -> str:
        return self.run.file_name if self.run else self.path.name


def held_files(broker: Broker | None = None) -> list[HeldFile]:
    """Every file waiting for the operator (of one broker, or all), oldest first."""
    root = inbox_dir()
    held: list[HeldFile] = []
    held_runs = _held_runs(root, broker)
    blocked = {run.broker_id for run in held_runs}
    approvals: dict[int, tuple[bool, str]] = {}
    for inbox in inbox_folders(root):
        if broker is not None and not inbox.may_hold(broker):
            continue
        items = scan.leftovers(root, inbox.name) + [
            i for i in scan.scan_folder(root, inbox.name) if i.ready
        ]
        for item in items:
            found, _reason = process._broker_for(inbox, item)
            if found is None or (broker is not None and found.pk != broker.pk):
                continue
            if found.pk not in approvals:
                approvals[found.pk] = is_import_approved(found)
            approved, why = approvals[found.pk]
            since = dt.datetime.fromtimestamp(item.mtime, tz=dt.UTC)
            if not approved:
                held.append(HeldFile(item.path, inbox.name, found, APPROVAL, why, item.size, since))
            elif found.pk in blocked:
                held.append(
                    HeldFile(
                        item.path,
                        inbox.name,
                        found,
                        WAITING,
                        _("Waits behind a held full transfer of the same broker."),
                        item.size,
                        since,
                    )
                )
    for run in held_runs:
        path = Path(run.file_path)
        held.append(
            HeldFile(
                path,
                path.parent.name,
                run.broker,
                VOLL_GUARD,
                run.message_text,
                run.size or 0,
                run.finished_at or run.created_at,
                run,
            )
        )
    held.sort(key=lambda h: h.since)
    return held


def _held_runs(root: Path, broker: Broker | None) -> list[ImportRun]:
    runs = ImportRun.objects.filter(status=Status.HELD).select_related("broker").order_by("pk")
    if broker is not None:
        runs = runs.filter(broker=broker)
    return [run for run in runs if _in_held_dir(root, run) and Path(run.file_path).exists()]


def can_confirm(run: ImportRun) -> bool:
    """Whether the admin can confirm or discard ``run``: held by the guard, file in ``held/``.

    A full transfer held by ``openimmo_import`` (not through the inbox) lies wherever the
    operator put it; it is confirmed with ``openimmo_import FILE --force``.
    """
    return (
        run.status == Status.HELD
        and run.broker_id is not None
        and _in_held_dir(inbox_dir(), run)
        and Path(run.file_path).exists()
    )


def _in_held_dir(root: Path, run: ImportRun) -> bool:
    return layout.is_within(run.file_path, layout.app_dir(root) / layout.HELD)


def _check(root: Path, run: ImportRun) -> Path:
    if run.status != Status.HELD or run.broker_id is None or not _in_held_dir(root, run):
        raise HeldFileError(_("This import is not held for confirmation."))
    path = Path(run.file_path)
    if not path.exists():
        raise HeldFileError(_("The held file %(path)s no longer exists.") % {"path": path})
    return path


def confirm_held(run: ImportRun, *, now: dt.datetime | None = None) -> process.InboxOutcome:
    """Apply a held full transfer despite the mass-withdrawal guard, then archive it.

    Later uploads of the broker, which waited behind it, are imported by the next run.
    """
    root, now = inbox_dir(), now or timezone.now()
    broker = run.broker
    with process.broker_lock(run.broker_id):
        run.refresh_from_db()
        path = _check(root, run)
        folder = path.parent.name
        working = layout.move_into(path, layout.state_dir(root, layout.PROCESSING, folder))
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.RUNNING, file_path=str(working), started_at=timezone.now()
        )
        run.refresh_from_db()
        try:
            result = process.import_file(working, broker, force=True, run=run)
        except Exception as exc:
            process.logger.exception("Confirmed import of %s crashed", working)
            message = say(
                "import_crashed_confirmed",
                gettext_noop("The import stopped with an internal error ({error})."),
                error=f"{type(exc).__name__}: {exc}",
            )
            ImportRun.objects.filter(pk=run.pk).update(
                status=Status.FAILED,
                finished_at=timezone.now(),
                message=message,
                message_data=records_of(message),
            )
            raise
        return process._finish(root, folder, broker, working, result, now, original=run.file_name)


def discard_held(run: ImportRun, *, reason: str = "") -> Path:
    """Set a held full transfer aside unapplied (to failed/, with the reason)."""
    root = inbox_dir()
    with process.broker_lock(run.broker_id):
        run.refresh_from_db()
        path = _check(root, run)
        text = reason or say(
            "voll_discarded",
            gettext_noop("The operator decided not to apply this full transfer."),
        )
        moved = process._to_failed(root, path.parent.name, path, text)
        # the hold reason, then why it was discarded: each shown in its reader's language
        before = run.message_data or records_of(run.message)
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.REJECTED,
            file_path=str(moved),
            message=f"{run.message}\n{text}".strip(),
            message_data=[*before, *records_of(text)],
        )
        return moved
