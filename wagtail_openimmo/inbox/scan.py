"""Which uploads in an inbox folder are complete and may be imported.

Nothing in FTP says "this upload is finished". A file counts as complete when

1. the broker software uploaded an empty ``<name>.done`` / ``<name>.ok`` marker beside it, or
2. the built-in FTP server saw its transfer finish (it leaves a *received* mark with the
   file's size and modification time), or
3. its size and modification time have not changed for ``INBOX_STABLE_SECONDS`` (for folders
   filled by an external FTP server).

In cases 2 and 3 a ZIP must also have its central directory, which is written last (a
dropped data connection looks like a finished upload to an FTP server). A ZIP still without
one after ten times ``INBOX_STABLE_SECONDS`` is handed to the importer anyway, which refuses
it with a reason -- nothing waits forever unreported.

Never ready: temporary names (``.tmp``, ``.part``, ``.filepart``, a leading dot, …), the
markers themselves, folders, symbolic links, and files the built-in server is still
receiving.
"""

from __future__ import annotations

import logging
import os
import stat
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..conf import get_setting
from . import layout

logger = logging.getLogger("wagtail_openimmo.inbox")

# An "uploading" mark older than this is left over from a server that stopped mid-upload.
STALE_UPLOAD_SECONDS = 3600
# A ZIP without a central directory is handed to the importer after this many stable periods.
BROKEN_ZIP_FACTOR = 10


@dataclass
class InboxFile:
    """A file in an inbox folder (or left over in processing/) and why it is (not) ready."""

    path: Path
    folder: str
    size: int
    mtime: float
    ready: bool
    reason: str  # received | marker | stable | leftover | uploading | unstable | incomplete_zip
    marker: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name


# --- marks left by the built-in FTP server ----------------------------------------------


def _mark_path(root: Path, kind: str, folder: str, name: str) -> Path:
    return layout.state_dir(root, kind, folder) / name


def mark_uploading(root: Path, folder: str, name: str) -> None:
    path = _mark_path(root, layout.UPLOADING, folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def clear_uploading(root: Path, folder: str, name: str) -> None:
    _mark_path(root, layout.UPLOADING, folder, name).unlink(missing_ok=True)


def mark_received(root: Path, folder: str, path: Path) -> None:
    """Record that ``path`` arrived completely, as it is now (size and mtime)."""
    st = path.stat()
    layout.write_json(
        _mark_path(root, layout.RECEIVED, folder, path.name),
        {"size": st.st_size, "mtime_ns": st.st_mtime_ns},
    )


def rename_marks(root: Path, folder: str, old: str, new: str) -> bool:
    """Carry a received mark over to the new name; True if there was one."""
    src = _mark_path(root, layout.RECEIVED, folder, old)
    if not src.exists():
        return False
    os.replace(src, _mark_path(root, layout.RECEIVED, folder, new))
    return True


def clear_marks(root: Path, folder: str, name: str) -> None:
    """Forget everything recorded about ``name`` (after it was moved or deleted)."""
    _mark_path(root, layout.RECEIVED, folder, name).unlink(missing_ok=True)
    clear_uploading(root, folder, name)


def _received(root: Path, folder: str, name: str, st: os.stat_result) -> bool:
    mark = layout.read_json(_mark_path(root, layout.RECEIVED, folder, name))
    return mark.get("size") == st.st_size and mark.get("mtime_ns") == st.st_mtime_ns


def _uploading(root: Path, folder: str, name: str, now: float) -> bool:
    try:
        started = _mark_path(root, layout.UPLOADING, folder, name).stat().st_mtime
    except FileNotFoundError:
        return False
    return now - started < STALE_UPLOAD_SECONDS


# --- the scan ---------------------------------------------------------------------------


def _regular_files(folder_path: Path):
    """(path, stat) of the regular files directly in ``folder_path``; symlinks are skipped."""
    try:
        entries = list(os.scandir(folder_path))
    except FileNotFoundError:
        return
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(st.st_mode):
            yield Path(entry.path), st


regular_files = _regular_files
is_uploading = _uploading


def _has_central_directory(path: Path) -> bool:
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def scan_folder(root: Path, folder: str, *, now: float | None = None) -> list[InboxFile]:
    """Every candidate upload in ``<root>/<folder>/``, each marked ready or not, by name.

    Updates ``.openimmo/state/<folder>.json`` with what was seen, so that a change the file's
    modification time does not show (a size change) restarts the wait.
    """
    now = time.time() if now is None else now
    stable_for = float(get_setting("INBOX_STABLE_SECONDS"))
    state_path = layout.state_dir(root, layout.STATE, "") / f"{folder}.json"
    old_state = layout.read_json(state_path)
    new_state: dict[str, dict] = {}
    found: list[InboxFile] = []
    for path, st in _regular_files(root / folder):
        name = path.name
        if layout.is_temporary(name) or layout.is_marker(name):
            continue
        seen = old_state.get(name)
        current = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
        if seen and {k: seen.get(k) for k in current} == current:
            changed_at = seen.get("changed_at", st.st_mtime)
        else:
            # First sight: trust the modification time. A change since the last scan that
            # the file system did not date: count from now.
            changed_at = st.st_mtime if not seen else now
        new_state[name] = {**current, "changed_at": changed_at}
        item = InboxFile(path, folder, st.st_size, st.st_mtime, ready=False, reason="unstable")
        quiet = now - max(st.st_mtime, changed_at)
        if _uploading(root, folder, name, now):
            item.reason = "uploading"
        elif (marker := layout.find_marker(path)) is not None:
            # the broker says it is done: import (the importer refuses a broken file)
            item.ready, item.reason, item.marker = True, "marker", marker
        elif _received(root, folder, name, st) or quiet >= stable_for:
            # A dropped data connection looks like a finished transfer to an FTP server, so
            # even a received ZIP must have its central directory.
            if name.lower().endswith(".zip") and not _has_central_directory(path):
                item.reason = "incomplete_zip"
                item.ready = quiet >= stable_for * BROKEN_ZIP_FACTOR
            else:
                item.ready = True
                item.reason = "received" if _received(root, folder, name, st) else "stable"
        found.append(item)
    if new_state != old_state:
        try:
            layout.write_json(state_path, new_state)
        except OSError as exc:
            # A full disk must not stop the imports (which free space by archiving): the
            # next scan just measures the quiet time from the modification times again.
            logger.warning("Could not save the inbox state %s: %s", state_path, exc)
    return found


def leftovers(root: Path, folder: str) -> list[InboxFile]:
    """Files left in ``processing/<folder>/`` by a run that crashed: they are taken first."""
    return [
        InboxFile(path, folder, st.st_size, st.st_mtime, ready=True, reason="leftover")
        for path, st in _regular_files(layout.state_dir(root, layout.PROCESSING, folder))
        if not path.name.startswith(".")
    ]
