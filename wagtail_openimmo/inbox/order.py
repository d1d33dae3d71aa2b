"""The order in which one broker's files are applied.

Files must be applied in the order the broker's software wrote them: an old VOLL (the whole
stock) applied after a newer TEIL (a change) would undo that change. The order is the
transfer's own ``uebertragung@timestamp``, else a timestamp in the file name (FlowFact names
files ``Portal-Kundennummer-YYYYMMDDHHMMSS``), else the upload time.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from django.utils import timezone
from lxml import etree

from ..openimmo.safety import PARSER_OPTIONS
from ..openimmo.tree import localname
from ..openimmo.values import parse_datetime

_NAME_STAMP = re.compile(
    r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})[-_T ]?(\d{2})[-_:]?(\d{2})[-_:]?(\d{2})(?!\d)"
)
# Only the header is read; it comes first. Cap how much is read to find it.
_HEADER_READ_LIMIT = 1 << 20


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class _Capped:
    """A read-only stream that ends after ``limit`` bytes."""

    def __init__(self, fh, limit: int):
        self.fh, self.left = fh, limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.fh.read(size)
        self.left -= len(data)
        return data


def _header_timestamp(fh) -> dt.datetime | None:
    """``uebertragung@timestamp`` from the start of an OpenImmo XML stream, or None."""
    try:
        for _event, element in etree.iterparse(
            _Capped(fh, _HEADER_READ_LIMIT), events=("start",), **PARSER_OPTIONS
        ):
            name = localname(element.tag) if isinstance(element.tag, str) else ""
            if name == "uebertragung":
                value, _notes = parse_datetime(element.get("timestamp"))
                return _aware(value) if value else None
            if name in ("anbieter", "immobilie"):
                return None  # past the place where the header belongs
    except (etree.XMLSyntaxError, ValueError, OSError):
        return None
    return None


def transfer_timestamp(path: Path) -> dt.datetime | None:
    """The header timestamp of a bare XML or of the first XML (by name) in a ZIP."""
    try:
        if path.suffix.lower() == ".xml":
            with path.open("rb") as fh:
                return _header_timestamp(fh)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = sorted(
                    i.filename
                    for i in zf.infolist()
                    if i.filename.lower().endswith(".xml") and not i.is_dir()
                )
                for name in names:
                    with zf.open(name) as fh:
                        stamp = _header_timestamp(fh)
                    if stamp is not None:
                        return stamp
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError):
        return None
    return None


def name_timestamp(name: str) -> dt.datetime | None:
    """A ``YYYYMMDDHHMMSS`` (or ``YYYY-MM-DD_HH-MM-SS``) time stamp in a file name."""
    for match in _NAME_STAMP.finditer(name):
        try:
            return _aware(dt.datetime(*(int(g) for g in match.groups())))
        except ValueError:
            continue
    return None


def sort_key(path: Path, mtime: float) -> tuple[dt.datetime, float, str]:
    """When the broker wrote the file, then upload time and name to break ties."""
    uploaded = dt.datetime.fromtimestamp(mtime, tz=dt.UTC)
    written = transfer_timestamp(path) or name_timestamp(path.name) or uploaded
    return written, mtime, path.name
