"""Files an editor uploads in the admin: previewed (a dry run), then imported on confirmation.

The upload is kept in ``<inbox root>/.openimmo/uploads/<token>/`` (outside every FTP jail)
between the preview and the confirmation; the token is random and only the admin knows it.
The confirmed import runs in the background (``tasks.import_staged``) with its progress on
the ``ImportRun``; afterwards the file goes to ``archive/<broker slug>/`` like an inbox file,
or to ``failed/<broker slug>/`` with the reason when the file was refused. Previews that were
never confirmed are deleted after a day.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from ..conf import inbox_dir
from ..inbox import layout
from ..models import Broker, ImportRun
from ..progress import RunProgress
from .importer import import_file
from .result import ImportResult

STAGED = "uploads"
KEEP_SECONDS = 86400
# Beside the file: for whom and by whom it was uploaded (the inbox overview shows it).
META = ".upload.json"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class StagedUploadMissing(Exception):
    pass


@dataclass
class StagedUpload:
    token: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


def _base() -> Path:
    return layout.app_dir(inbox_dir()) / STAGED


def safe_name(name: str) -> str:
    name = _UNSAFE.sub("-", Path(name or "upload").name).strip(".-") or "upload"
    return name[:150]


def stage(uploaded, *, now: float | None = None, broker=None, user=None) -> StagedUpload:
    """Keep an uploaded file (a Django ``UploadedFile``) for preview and import; ``broker``
    and ``user`` are noted beside it for the inbox overview."""
    forget_stale(now=now)
    token = secrets.token_urlsafe(24)
    folder = _base() / token
    folder.mkdir(parents=True)
    path = folder / safe_name(uploaded.name)
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    meta = {
        "broker": getattr(broker, "pk", None),
        "user": user.get_username() if user is not None else "",
    }
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")
    return StagedUpload(token, path)


def meta_of(folder: Path) -> dict:
    """What ``stage`` noted beside the file ({} for uploads staged before it did)."""
    try:
        data = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def staged_files() -> list[StagedUpload]:
    """Every file kept for preview or import, oldest first."""
    base = _base()
    if not base.is_dir():
        return []
    found = []
    for folder in base.iterdir():
        if not folder.is_dir() or not _TOKEN.match(folder.name):
            continue
        with contextlib.suppress(StagedUploadMissing, OSError):
            found.append(find(folder.name))
    return sorted(found, key=lambda upload: upload.path.stat().st_mtime)


def find(token: str) -> StagedUpload:
    if not _TOKEN.match(token or ""):
        raise StagedUploadMissing(token)
    folder = _base() / token
    files = (
        [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        if folder.is_dir()
        else []
    )
    if len(files) != 1:
        raise StagedUploadMissing(token)
    return StagedUpload(token, files[0])


def preview(staged: StagedUpload, broker: Broker) -> ImportResult:
    """What importing the file would do: a dry run, which writes nothing."""
    return import_file(staged.path, broker, dry_run=True)


def discard(staged: StagedUpload) -> None:
    shutil.rmtree(staged.path.parent, ignore_errors=True)


def start(staged: StagedUpload, broker: Broker) -> ImportRun:
    """The run the background import will fill (status "queued" until a worker takes it)."""
    return ImportRun.objects.create(
        broker=broker,
        file_name=staged.name,
        file_path=str(staged.path),
        size=staged.path.stat().st_size,
        status=ImportRun.Status.QUEUED,
    )


def import_run(run: ImportRun) -> ImportRun:
    """Import the staged file of ``run`` (queued by ``start``), then archive it."""
    path = Path(run.file_path)
    if run.status != ImportRun.Status.QUEUED or not layout.is_within(path, _base()):
        return run
    if not path.exists():
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            message="The uploaded file is gone.",
        )
        run.refresh_from_db()
        return run
    run.started_at = timezone.now()
    result = import_file(path, run.broker, run=run, progress=RunProgress(run))
    root, folder = inbox_dir(), run.broker.slug
    if result.status in (ImportRun.Status.IMPORTED, ImportRun.Status.PARTLY):
        local = timezone.localtime()
        target = layout.state_dir(root, layout.ARCHIVE, folder) / f"{local:%Y}" / f"{local:%m}"
        moved = layout.move_into(path, target)
    else:
        moved = layout.move_into(path, layout.state_dir(root, layout.FAILED, folder))
        layout.write_reason(moved, result.message or "")
    stamp = time.time()  # the clean-up counts from now, as for inbox files
    with contextlib.suppress(OSError):
        os.utime(moved, (stamp, stamp))
    with contextlib.suppress(OSError):
        (path.parent / META).unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()
    ImportRun.objects.filter(pk=run.pk).update(file_path=str(moved))
    run.refresh_from_db()
    return run


def forget_stale(*, now: float | None = None) -> None:
    """Delete previews that were never confirmed (older than a day)."""
    base = _base()
    if not base.is_dir():
        return
    cutoff = (now or time.time()) - KEEP_SECONDS
    queued = set(
        ImportRun.objects.filter(status=ImportRun.Status.QUEUED).values_list("file_path", flat=True)
    )
    for folder in base.iterdir():
        with contextlib.suppress(OSError):
            if folder.stat().st_mtime < cutoff and not any(
                p.startswith(str(folder) + "/") for p in queued
            ):
                shutil.rmtree(folder)
