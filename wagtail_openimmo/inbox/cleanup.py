"""Deleting imported files after ``ARCHIVE_DAYS``, and stale unfinished uploads.

Archived files (and refused ones in ``failed/`` with their reason) are kept so that an
operator can look at what a broker sent; after ``ARCHIVE_DAYS`` they go. Files that need a
decision (``held/``, ``unmatched/``) and crash leftovers in ``processing/`` are never deleted
here. Also drops marks the built-in FTP server left for files that are gone.

Unfinished uploads -- temporary names such as ``x.zip.part``, ``x.tmp`` or ``.x``, which are
never imported -- are deleted from the inbox folders after ``INBOX_TEMPORARY_MAX_AGE_HOURS``
by the inbox run (``remove_stale_uploads``); their names wait in
``.openimmo/state/<folder>.removed.json`` until the next report on a file of that folder
tells the broker (``take_removed``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from pathlib import Path

from django.utils import timezone

from ..conf import get_setting, inbox_dir
from ..logsafe import escape
from . import layout, scan

logger = logging.getLogger("wagtail_openimmo.inbox")


def clean_archive(now: dt.datetime | None = None) -> int:
    """Delete archived and failed files older than ``ARCHIVE_DAYS``; return how many."""
    days = get_setting("ARCHIVE_DAYS")
    root = inbox_dir()
    if days is None:
        return 0
    cutoff = (now or timezone.now()).timestamp() - float(days) * 86400
    deleted = 0
    for kind in (layout.ARCHIVE, layout.FAILED):
        base = layout.app_dir(root) / kind
        if not base.is_dir():
            continue
        # bottom-up, so that emptied YYYY/MM folders can go too
        for dirpath, _dirnames, filenames in os.walk(base, topdown=False):
            directory = Path(dirpath)
            for name in filenames:
                path = directory / name
                try:
                    if path.lstat().st_mtime < cutoff:
                        path.unlink()
                        deleted += 1
                except FileNotFoundError:
                    continue
            if directory != base and directory.parent != base:
                # keep <kind>/<folder>/, drop empty YYYY and MM below it
                with contextlib.suppress(OSError):
                    directory.rmdir()
    _drop_stale_marks(root)
    if deleted:
        logger.info("Deleted %s archived inbox files older than %s days.", deleted, days)
    return deleted


def _drop_stale_marks(root: Path) -> None:
    marks = layout.app_dir(root) / layout.RECEIVED
    if not marks.is_dir():
        return
    for folder in marks.iterdir():
        if not folder.is_dir():
            continue
        for mark in folder.iterdir():
            if not (root / folder.name / mark.name).exists():
                mark.unlink(missing_ok=True)


# --- unfinished uploads ------------------------------------------------------------------

# Most names one report lists (the rest are counted).
MAX_NAMES_KEPT = 50


def _removed_path(root: Path, folder: str) -> Path:
    return layout.state_dir(root, layout.STATE, "") / f"{folder}.removed.json"


def remove_stale_uploads(root: Path, folder: str, now: dt.datetime | None = None) -> list[str]:
    """Delete the temporary files in ``<root>/<folder>/`` not written to for
    ``INBOX_TEMPORARY_MAX_AGE_HOURS``; return their names (also kept for the next report).

    An upload the built-in server is receiving is never touched (its file is written to, and
    it carries an *uploading* mark). Folders and symbolic links are left alone.
    """
    hours = get_setting("INBOX_TEMPORARY_MAX_AGE_HOURS")
    if hours is None or float(hours) <= 0:
        return []
    moment = (now or timezone.now()).timestamp()
    cutoff = moment - float(hours) * 3600
    removed: list[str] = []
    for path, st in scan.regular_files(root / folder):
        name = path.name
        if not layout.is_temporary(name) or st.st_mtime >= cutoff:
            continue
        if scan.is_uploading(root, folder, name, moment):
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            logger.warning("Could not delete the stale upload %s: %s", escape(path), exc)
            continue
        scan.clear_marks(root, folder, name)
        removed.append(name)
    if removed:
        logger.info(
            "Deleted %s unfinished uploads older than %s hours from inbox folder %s: %s",
            len(removed), hours, folder, ", ".join(escape(n) for n in removed),
        )
        _remember_removed(root, folder, removed, hours)
    return removed


def _remember_removed(root: Path, folder: str, names: list[str], hours) -> None:
    path = _removed_path(root, folder)
    pending = layout.read_json(path)
    kept = [*pending.get("names", []), *names]
    try:
        layout.write_json(
            path,
            {
                "names": kept[:MAX_NAMES_KEPT],
                "more": int(pending.get("more", 0)) + max(0, len(kept) - MAX_NAMES_KEPT),
                "hours": hours,
            },
        )
    except OSError as exc:  # a full disk: the files are gone all the same
        logger.warning("Could not note the removed uploads of %s: %s", folder, exc)


def take_removed(root: Path, folder: str) -> dict | None:
    """The removed uploads of ``folder`` not yet told to the broker (then forgotten):
    ``{"names": [...], "more": n, "hours": h}``, or None."""
    path = _removed_path(root, folder)
    pending = layout.read_json(path)
    path.unlink(missing_ok=True)
    return pending if pending.get("names") else None
