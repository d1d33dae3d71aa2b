"""Scratch folders of imports, in a folder the app owns, swept of what killed runs left.

An import unpacks its upload (up to the ZIP's uncompressed size) and downloads attachments
into a scratch folder. A process killed with ``kill -9`` -- django-q's task timeout does this
in normal operation -- cannot clean up, and bare ``/tmp`` folders would stay for ever. So
scratch folders live under ``<inbox root>/.openimmo/work/``, named after the host and the
process that made them, and every import first removes the folders of this host whose
process is gone (``sweep``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .conf import inbox_dir

logger = logging.getLogger("wagtail_openimmo.importing")

WORK = "work"


def work_root() -> Path:
    try:
        return inbox_dir() / ".openimmo" / WORK
    except ImproperlyConfigured:
        return Path(tempfile.gettempdir()) / "openimmo-work"


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def make_dir(kind: str) -> Path:
    """A new scratch folder ``<kind>_<pid>_<host>_<random>`` (the caller removes it)."""
    root = work_root()
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{kind}_{os.getpid()}_{_host()}_", dir=root))


@contextlib.contextmanager
def scratch(kind: str) -> Iterator[Path]:
    path = make_dir(kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> list[Path]:
    """Remove the scratch folders of this host's processes that are gone; return them."""
    root = work_root()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return removed
    host = _host()
    for entry in entries:
        parts = entry.name.split("_", 3)
        if len(parts) != 4 or parts[2] != host or not parts[1].isdigit():
            continue
        pid = int(parts[1])
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
        logger.warning("Removed the scratch folder of a killed import: %s", entry.path)
    return removed
