"""What is in the inboxes right now, for the admin's inbox overview. Read-only.

Unlike ``scan.scan_folder`` this never writes (no state file, no marks, no moves): it reads
the folders, the marks of the built-in FTP server and the state of the last scan, and the
runs in the database, and says for every file where it stands:

- ``uploading``: the built-in FTP server is still receiving it;
- ``settling``: waiting for the upload to finish (size or time still changing, or not yet
  quiet for ``INBOX_STABLE_SECONDS``);
- ``damaged``: a ZIP without its central directory although its upload looks finished; it
  is handed to the importer (which refuses it with the reason) at ``retry_at``;
- ``queued``: complete, imported by the next inbox run;
- ``importing``: being imported now (with the progress the import writes);
- ``interrupted``: left in ``processing/`` by an import that stopped; taken first next run;
- ``held``: waits for the operator (a guarded full transfer, an unapproved broker, or
  behind a held file of the same broker);
- ``failed``: set aside in ``failed/`` with its reason.

Files an editor uploaded in the admin (*Upload a file*, with a preview) are listed apart
(``admin_uploads``): ``previewed`` (kept until ``retry_at`` for the editor's confirmation),
``queued`` (confirmed, waiting for a worker) or ``importing``. Once imported they are in the
archive, or, refused, among the broker's failed files.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..conf import get_setting, inbox_dir
from ..models import Broker, ImportRun
from . import layout, scan
from .approval import is_import_approved
from .folders import InboxFolder, inbox_folders

UPLOADING = "uploading"
SETTLING = "settling"
DAMAGED = "damaged"
QUEUED = "queued"
IMPORTING = "importing"
INTERRUPTED = "interrupted"
HELD = "held"
FAILED = "failed"
PREVIEWED = "previewed"

# The place a file lies in, for downloads: "inbox" is the broker's own folder.
INBOX = "inbox"
PLACES = {
    INBOX: None,
    "processing": layout.PROCESSING,
    "held": layout.HELD,
    "failed": layout.FAILED,
    "upload": None,  # a file uploaded in the admin; its "folder" is the upload's token
}

MAX_FAILED = 50


@dataclass
class FileState:
    name: str
    folder: str
    place: str  # inbox | processing | held | failed
    size: int
    since: dt.datetime  # when it was written (or set aside)
    state: str
    reason: str = ""
    retry_at: dt.datetime | None = None
    run: ImportRun | None = None
    held_kind: str = ""  # voll_guard | approval | waiting
    broker: Broker | None = None  # admin uploads: for whom ...
    uploaded_by: str = ""  # ... and by whom

    @property
    def retry_due(self) -> bool:
        """Whether ``retry_at`` has come: the next inbox run acts on the file."""
        return self.retry_at is not None and self.retry_at.timestamp() <= time.time()

    @property
    def progress(self) -> tuple[int, int] | None:
        if self.run is None or not self.run.progress_total:
            return None
        return self.run.progress_done, self.run.progress_total

    @property
    def percent(self) -> int | None:
        p = self.progress
        return None if p is None else min(100, 100 * p[0] // max(1, p[1]))


@dataclass
class FolderInbox:
    """One inbox folder and the files in it, with the broker(s) whose files these are."""

    folder: str
    brokers: list[Broker]
    account: str = ""
    files: list[FileState] = field(default_factory=list)

    @property
    def broker(self) -> Broker | None:
        return self.brokers[0] if len(self.brokers) == 1 else None


def _at(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


def _reason_of(path: Path) -> str:
    try:
        return path.with_name(path.name + ".txt").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _uploads(root: Path, inbox: InboxFolder, now: float, blocked: dict) -> list[FileState]:
    stable_for = float(get_setting("INBOX_STABLE_SECONDS"))
    state = layout.read_json(layout.state_dir(root, layout.STATE, "") / f"{inbox.name}.json")
    found = []
    for path, st in scan._regular_files(root / inbox.name):
        name = path.name
        if layout.is_temporary(name) or layout.is_marker(name):
            continue
        seen = state.get(name) or {}
        same = seen.get("size") == st.st_size and seen.get("mtime_ns") == st.st_mtime_ns
        changed_at = seen.get("changed_at", st.st_mtime) if same else st.st_mtime
        quiet_since = max(st.st_mtime, changed_at)
        item = FileState(name, inbox.name, INBOX, st.st_size, _at(st.st_mtime), SETTLING)
        if scan._uploading(root, inbox.name, name, now):
            item.state = UPLOADING
        elif layout.find_marker(path) is not None:
            item.state = QUEUED
        elif scan._received(root, inbox.name, name, st) or now - quiet_since >= stable_for:
            if name.lower().endswith(".zip") and not scan._has_central_directory(path):
                item.state = DAMAGED
                item.retry_at = _at(quiet_since + stable_for * scan.BROKEN_ZIP_FACTOR)
            else:
                item.state = QUEUED
        else:
            item.retry_at = _at(quiet_since + stable_for)
        if item.state == QUEUED and inbox.broker is not None:
            approved, why = blocked.setdefault(
                ("approval", inbox.broker.pk), is_import_approved(inbox.broker)
            )
            if not approved:
                item.state, item.held_kind, item.reason = HELD, "approval", why
            elif blocked.get(("held", inbox.broker.pk)):
                item.state, item.held_kind = HELD, "waiting"
        found.append(item)
    return found


def _processing(root: Path, inbox: InboxFolder, running: dict[str, ImportRun]) -> list[FileState]:
    found = []
    for path, st in scan._regular_files(layout.state_dir(root, layout.PROCESSING, inbox.name)):
        if path.name.startswith("."):
            continue
        run = running.get(str(path))
        found.append(
            FileState(
                run.file_name if run else path.name,
                inbox.name,
                "processing",
                st.st_size,
                _at(st.st_mtime),
                IMPORTING if run else INTERRUPTED,
                run=run,
            )
        )
    return found


def _failed(root: Path, inbox: InboxFolder) -> list[FileState]:
    found = []
    for path, st in scan._regular_files(layout.state_dir(root, layout.FAILED, inbox.name)):
        if path.name.endswith(".txt") or path.name.startswith("."):
            continue
        found.append(
            FileState(
                path.name,
                inbox.name,
                FAILED,
                st.st_size,
                _at(st.st_mtime),
                FAILED,
                reason=_reason_of(path),
            )
        )
    found.sort(key=lambda f: f.since, reverse=True)
    return found[:MAX_FAILED]


def inbox_overview(*, broker: Broker | None = None, now: float | None = None) -> list[FolderInbox]:
    """Every inbox folder (of one broker, or all) with its files, each with its state."""
    now = time.time() if now is None else now
    root = inbox_dir()
    if not root.exists():
        return []
    running = {
        run.file_path: run
        for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING).select_related(
            "broker"
        )
    }
    held_runs = [
        run
        for run in ImportRun.objects.filter(status=ImportRun.Status.HELD)
        .select_related("broker")
        .order_by("pk")
        if layout.is_within(run.file_path, layout.app_dir(root) / layout.HELD)
        and Path(run.file_path).exists()
    ]
    blocked: dict = {("held", run.broker_id): True for run in held_runs}
    result = []
    for inbox in inbox_folders(root):
        if broker is not None and not inbox.may_hold(broker):
            continue
        entry = FolderInbox(
            inbox.name,
            list(inbox.brokers),
            account=inbox.account.username if inbox.account else "",
        )
        entry.files.extend(_processing(root, inbox, running))
        entry.files.extend(sorted(_uploads(root, inbox, now, blocked), key=lambda f: f.since))
        for run in held_runs:
            path = Path(run.file_path)
            if path.parent.name == inbox.name:
                entry.files.append(
                    FileState(
                        run.file_name,
                        inbox.name,
                        "held",
                        run.size or 0,
                        run.finished_at or run.created_at,
                        HELD,
                        reason=run.message,
                        run=run,
                        held_kind="voll_guard",
                    )
                )
        entry.files.extend(_failed(root, inbox))
        result.append(entry)
    return result


def admin_uploads(*, broker: Broker | None = None) -> list[FileState]:
    """The files editors uploaded in the admin that are not imported yet: previewed,
    queued or being imported (see the module docstring), oldest first."""
    from ..importing import staged

    uploads = staged.staged_files()
    if not uploads:
        return []
    runs = {
        run.file_path: run
        for run in ImportRun.objects.filter(
            status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING],
            file_path__in=[str(upload.path) for upload in uploads],
        ).select_related("broker")
    }
    meta = {upload.token: staged.meta_of(upload.path.parent) for upload in uploads}
    broker_ids = {m.get("broker") for m in meta.values() if isinstance(m.get("broker"), int)}
    brokers = Broker.objects.in_bulk(broker_ids) if broker_ids else {}
    found = []
    for upload in uploads:
        try:
            st = upload.path.stat()
        except OSError:  # imported or discarded meanwhile
            continue
        run = runs.get(str(upload.path))
        noted = meta[upload.token]
        owner = run.broker if run is not None else brokers.get(noted.get("broker"))
        if broker is not None and (owner is None or owner.pk != broker.pk):
            continue
        item = FileState(
            upload.name,
            upload.token,
            "upload",
            st.st_size,
            _at(st.st_mtime),
            PREVIEWED,
            run=run,
            broker=owner,
            uploaded_by=str(noted.get("user") or ""),
        )
        if run is not None and run.status == ImportRun.Status.RUNNING:
            item.state = IMPORTING
        elif run is not None:
            item.state = QUEUED
        else:
            item.retry_at = _at(st.st_mtime + staged.KEEP_SECONDS)  # deleted then
        found.append(item)
    return found


def locate(folder: str, place: str, name: str) -> Path | None:
    """The path of file ``name`` in ``place`` of inbox ``folder``, if it lies there.

    Names from a request are checked: one path component, inside the inbox root.
    """
    if place not in PLACES or not name or "/" in name or "\\" in name or name in (".", ".."):
        return None
    if not folder or "/" in folder or folder.startswith("."):
        return None
    root = inbox_dir()
    if place == "upload":
        from ..importing.staged import STAGED

        if name.startswith("."):  # the upload's notes, not the upload
            return None
        base = layout.app_dir(root) / STAGED / folder
    elif PLACES[place] is None:
        base = root / folder
    else:
        base = layout.state_dir(root, PLACES[place], folder)
    path = base / name
    if not layout.is_within(path, base) or not path.is_file() or path.is_symlink():
        return None
    return path
