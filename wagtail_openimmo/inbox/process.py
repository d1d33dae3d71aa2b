"""The inbox life cycle: from a finished upload to archive/ or failed/.

For every inbox folder, ``process_inboxes()``

1. takes the files a crashed run left in ``processing/`` and the uploads that are complete
   (see ``scan``);
2. finds each file's broker (the account's broker, or the identifiers in a shared account's
   file; a file that matches no broker is moved to ``unmatched/`` with the reason and
   reported to the operator -- kept, never dropped);
3. leaves the files of brokers whose imports are not approved where they are, and tells
   the broker once;
4. sorts each broker's files by when the broker wrote them and, holding that broker's lock,
   moves each to ``processing/``, imports it, and moves it to ``archive/YYYY/MM/``,
   ``held/`` (a full transfer the mass-withdrawal guard stopped; later files of that broker
   wait behind it) or ``failed/`` with ``<name>.txt`` giving the reason.

A crash during an import leaves the file in ``processing/``; the next run takes it again
(after ``INBOX_MAX_ATTEMPTS`` crashes it goes to ``failed/``). Later files of that broker
wait, so the order is kept. Moves into ``processing/`` are atomic: when two runs meet, one
gets the file and the other finds it gone.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..conf import get_setting, inbox_dir
from ..logsafe import escape
from ..messages import message_record, records_of, say
from ..models import Broker, ImportRun
from ..openimmo.xsd import XsdValidator
from ..progress import RunProgress
from ..reports import send_run_report
from . import cleanup, layout, order, scan
from .approval import clear_approval_request, is_import_approved, notify_awaiting_approval
from .folders import InboxFolder, inbox_folders

logger = logging.getLogger("wagtail_openimmo.inbox")

Status = ImportRun.Status

# Outcomes besides the ImportRun statuses.
AWAITING_APPROVAL = "awaiting_approval"
WAITING = "waiting"  # behind a held or crashed file of the same broker
UNMATCHED = "unmatched"
CRASHED = "crashed"
BUSY = "busy"  # another run holds the broker's lock
GONE = "gone"  # another run took the file first


# --- the importer (issue 3) -------------------------------------------------------------
# Imported when used, so that this module loads without the importing package's heavy
# dependencies; tests of the state machine replace these three names.


def import_file(path: Path, broker: Broker, **kwargs):
    from ..importing import import_file as _import_file

    return _import_file(path, broker, **kwargs)


def identify_broker(path: Path) -> Broker | None:
    from ..importing import identify_broker as _identify_broker

    return _identify_broker(path)


def broker_lock(broker_id: int):
    from ..locks import broker_lock as _broker_lock

    return _broker_lock(broker_id, timeout=BUSY_WAIT_SECONDS)


# How long a run waits for a broker whose files another run (another worker) is importing.
# Short on purpose: that run imports whatever arrives meanwhile before it lets go (see
# ``_import_arrivals``), so waiting longer would only make every worker queue up behind the
# first broker instead of taking the next one. The wait covers the moment between that
# run's last look into the folder and the release of its lock.
BUSY_WAIT_SECONDS = 5.0
# Most extra looks into a folder for uploads that arrived during an import.
MAX_RESCANS = 20


def _is_lock_busy(exc: BaseException) -> bool:
    return type(exc).__name__ == "BrokerLocked"


# ``progress(name)`` -> a callback ``(kind, done, total)`` for that file's import, or None.
ProgressFactory = Callable[[str], Callable[[str, int, int], None] | None]


# --- results ----------------------------------------------------------------------------


@dataclass
class InboxOutcome:
    """What happened to one inbox file in a run."""

    file: str
    folder: str
    broker: Broker | None
    status: str  # an ImportRun status, or one of the outcomes above
    message: str = ""
    path: Path | None = None  # where the file is now
    run: ImportRun | None = None
    result: Any = None  # the importer's ImportResult, if it ran

    def as_json(self) -> dict:
        """The importer's JSON for the file (``openimmo_import --json``) plus where it is now.

        ``file`` is the name it was uploaded as, ``path`` where it is now, ``folder`` the inbox
        folder; files that were not imported (waiting, unmatched, …) have zero counts.
        """
        data = {
            "file": self.file,
            "folder": self.folder,
            "broker": self.broker.slug if self.broker else None,
            "status": self.status,
            "message": str(self.message),
            "path": str(self.path) if self.path else None,
            "run": self.run.pk if self.run else None,
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "withdrawn": 0,
            "rejected": 0,
            "warnings": [],
            "errors": [],
        }
        if self.result is not None and hasattr(self.result, "as_json"):
            imported = self.result.as_json()
            data.update({k: v for k, v in imported.items() if k not in ("file", "path")})
            data["message"] = str(self.message or imported.get("message") or "")
            data["status"] = self.status
        return data


@dataclass
class _Batch:
    broker: Broker
    folder: InboxFolder
    items: list[scan.InboxFile] = field(default_factory=list)


# --- the run ----------------------------------------------------------------------------


def check_schema() -> None:
    """Raise ``XsdUnavailable`` when ``XSD_PATH`` is set but is not a readable XML Schema."""
    path = get_setting("XSD_PATH")
    if path:
        XsdValidator.load(path)


def process_inboxes(
    *,
    broker: Broker | None = None,
    folder: str | None = None,
    now: dt.datetime | None = None,
    progress: ProgressFactory | None = None,
) -> list[InboxOutcome]:
    """Import every complete upload of every inbox (or of one broker, or one folder).

    ``progress(name)`` may give a callback ``(kind, done, total)`` for the import of the file
    uploaded as ``name`` (``openimmo_import`` draws its progress bar with it); a callback with
    a ``finish()`` method has it called when that file is done.
    """
    root = inbox_dir()
    root.mkdir(parents=True, exist_ok=True)
    # An unreadable XSD_PATH is the operator's error, not the brokers': stop before any file
    # is taken, so that waiting uploads do not use up their attempts and end in failed/.
    check_schema()
    now = now or timezone.now()
    outcomes: list[InboxOutcome] = []
    for inbox in inbox_folders(root):
        if folder is not None and inbox.name != folder:
            continue
        if broker is not None and not inbox.may_hold(broker):
            continue
        outcomes.extend(
            _process_folder(root, inbox, broker=broker, now=now, progress=progress)
        )
    return outcomes


def _process_folder(
    root: Path,
    inbox: InboxFolder,
    *,
    broker: Broker | None,
    now: dt.datetime,
    progress: ProgressFactory | None = None,
) -> list[InboxOutcome]:
    outcomes: list[InboxOutcome] = []
    try:
        cleanup.remove_stale_uploads(root, inbox.name)
    except Exception:  # never a reason not to import
        logger.exception("Could not clean the stale uploads of inbox folder %s", inbox.name)
    items = scan.leftovers(root, inbox.name) + _ready(root, inbox, now)
    batches: dict[int, _Batch] = {}
    for item in items:
        found, reason = _broker_for(inbox, item)
        if found is None and not item.path.exists():
            continue  # another run took it
        if found is None:
            if broker is None:  # a run for one broker leaves other files alone
                try:
                    outcomes.append(_unmatched(root, inbox, item, reason, now))
                except Exception as exc:
                    outcomes.append(_file_error(root, None, inbox, item, exc, now))
            continue
        if broker is not None and found.pk != broker.pk:
            continue
        batches.setdefault(found.pk, _Batch(found, inbox)).items.append(item)
    for batch in batches.values():
        outcomes.extend(_process_batch(root, batch, now, progress))
    return outcomes


def _ready(root: Path, inbox: InboxFolder, now: dt.datetime) -> list[scan.InboxFile]:
    return [i for i in scan.scan_folder(root, inbox.name, now=now.timestamp()) if i.ready]


def _broker_for(inbox: InboxFolder, item: scan.InboxFile) -> tuple[Broker | None, str]:
    if inbox.problem:
        return None, inbox.problem
    if inbox.broker is not None:
        return inbox.broker, ""
    if not layout.is_data_file(item.name):
        return None, say(
            "not_openimmo_file", gettext_noop("This is not an OpenImmo ZIP or XML file.")
        )
    try:
        found = identify_broker(item.path)
    except FileNotFoundError:
        return None, ""
    except Exception:
        logger.exception("Could not read %s to find its broker", escape(item.path))
        found = None
    if found is None:
        return None, say(
            "broker_unknown",
            gettext_noop(
                "The file names no broker of this site: neither its <anbieternr> nor its "
                "<openimmo_anid> is known. Add the identifiers to the broker, then move the "
                "file back into the inbox folder."
            ),
        )
    if inbox.candidates is not None and all(b.pk != found.pk for b in inbox.candidates):
        return None, say(
            "broker_not_in_account",
            gettext_noop(
                "The file belongs to broker “{broker}”, who may not upload to the FTP account "
                "“{account}”."
            ),
            broker=found.name,
            account=inbox.name,
        )
    return found, ""


def _process_batch(
    root: Path, batch: _Batch, now: dt.datetime, progress: ProgressFactory | None = None
) -> list[InboxOutcome]:
    broker, inbox = batch.broker, batch.folder
    approved, why = is_import_approved(broker)
    if not approved:
        notify_awaiting_approval(broker, [i.name for i in batch.items], reason=why)
        return [
            InboxOutcome(i.name, inbox.name, broker, AWAITING_APPROVAL, why, i.path)
            for i in batch.items
        ]
    clear_approval_request(broker)
    items = sorted(batch.items, key=lambda i: order.sort_key(i.path, i.mtime))
    try:
        with broker_lock(broker.pk):
            outcomes = _import_in_order(root, broker, inbox, items, now, progress)
            outcomes.extend(_import_arrivals(root, broker, inbox, outcomes, now, progress))
            return outcomes
    except Exception as exc:
        if not _is_lock_busy(exc):
            raise
        message = _("Another import of this broker is running; the file waits for the next run.")
        return [InboxOutcome(i.name, inbox.name, broker, BUSY, message, i.path) for i in items]


def _import_in_order(
    root: Path,
    broker: Broker,
    inbox: InboxFolder,
    items: list[scan.InboxFile],
    now: dt.datetime,
    progress: ProgressFactory | None = None,
) -> list[InboxOutcome]:
    outcomes: list[InboxOutcome] = []
    blocked = _held_run(root, broker)
    for item in items:
        if blocked is not None:
            outcomes.append(
                InboxOutcome(
                    item.name,
                    inbox.name,
                    broker,
                    WAITING,
                    _("Waits until the operator has decided on the held file “%(file)s”.")
                    % {"file": blocked},
                    item.path,
                )
            )
            continue
        started = timezone.now()
        try:
            outcome = _import_one(root, broker, inbox, item, now, progress)
        except Exception as exc:
            if _is_lock_busy(exc):
                raise
            # One file's trouble (a name too long for a reason file, a disk error on a
            # move, ...) must not stop the run for every later file and broker.
            outcome = _file_error(root, broker, inbox, item, exc, now, since=started)
        outcomes.append(outcome)
        if outcome.status in (CRASHED, Status.HELD):
            blocked = outcome.file
    return outcomes


def _import_arrivals(
    root: Path,
    broker: Broker,
    inbox: InboxFolder,
    outcomes: list[InboxOutcome],
    now: dt.datetime,
    progress: ProgressFactory | None = None,
) -> list[InboxOutcome]:
    """Import the broker's uploads that became ready while this run held its lock.

    Other runs (the FTP server's, another worker's scan) that find the lock taken skip the
    broker rather than queue behind it; their files are taken here, still in order.
    """
    more: list[InboxOutcome] = []
    for _attempt in range(MAX_RESCANS):
        if any(o.status in (CRASHED, WAITING, Status.HELD) for o in (*outcomes, *more)):
            return more  # later files wait behind a crashed or held one
        items = []
        # judged by the clock of this look, not of the run's start: these arrived since
        for item in _ready(root, inbox, timezone.now()):
            found, _reason = _broker_for(inbox, item)
            if found is not None and found.pk == broker.pk:
                items.append(item)
        if not items:
            break
        items.sort(key=lambda i: order.sort_key(i.path, i.mtime))
        more.extend(_import_in_order(root, broker, inbox, items, now, progress))
    return more


def _held_run(root: Path, broker: Broker) -> str | None:
    """The name of a file of ``broker`` waiting in held/ for the operator, if any."""
    held_dir = layout.app_dir(root) / layout.HELD
    for run in ImportRun.objects.filter(broker=broker, status=Status.HELD).order_by("pk"):
        if layout.is_within(run.file_path, held_dir) and Path(run.file_path).exists():
            return run.file_name
    return None


def _import_one(
    root: Path,
    broker: Broker,
    inbox: InboxFolder,
    item: scan.InboxFile,
    now: dt.datetime,
    progress: ProgressFactory | None = None,
) -> InboxOutcome:
    if item.reason == "leftover":
        path = item.path
        if not path.exists():
            return InboxOutcome(item.name, inbox.name, broker, GONE, "", None)
    else:
        try:
            path = layout.move_into(
                item.path, layout.state_dir(root, layout.PROCESSING, inbox.name)
            )
        except FileNotFoundError:
            return InboxOutcome(item.name, inbox.name, broker, GONE, "", None)
        _forget_upload(root, inbox.name, item)

    # A run still "running" for this file was interrupted: we hold the broker's lock.
    interrupted = say(
        "import_interrupted",
        gettext_noop("The import was interrupted; the file was kept and imported again."),
    )
    ImportRun.objects.filter(broker=broker, file_path=str(path), status=Status.RUNNING).update(
        status=Status.FAILED,
        finished_at=now,
        message=interrupted,
        message_data=records_of(interrupted),
    )
    crashes = ImportRun.objects.filter(
        broker=broker, file_path=str(path), status=Status.FAILED
    ).count()
    if crashes >= get_setting("INBOX_MAX_ATTEMPTS"):
        reason = say(
            "import_failed_repeatedly",
            gettext_noop(
                "The import of this file failed {count} times with an internal error; it was "
                "set aside. The operator has been told."
            ),
            count=crashes,
        )
        moved = _to_failed(root, inbox.name, path, reason, now)
        ImportRun.objects.filter(broker=broker, file_path=str(path)).update(file_path=str(moved))
        _notify_operator(
            _("OpenImmo import keeps failing: %(file)s") % {"file": escape(item.name)},
            f"{reason}\n\n{moved}",
        )
        return InboxOutcome(item.name, inbox.name, broker, Status.FAILED, reason, moved)

    run = ImportRun.objects.create(
        broker=broker,
        file_name=item.name,
        file_path=str(path),
        size=item.size,
        status=Status.RUNNING,
        started_at=timezone.now(),
    )
    # The run's progress is written for the admin's inbox overview, then passed on.
    callback = RunProgress(run, progress(item.name) if progress is not None else None)
    try:
        result = import_file(path, broker, run=run, progress=callback)
    except Exception as exc:
        logger.exception("Import of %s for broker %s crashed", escape(path), broker.slug)
        _reconnect_if_broken()
        message = say(
            "import_crashed",
            gettext_noop(
                "The import stopped with an internal error ({error}); the file was kept and "
                "will be imported again."
            ),
            error=f"{type(exc).__name__}: {exc}",
        )
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED,
            message=message,
            message_data=records_of(message),
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        return InboxOutcome(item.name, inbox.name, broker, CRASHED, message, path, run)
    finally:
        if callback is not None and hasattr(callback, "finish"):
            callback.finish()
    return _finish(root, inbox.name, broker, path, result, now, original=item.name)


def _file_error(
    root: Path,
    broker: Broker | None,
    inbox: InboxFolder,
    item: scan.InboxFile,
    exc: BaseException,
    now: dt.datetime,
    *,
    since: dt.datetime | None = None,
) -> InboxOutcome:
    """Set aside a file whose handling raised: to failed/ with its reason, the run recorded
    as failed and the broker told; never raises, so the run goes on with the next file."""
    logger.exception("Inbox file %s in %s could not be handled", escape(item.name), inbox.name)
    _reconnect_if_broken()
    message = _(
        "The file could not be handled (%(error)s); it was set aside in failed/ and the "
        "operator can look at it. Please check its name and content and send it again."
    ) % {"error": escape(f"{type(exc).__name__}: {exc}")[:500]}
    run = None
    moved = None
    try:
        failed_dir = layout.state_dir(root, layout.FAILED, inbox.name)
        runs = ImportRun.objects.filter(broker=broker, file_name=item.name)
        if since is not None:
            run = runs.filter(started_at__gte=since).order_by("-pk").first()
        places = [item.path, layout.state_dir(root, layout.PROCESSING, inbox.name) / item.name]
        if run is not None and run.file_path:
            places.insert(0, Path(run.file_path))
        current = next((p for p in places if p.exists()), None)
        if current is not None:
            if layout.is_within(current, failed_dir):
                moved = current
            else:
                moved = layout.move_into(current, failed_dir)
            layout.write_reason(moved, message)
            _touch(moved, now)
            scan.clear_marks(root, inbox.name, item.name)
        fields = {"message": message, "finished_at": timezone.now()}
        if moved is not None:
            fields["file_path"] = str(moved)
        if run is None:
            run = ImportRun.objects.create(
                broker=broker, file_name=item.name[:255], size=item.size,
                status=Status.FAILED, started_at=now, **fields,
            )
        else:
            if run.status == Status.RUNNING:
                fields["status"] = Status.FAILED
            ImportRun.objects.filter(pk=run.pk).update(**fields)
            run.refresh_from_db()
        if broker is not None:
            _tell_removed_uploads(root, inbox.name, run)
            send_run_report(run)
        else:
            _notify_operator(
                _("OpenImmo upload could not be handled: %(file)s") % {"file": escape(item.name)},
                f"{message}\n\n{moved or item.path}",
            )
    except Exception:
        logger.exception("Could not set aside the inbox file %s", escape(item.name))
    return InboxOutcome(item.name, inbox.name, broker, Status.FAILED, message, moved, run)


def _reconnect_if_broken() -> None:
    """After the database dropped the connection, let the next query open a new one.

    A failed rollback at the end of a property's transaction closes the connection already;
    a plain query that failed leaves it broken, and the crash could not be recorded. (The
    broker's advisory lock went with the old connection: after a crash nothing more of this
    broker is imported in this run.)
    """
    if connection.in_atomic_block or connection.connection is None:
        return
    try:
        usable = connection.is_usable()
    except Exception:
        usable = False
    if not usable:
        connection.close()


def _finish(
    root: Path,
    folder: str,
    broker: Broker,
    path: Path,
    result,
    now: dt.datetime,
    *,
    original: str,
) -> InboxOutcome:
    """Move an imported file to where its result says it belongs."""
    status = str(result.status)
    if status in (Status.IMPORTED, Status.PARTLY):
        local = timezone.localtime(now)
        moved = layout.move_into(
            path,
            layout.state_dir(root, layout.ARCHIVE, folder) / f"{local:%Y}" / f"{local:%m}",
        )
        _touch(moved, now)
    elif status == Status.HELD:
        moved = layout.move_into(path, layout.state_dir(root, layout.HELD, folder))
    else:
        moved = _to_failed(root, folder, path, _failure_text(result), now)
    # This run and earlier crashed attempts of the same file now point at where it is.
    ImportRun.objects.filter(broker=broker, file_path=str(path)).update(file_path=str(moved))
    run = getattr(result, "run", None)
    if run is not None and run.pk:
        ImportRun.objects.filter(pk=run.pk).update(file_path=str(moved))
        run.file_path = str(moved)
    logger.info(
        "Inbox file %s of broker %s: %s -> %s", escape(original), broker.slug, status, escape(moved)
    )
    if run is not None and run.pk:
        _tell_removed_uploads(root, folder, run)
        # Never raises: a mail server that is down leaves the report for the retry job.
        send_run_report(run)
    return InboxOutcome(
        original,
        folder,
        broker,
        status,
        str(getattr(result, "message", "") or ""),
        moved,
        run,
        result,
    )


REMOVED_UPLOADS = gettext_noop(
    "Unfinished uploads older than {hours} hours were deleted from your FTP folder: "
    "{names}. Files with temporary names (ending in .part or .tmp, or starting with a dot) "
    "are never imported; please send again what was meant to arrive."
)
REMOVED_UPLOADS_MORE = gettext_noop(
    "Unfinished uploads older than {hours} hours were deleted from your FTP folder: "
    "{names} and {more} more. Files with temporary names (ending in .part or .tmp, or "
    "starting with a dot) are never imported; please send again what was meant to arrive."
)


def _tell_removed_uploads(root: Path, folder: str, run: ImportRun) -> None:
    """Put the unfinished uploads deleted from ``folder`` since the last report into the
    report on ``run`` (a finding with the code ``temporary_files_removed``)."""
    try:
        removed = cleanup.take_removed(root, folder)
        if not removed:
            return
        more = int(removed.get("more") or 0)
        record = message_record(
            "temporary_files_removed",
            REMOVED_UPLOADS_MORE if more else REMOVED_UPLOADS,
            severity="warning",
            names=", ".join(sorted(str(n) for n in removed["names"])),
            more=more,
            hours=removed.get("hours"),
        )
        run.refresh_from_db(fields=["problems"])
        run.problems = [*(run.problems or []), record]
        ImportRun.objects.filter(pk=run.pk).update(problems=run.problems)
    except Exception:
        logger.exception("Could not note the removed uploads of %s on run %s", folder, run.pk)


def _failure_text(result) -> str:
    lines = [str(getattr(result, "message", "") or _("The file was not imported."))]
    data = result.as_json() if hasattr(result, "as_json") else {}
    for error in data.get("errors") or []:
        where = " ".join(
            str(x)
            for x in (error.get("objektnr"), error.get("line") and f"line {error['line']}")
            if x
        )
        lines.append(f"- {where + ': ' if where else ''}{error.get('message', '')}")
    return "\n".join(lines)


def _to_failed(
    root: Path, folder: str, path: Path, reason: str, now: dt.datetime | None = None
) -> Path:
    moved = layout.move_into(path, layout.state_dir(root, layout.FAILED, folder))
    layout.write_reason(moved, reason)
    _touch(moved, now)
    return moved


def _touch(path: Path, now: dt.datetime | None) -> None:
    """Date a file by when it was set aside: the clean-up counts from then."""
    stamp = (now or timezone.now()).timestamp()
    os.utime(path, (stamp, stamp))


def _forget_upload(root: Path, folder: str, item: scan.InboxFile) -> None:
    """Drop the completion marks of an upload that has left the inbox."""
    scan.clear_marks(root, folder, item.name)
    if item.marker is not None:
        item.marker.unlink(missing_ok=True)


def _unmatched(
    root: Path, inbox: InboxFolder, item: scan.InboxFile, reason: str, now: dt.datetime
) -> InboxOutcome:
    """Keep a file nobody's imports can take, say why, and tell the operator."""
    try:
        moved = layout.move_into(item.path, layout.state_dir(root, layout.UNMATCHED, inbox.name))
    except FileNotFoundError:
        return InboxOutcome(item.name, inbox.name, None, GONE, "", None)
    _forget_upload(root, inbox.name, item)
    layout.write_reason(moved, reason)
    run = ImportRun.objects.create(
        broker=None,
        file_name=item.name,
        file_path=str(moved),
        size=item.size,
        status=Status.REJECTED,
        message=reason,
        message_data=records_of(reason),
        started_at=now,
        finished_at=now,
    )
    _notify_operator(
        _("OpenImmo upload matches no broker: %(file)s") % {"file": escape(item.name)},
        _(
            "The file “%(file)s” arrived in the inbox folder “%(folder)s” but could not be "
            "given to a broker:\n\n%(reason)s\n\nIt was kept as %(path)s."
        )
        % {"file": escape(item.name), "folder": inbox.name, "reason": reason,
           "path": escape(moved)},
    )
    logger.warning(
        "Inbox file %s in %s matches no broker: %s", escape(item.name), inbox.name, reason
    )
    return InboxOutcome(item.name, inbox.name, None, UNMATCHED, reason, moved, run)


def operator_emails() -> list[str]:
    configured = get_setting("OPERATOR_EMAILS")
    if configured:
        return [configured] if isinstance(configured, str) else list(configured)
    return [a[1] if isinstance(a, list | tuple) else a for a in settings.ADMINS]


def _notify_operator(subject: str, body: str, recipients: Iterable[str] | None = None) -> None:
    recipients = list(recipients or operator_emails())
    if not recipients:
        logger.warning("No operator e-mail address (OPERATOR_EMAILS, ADMINS): %s", subject)
        return
    try:
        send_mail(
            subject,
            body,
            get_setting("REPORT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:
        # The file is kept and visible in the admin; a mail failure must not stop the run.
        logger.exception("Could not tell the operator: %s", subject)
