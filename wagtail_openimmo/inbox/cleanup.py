"""Deleting imported files after ``ARCHIVE_DAYS``.

Archived files (and refused ones in ``failed/`` with their reason) are kept so that an
operator can look at what a broker sent; after ``ARCHIVE_DAYS`` they go. Files that need a
decision (``held/``, ``unmatched/``) and crash leftovers in ``processing/`` are never deleted
here. Also drops marks the built-in FTP server left for files that are gone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from pathlib import Path

from django.utils import timezone

from ..conf import get_setting, inbox_dir
from . import layout

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
