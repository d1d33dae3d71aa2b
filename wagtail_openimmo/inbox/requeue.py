"""Putting a file set aside in ``failed/`` back into its inbox folder, to be imported again.

The operator does this after fixing what stopped it (a broker's identifiers added, the
broker's software corrected). The reason file goes; the import log keeps the old run.
"""

from __future__ import annotations

from pathlib import Path

from ..conf import inbox_dir
from . import layout
from .overview import locate


class RequeueError(Exception):
    """The file is not in ``failed/`` (any more)."""


def requeue_failed(folder: str, name: str) -> Path:
    """Move ``failed/<folder>/<name>`` back to ``<folder>/``; the new path."""
    path = locate(folder, "failed", name)
    if path is None or name.endswith(".txt"):
        raise RequeueError(name)
    try:
        moved = layout.move_into(path, inbox_dir() / folder)
    except FileNotFoundError as exc:
        raise RequeueError(name) from exc
    path.with_name(path.name + ".txt").unlink(missing_ok=True)
    return moved
