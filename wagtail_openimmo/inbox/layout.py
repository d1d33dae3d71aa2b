"""Where inbox files live, and how they move.

Under the inbox root every FTP account (or, for an external FTP server, every broker slug)
has a folder that the broker's software sees as ``/``. The app's own folders live outside
every FTP jail, under ``<root>/.openimmo/`` (folder names may not start with a dot)::

    <root>/<folder>/                          uploads arrive here
    <root>/.openimmo/processing/<folder>/     being imported (a crash leaves the file here)
    <root>/.openimmo/archive/<folder>/YYYY/MM/ imported (deleted after ARCHIVE_DAYS)
    <root>/.openimmo/failed/<folder>/         refused, with <name>.txt giving the reason
    <root>/.openimmo/held/<folder>/           full transfers held by the mass-withdrawal guard
    <root>/.openimmo/unmatched/<folder>/      matched no broker, with <name>.txt
    <root>/.openimmo/received/<folder>/       marks of uploads the built-in server completed
    <root>/.openimmo/uploading/<folder>/      marks of uploads in progress on the built-in server
    <root>/.openimmo/state/<folder>.json      sizes and times seen by the last scan

Moves never overwrite: a name that exists already gets a suffix (``name-2.zip``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from pathlib import Path

APP_DIR = ".openimmo"
PROCESSING = "processing"
ARCHIVE = "archive"
FAILED = "failed"
HELD = "held"
UNMATCHED = "unmatched"
RECEIVED = "received"
UPLOADING = "uploading"
STATE = "state"

# Names broker software gives a file while it is still being written.
TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload")
# Empty files some broker software uploads after the data file to say "done".
MARKER_SUFFIXES = (".done", ".ok")
# What can be imported; anything else is moved to failed/ with a reason.
DATA_SUFFIXES = (".zip", ".xml")
# Longest file name (in UTF-8 bytes) the built-in FTP server accepts (STOR, RNTO: 553).
# File systems allow 255; the app's marks and reason files add a few bytes to a name.
MAX_NAME_BYTES = 200


def app_dir(root: Path) -> Path:
    return root / APP_DIR


def state_dir(root: Path, kind: str, folder: str) -> Path:
    """``<root>/.openimmo/<kind>/<folder>``."""
    return app_dir(root) / kind / folder


def is_within(path: Path | str, directory: Path) -> bool:
    """Whether ``path`` lies inside ``directory`` (symbolic links resolved)."""
    try:
        return Path(path).resolve().is_relative_to(directory.resolve())
    except (OSError, ValueError):
        return False


def is_temporary(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(".") or lower.endswith(TEMPORARY_SUFFIXES)


def is_marker(name: str) -> bool:
    return name.lower().endswith(MARKER_SUFFIXES)


def is_data_file(name: str) -> bool:
    return name.lower().endswith(DATA_SUFFIXES)


def marker_names(name: str) -> list[str]:
    """Marker names that declare ``name`` complete: ``x.zip.done``, ``x.done`` (and ``.ok``)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return [f"{base}{suffix}" for base in (name, stem) for suffix in MARKER_SUFFIXES]


def find_marker(path: Path) -> Path | None:
    """The ``.done``/``.ok`` marker beside ``path``, matched case-insensitively."""
    wanted = {n.lower() for n in marker_names(path.name)}
    try:
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if entry.name.lower() in wanted and entry.is_file(follow_symlinks=False):
                    return Path(entry.path)
    except FileNotFoundError:
        return None
    return None


# File systems allow 255 bytes per name; the app's own names beside a file stay below.
NAME_LIMIT_BYTES = 255


def fit_name(name: str, *, suffix: str = "", limit: int = NAME_LIMIT_BYTES) -> str:
    """``name + suffix`` if it fits in ``limit`` bytes, else a shortened ``name`` (its start,
    a hash of the whole name, its extension) followed by ``suffix``."""
    if len((name + suffix).encode("utf-8", "surrogateescape")) <= limit:
        return name + suffix
    stem, ext = os.path.splitext(name)
    if len(ext.encode("utf-8", "surrogateescape")) > 16:
        stem, ext = name, ""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    tail = f"~{digest}{ext}{suffix}"
    room = limit - len(tail.encode("utf-8", "surrogateescape"))
    short = stem.encode("utf-8", "surrogateescape")[: max(room, 1)]
    return short.decode("utf-8", "ignore") + tail


def _candidates(name: str):
    yield fit_name(name)
    stem, ext = os.path.splitext(name)
    for n in range(2, 10000):
        yield fit_name(stem, suffix=f"-{n}{ext}")
    raise FileExistsError(errno.EEXIST, "no free name", name)


def move_into(src: Path, dst_dir: Path, name: str | None = None) -> Path:
    """Move ``src`` into ``dst_dir`` without ever overwriting; return the new path.

    A hard link plus unlink is an atomic "rename unless the target exists" on one filesystem;
    where hard links are not supported, ``os.rename`` after an existence check. Raises
    ``FileNotFoundError`` if ``src`` is gone (another run took it first).
    """
    dst_dir.mkdir(parents=True, exist_ok=True)
    for candidate in _candidates(name or src.name):
        dst = dst_dir / candidate
        try:
            os.link(src, dst, follow_symlinks=False)
        except FileExistsError:
            continue
        except FileNotFoundError:
            raise
        except OSError:
            # no hard links here (some network or FUSE filesystems)
            if os.path.lexists(dst):
                continue
            os.rename(src, dst)
            return dst
        try:
            os.unlink(src)
        except FileNotFoundError:
            # Another run moved the same file meanwhile: it owns it; drop our link.
            os.unlink(dst)
            raise
        return dst
    raise AssertionError("unreachable")


def reason_path(path: Path) -> Path:
    """``<path>.txt``, or a shortened name when that would be too long for the disk."""
    return path.with_name(fit_name(path.name, suffix=".txt"))


def write_reason(path: Path, text: str) -> Path:
    """Write ``<path>.txt`` beside a failed or unmatched file, saying why it is there (a
    shortened name for a long file name; the reason's first line names the file)."""
    note = reason_path(path)
    if note.name != path.name + ".txt":
        text = f"{path.name}\n\n{text}"
    note.write_text(text.rstrip() + "\n", encoding="utf-8")
    return note


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def write_json(path: Path, data: dict) -> None:
    """Write atomically (temp file + rename) so a reader never sees half a file.

    The temporary file is unique per writer: runs in threads of one process (the threaded FTP
    server, a worker's threads) may write the same file at once, and a shared temporary name
    would be moved away under another writer's feet. The last writer wins.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, sort_keys=True))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
