"""Open an upload -- a bare OpenImmo XML or a ZIP as broker software makes it -- safely.

A ZIP is checked member by member, with limits, before anything reads it; its XML files are
unpacked into a private temporary folder, every other member is read once from the ZIP to
check it and learn its SHA-256, and is unpacked only when the importer asks for it
(``Upload.extract``): an unchanged picture is never written to disk.

* refused as a whole (``UploadRefused``) when a member has an absolute path or ``..``, is a
  symlink, is encrypted, is an executable or script (by its name, by its first bytes, or by
  Unix exec bits on a file that is not one of the data types a transfer consists of), when
  there are more than ``MAX_ZIP_MEMBERS`` members, more than ``MAX_UPLOAD_UNCOMPRESSED_BYTES``
  once unpacked (counted while unpacking, not trusted from the ZIP's directory), ZIPs nested
  deeper than ``MAX_ZIP_DEPTH``, or when the archive is damaged;
* what real exporters do is accepted: several XML files (the OpenImmo ones are imported in
  name order, others ignored with a warning), XML in a subfolder, a ZIP inside the ZIP, and
  attachment names whose case differs from the XML (``BILD.JPG`` for ``bild.jpg``).

A bare XML may reference files lying next to it in the same folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import posixpath
import re
import shutil
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_noop as _

from .. import workspace
from ..conf import get_setting
from ..openimmo import Transfer, TransferRefused, read_transfer
from ..openimmo.problems import Problem, error, warning

# Executables and scripts: nothing a property needs, and dangerous if a web server ever
# served them from MEDIA_ROOT.
FORBIDDEN_EXTENSIONS = frozenset(
    """
    exe com bat cmd scr pif msi msp dll cpl sys drv ocx app apk dmg deb rpm
    sh bash zsh csh ksh fish command run elf so dylib
    php php3 php4 php5 php7 php8 phtml phar pht
    js mjs cjs jse vbs vbe wsf wsh hta ps1 psm1 psd1 py pyc pyo pyw pl pm cgi rb lua tcl
    jar class war ear jsp jspx asp aspx ashx asmx
    lnk reg inf scf desktop htaccess htpasswd
    """.split()  # noqa: SIM905 - a word list reads better than 80 quoted strings
)
# What a transfer consists of. Unix exec bits on these are harmless (real exporters set
# them, e.g. an XML with mode 0775) because nothing is ever run; on anything else they are not.
DATA_EXTENSIONS = frozenset(
    """
    xml zip jpg jpeg jpe jfif png gif webp avif bmp tif tiff heic heif svg pdf doc docx xls
    xlsx ppt pptx odt ods odp rtf txt csv mp4 m4v mov webm avi mpg mpeg wmv mp3 html htm
    """.split()  # noqa: SIM905
)
# Files that archivers add and that are no part of the transfer.
_JUNK = re.compile(r"(^|/)(__MACOSX/|\._[^/]*$|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.I)
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1 << 20


class UploadRefused(Exception):
    """The upload as a whole cannot be imported; ``problem`` says why, for the broker."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class XmlFile:
    """One OpenImmo XML of an upload, already pre-read (``read_transfer`` pass 1)."""

    name: str  # path inside the upload ("export/openimmo.xml"), or the file's own name
    path: Path
    transfer: Transfer

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.name)


class _Member:
    """A ZIP member that is unpacked only when needed: where to read it, and its SHA-256.

    One per member of the upload: kept small (a large upload has tens of thousands).
    """

    __slots__ = ("archive", "info", "sha256", "size")

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, sha256: bytes, size: int):
        self.archive = archive
        self.info: zipfile.ZipInfo | None = info  # None once unpacked
        self.sha256 = sha256
        self.size = size


@dataclass
class Upload:
    """An opened upload: its OpenImmo XML files and the files they may reference."""

    source: Path
    is_zip: bool
    root: Path
    size: int
    checksum: str
    xml_files: list[XmlFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # "dir/name.jpg" -> the member read from the ZIP (None: unpacked at once, an XML file);
    # its place on disk is ``place(name)``
    files: dict[str, _Member | None] = field(default_factory=dict)
    _by_lower: dict[str, str] = field(default_factory=dict, repr=False)  # the first name
    _by_basename: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _archives: list[zipfile.ZipFile] = field(default_factory=list, repr=False)
    _closing: list = field(default_factory=list, repr=False)  # files the archives read

    def place(self, name: str) -> Path:
        """Where the member ``name`` is (or will be, once unpacked) on disk."""
        return self.root.joinpath(*name.split("/"))

    def _member(self, path: Path) -> _Member | None:
        prefix = f"{self.root}{os.sep}"
        text = str(path)
        if not self.is_zip or not text.startswith(prefix):
            return None
        return self.files.get(text[len(prefix) :].replace(os.sep, "/"))

    def digest(self, path: Path) -> tuple[str, int] | None:
        """SHA-256 and size of a ZIP member (read when the ZIP was checked), or None."""
        member = self._member(path)
        return (member.sha256.hex(), member.size) if member is not None else None

    def extract(self, path: Path) -> tuple[str, str] | None:
        """Unpack the member to be found at ``path`` (once); its SHA-1 and MD5 when unpacked
        now, None when it was there already."""
        member = self._member(path)
        if member is None or member.info is None:
            return None
        info, member.info = member.info, None
        sha1 = hashlib.sha1(usedforsecurity=False)
        md5 = hashlib.md5(usedforsecurity=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        with member.archive.open(info) as src, open(path, "xb") as dst:
            while chunk := src.read(_CHUNK):
                sha1.update(chunk)
                md5.update(chunk)
                dst.write(chunk)
        return sha1.hexdigest(), md5.hexdigest()

    def close(self) -> None:
        for archive in self._archives:
            archive.close()
        self._archives.clear()
        for fh in self._closing:
            fh.close()
        self._closing.clear()
        for member in self.files.values():
            if member is not None:
                member.info = None

    @property
    def transfers(self) -> list[Transfer]:
        return [x.transfer for x in self.xml_files]

    def _index(self) -> None:
        for name in sorted(self.files):
            lower = name.casefold()
            lower = name if lower == name else lower  # one string, not two equal ones
            self._by_lower.setdefault(lower, name)
            base = posixpath.basename(lower)
            self._by_basename.setdefault(lower if base == lower else base, []).append(name)

    def find(self, pfad: str, xml: XmlFile | None = None) -> Path | None:
        """The file an ``<anhang>`` path refers to (unpacked), or None; see ``lookup``."""
        path = self.lookup(pfad, xml)
        if path is not None:
            self.extract(path)
        return path

    def lookup(self, pfad: str, xml: XmlFile | None = None) -> Path | None:
        """Where the file an ``<anhang>`` path refers to is (or will be, once extracted).

        Tries the path relative to the XML, then from the upload's root, each first exactly
        and then ignoring case, and finally the bare file name anywhere in the upload
        (exporters write Windows paths like ``C:\\Export\\Bilder\\bild.jpg``).
        """
        raw = (pfad or "").strip().replace("\\", "/")
        if not raw:
            return None
        if not self.is_zip:
            return self._find_next_to(raw, xml)
        name = self._member_name(raw, xml)
        return self.place(name) if name is not None else None

    def lookup_digest(self, pfad: str, xml: XmlFile | None = None) -> tuple[str, int] | None:
        """``digest(lookup(pfad, xml))``, without making the path (the importer's shortcut
        asks this for every file of every property)."""
        raw = (pfad or "").strip().replace("\\", "/")
        if not raw or not self.is_zip:
            return None
        name = self._member_name(raw, xml)
        member = self.files.get(name) if name is not None else None
        return (member.sha256.hex(), member.size) if member is not None else None

    def _member_name(self, raw: str, xml: XmlFile | None) -> str | None:
        """The member ``raw`` (a cleaned ``pfad``) refers to; see ``lookup``."""
        folder = xml.folder if xml else ""
        candidates = []
        if not raw.startswith("/") and not _DRIVE.match(raw):
            candidates.append(posixpath.normpath(posixpath.join(folder, raw)))
            candidates.append(posixpath.normpath(raw))
        for candidate in candidates:
            if candidate.startswith("../"):
                continue
            if candidate in self.files:
                return candidate
            match = self._by_lower.get(candidate.casefold())
            if match is not None:
                return match
        matches = self._by_basename.get(posixpath.basename(raw).casefold(), [])
        if not matches:
            return None
        near = [m for m in matches if posixpath.dirname(m) == folder]
        return (near or matches)[0]

    def _find_next_to(self, raw: str, xml: XmlFile | None) -> Path | None:
        """A file in the bare XML's own folder (never outside it, never a symlink)."""
        folder = self.root
        own = xml.path.name if xml else self.source.name
        base = posixpath.basename(raw)
        if not base or base.startswith(".") or base == own:
            return None
        parts = [p for p in raw.split("/") if p not in ("", ".")]
        if parts and ".." not in parts and not raw.startswith("/") and not _DRIVE.match(raw):
            candidate = folder.joinpath(*parts)
            if _plain_file_inside(candidate, folder):
                return candidate
        try:
            names = os.listdir(folder)
        except OSError:
            return None
        wanted = base.casefold()
        for name in sorted(names):
            if name.casefold() == wanted and name != own and not name.startswith("."):
                candidate = folder / name
                if _plain_file_inside(candidate, folder):
                    return candidate
        return None


def _plain_file_inside(path: Path, folder: Path) -> bool:
    try:
        real = Path(os.path.realpath(path))
        info = os.lstat(path)
    except OSError:
        return False
    inside = (
        real.parent == Path(os.path.realpath(folder))
        or Path(os.path.realpath(folder)) in real.parents
    )
    return inside and stat.S_ISREG(info.st_mode)


def looks_like_program(head: bytes) -> bool:
    """Whether a file starts like a script or an executable, whatever its name says."""
    if head.startswith(
        (
            b"#!",
            b"\x7fELF",
            b"\xfe\xed\xfa",
            b"\xce\xfa\xed\xfe",
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
        )
    ):
        return True
    if head.startswith(b"MZ") and len(head) >= 0x40:
        offset = int.from_bytes(head[0x3C:0x40], "little")
        return head[offset : offset + 4] == b"PE\x00\x00"
    return False


def file_checksum(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _HashingFile:
    """The upload's file as ``zipfile`` reads it, with its SHA-256 learnt on the way.

    Unpacking reads a ZIP front to back, member after member: what it reads in order is
    hashed as it passes, so that the upload is not read a second time just for its
    checksum. Reads ahead of what was hashed (the central directory at the end, read
    first) are not hashed then; a small gap (a data descriptor, a skipped folder entry) is
    read from the file and hashed to keep going. ``checksum()`` hashes whatever was not
    read in order. The result is ``file_checksum(path)``, whatever the order of the reads.
    """

    _GAP = 1 << 16  # at most this much is read from the file to close a gap

    def __init__(self, path: Path):
        self._fh = open(path, "rb")  # noqa: SIM115 - closed with the upload
        self.size = os.fstat(self._fh.fileno()).st_size
        self._digest = hashlib.sha256()
        self._hashed = 0  # the file's first bytes hashed so far
        self._checksum: str | None = None

    def read(self, n: int = -1) -> bytes:
        start = self._fh.tell()
        data = self._fh.read(n)
        if self._checksum is None and data:
            self._passed(start, data)
        return data

    def _passed(self, start: int, data: bytes) -> None:
        end = start + len(data)
        if end <= self._hashed:
            return
        if start > self._hashed:
            if start - self._hashed > self._GAP:
                return  # ahead: hashed when it is read in order, or by checksum()
            self._hash_from_file(start)
        self._digest.update(memoryview(data)[self._hashed - start :])
        self._hashed = end

    def _hash_from_file(self, end: int) -> None:
        fd = self._fh.fileno()
        while self._hashed < end:
            chunk = os.pread(fd, min(_CHUNK, end - self._hashed), self._hashed)
            if not chunk:  # the file became shorter: hash what there is
                break
            self._digest.update(chunk)
            self._hashed += len(chunk)

    def checksum(self) -> tuple[str, int]:
        """SHA-256 and size of the whole file (what was not hashed yet is read now)."""
        if self._checksum is None:
            self._hash_from_file(self.size)
            self._checksum = self._digest.hexdigest()
        return self._checksum, self.size

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._fh.close()


def is_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(4)
    return head in (b"PK\x03\x04", b"PK\x05\x06")


def reader_options() -> dict:
    return {
        "max_bytes": get_setting("MAX_XML_BYTES"),
        "max_property_bytes": get_setting("MAX_PROPERTY_BYTES"),
        "max_property_elements": get_setting("MAX_PROPERTY_ELEMENTS"),
        "strict": get_setting("STRICT_VALIDATION"),
        "xsd_path": get_setting("XSD_PATH"),
    }


@contextlib.contextmanager
def open_upload(
    path, *, xml_only: bool = False, on_checksum=None, checksum: bool = True
) -> Iterator[Upload]:
    """Open ``path`` (ZIP or XML) and pre-read its OpenImmo XML files.

    Raises ``UploadRefused`` when the upload cannot be imported at all. ``xml_only`` unpacks
    only the XML files (enough to learn whose upload it is). The temporary folder is removed
    when the ``with`` block ends.

    The file's SHA-256 and size (``Upload.checksum``, ``Upload.size``) are learnt while a ZIP
    is unpacked, not by reading it once more; ``on_checksum(checksum, size)`` is called
    with them before the upload is handed over, and also when it is refused. ``checksum``
    False: not needed, not computed.
    """
    source = Path(path)
    if not source.is_file():
        raise UploadRefused(
            error("upload_missing", _("The file {name} does not exist."), name=source.name)
        )
    if not is_zip(source):
        digest, size = file_checksum(source) if checksum else ("", source.stat().st_size)
        if on_checksum is not None:
            on_checksum(digest, size)
        if size == 0:
            raise UploadRefused(error("file_empty", _("The uploaded file is empty.")))
        upload = Upload(source=source, is_zip=False, root=source.parent, size=size, checksum=digest)
        upload.xml_files.append(XmlFile(source.name, source, _read(source)))
        yield upload
        return
    tmp = workspace.make_dir("upload")
    try:
        hashing = _HashingFile(source) if checksum else None
        upload = Upload(
            source=source,
            is_zip=True,
            root=tmp / "files",
            checksum="",
            size=hashing.size if hashing else source.stat().st_size,
        )
        if hashing is not None:
            upload._closing.append(hashing)
        upload.root.mkdir()
        try:
            try:
                unpacker = _Unpacker(upload, tmp, xml_only=xml_only)
                unpacker.unpack(source, prefix="", depth=0, fileobj=hashing)
            finally:
                if hashing is not None:
                    with contextlib.suppress(OSError):
                        upload.checksum, upload.size = hashing.checksum()
                    if on_checksum is not None and upload.checksum:
                        on_checksum(upload.checksum, upload.size)
            upload._index()
            _classify(upload)
            yield upload
        finally:
            upload.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read(path: Path) -> Transfer:
    try:
        return read_transfer(path, **reader_options())
    except TransferRefused as exc:
        raise UploadRefused(exc.problem) from exc


def _classify(upload: Upload) -> None:
    ignored = []
    names = [n for n in upload.files if n.lower().endswith(".xml")]
    for name in sorted(names, key=lambda n: (n.casefold(), n)):
        try:
            transfer = read_transfer(upload.place(name), **reader_options())
        except TransferRefused as exc:
            if exc.problem.code != "not_openimmo":
                raise UploadRefused(exc.problem) from exc
            ignored.append(name)
            upload.problems.append(
                warning(
                    "xml_ignored", _("{name} is not an OpenImmo file and was ignored."), name=name
                )
            )
            continue
        upload.xml_files.append(XmlFile(name, upload.place(name), transfer))
    if not upload.xml_files:
        if ignored:
            raise UploadRefused(
                error(
                    "no_openimmo_xml",
                    _(
                        "The ZIP contains no OpenImmo XML file (found only {names}, which "
                        "are not OpenImmo)."
                    ),
                    names=", ".join(ignored),
                )
            )
        raise UploadRefused(
            error(
                "no_openimmo_xml", _("The ZIP contains no XML file, so there is nothing to import.")
            )
        )
    if len(upload.xml_files) > 1:
        upload.problems.append(
            warning(
                "several_xml",
                _(
                    "The ZIP contains {count} OpenImmo files; they were imported in name "
                    "order: {names}."
                ),
                count=len(upload.xml_files),
                names=", ".join(x.name for x in upload.xml_files),
            )
        )


def _folders(name: str) -> set[str]:
    """``a/b/c.jpg`` -> ``{"a", "a/b"}``."""
    parts = name.split("/")
    return {"/".join(parts[:n]) for n in range(1, len(parts))}


class _Unpacker:
    """Unpacks a ZIP (and the ZIPs inside it) within the upload's limits."""

    def __init__(self, upload: Upload, tmp: Path, *, xml_only: bool):
        self.upload = upload
        self.tmp = tmp
        self.xml_only = xml_only
        self.members = 0
        self.written = 0
        self.max_members = int(get_setting("MAX_ZIP_MEMBERS"))
        self.max_bytes = int(get_setting("MAX_UPLOAD_UNCOMPRESSED_BYTES"))
        self.max_depth = int(get_setting("MAX_ZIP_DEPTH"))
        self.nested = 0
        self.folders: set[str] = set()  # of the members not unpacked yet: "a", "a/b", ...
        self.root_real: str | None = None

    def refuse(self, code: str, template: str, **params):
        raise UploadRefused(error(code, template, **params))

    def unpack(self, source: Path, *, prefix: str, depth: int, fileobj=None) -> None:
        try:
            # kept open until the upload is closed: members are unpacked when asked for
            archive = zipfile.ZipFile(fileobj or source)  # noqa: SIM115
            self.upload._archives.append(archive)
            infos = archive.infolist()
            self.members += len(infos)
            if self.members > self.max_members:
                self.refuse(
                    "zip_too_many_members",
                    _("The ZIP has more than {limit} files; it was refused."),
                    limit=self.max_members,
                )
            names = [self.check(info) for info in infos]
            declared = sum(i.file_size for i in infos if not i.is_dir())
            if self.written + declared > self.max_bytes:
                self.too_large()
            for info, name in zip(infos, names, strict=True):
                if name is None:
                    continue
                self.extract(archive, info, prefix + name, depth)
        except zipfile.BadZipFile as exc:
            self.refuse(
                "zip_damaged",
                _("The ZIP file is damaged or incomplete ({detail}); please upload it again."),
                detail=str(exc),
            )
        except NotImplementedError as exc:
            self.refuse(
                "zip_unsupported",
                _(
                    "The ZIP uses a compression method this server cannot read "
                    "({detail}); please use ordinary ZIP (deflate)."
                ),
                detail=str(exc),
            )
        except (EOFError, zipfile.LargeZipFile) as exc:
            self.refuse(
                "zip_damaged",
                _("The ZIP file is damaged or incomplete ({detail}); please upload it again."),
                detail=str(exc) or type(exc).__name__,
            )

    def too_large(self):
        self.refuse(
            "zip_too_large",
            _("The ZIP unpacks to more than {limit} bytes; it was refused."),
            limit=self.max_bytes,
        )

    def check(self, info: zipfile.ZipInfo) -> str | None:
        """The member's safe relative name; None for folders and archiver junk."""
        raw = info.filename
        name = raw.replace("\\", "/")
        if "\x00" in name:
            self.refuse(
                "zip_unsafe_path",
                _("The ZIP contains a file with an invalid name; it was refused."),
            )
        if name.startswith("/") or _DRIVE.match(name) or name.startswith("//"):
            self.refuse(
                "zip_absolute_path",
                _("The ZIP contains a file with an absolute path ({name}); it was refused."),
                name=raw,
            )
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if ".." in parts:
            self.refuse(
                "zip_unsafe_path",
                _("The ZIP contains a path leading outside the archive ({name}); it was refused."),
                name=raw,
            )
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            self.refuse(
                "zip_symlink",
                _("The ZIP contains a symbolic link ({name}); it was refused."),
                name=raw,
            )
        if info.flag_bits & 0x1:
            self.refuse(
                "zip_encrypted",
                _(
                    "The ZIP contains an encrypted file ({name}); please upload it "
                    "without a password."
                ),
                name=raw,
            )
        if info.is_dir() or not parts:
            return None
        base = parts[-1]
        extension = base.rsplit(".", 1)[-1].lower() if "." in base else ""
        if extension in FORBIDDEN_EXTENSIONS or base.lower() in FORBIDDEN_EXTENSIONS:
            self.refuse(
                "zip_executable",
                _(
                    "The ZIP contains a program or script ({name}); uploads may only "
                    "contain the XML and its pictures and documents. It was refused."
                ),
                name=raw,
            )
        if (
            info.create_system == 3
            and stat.S_ISREG(mode)
            and mode & 0o111
            and extension not in DATA_EXTENSIONS
        ):
            self.refuse(
                "zip_executable",
                _(
                    "The ZIP contains a file marked as executable ({name}); uploads may "
                    "only contain the XML and its pictures and documents. It was "
                    "refused."
                ),
                name=raw,
            )
        joined = "/".join(parts)
        if _JUNK.search(joined):
            return None
        return joined

    def extract(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, depth: int
    ) -> None:
        nested = name.lower().endswith(".zip")
        if self.xml_only and not nested and not name.lower().endswith(".xml"):
            return
        if nested:
            if depth + 1 > self.max_depth:
                self.refuse(
                    "zip_nested_too_deep",
                    _(
                        "The ZIP contains ZIPs nested more than {limit} levels deep; it "
                        "was refused."
                    ),
                    limit=self.max_depth,
                )
            self.nested += 1
            target = self.tmp / f"nested-{self.nested}.zip"
        else:
            if name in self.upload.files:
                self.upload.problems.append(
                    warning(
                        "zip_duplicate",
                        _("The ZIP contains {name} twice; the first one was used."),
                        name=name,
                    )
                )
                return
            target = self.upload.root.joinpath(*name.split("/"))
            if not self.inside_root(target):
                self.refuse(
                    "zip_unsafe_path",
                    _(
                        "The ZIP contains a path leading outside the archive ({name}); "
                        "it was refused."
                    ),
                    name=info.filename,
                )
            if self.clashes(name):
                # "a" as a file and "a/b.jpg" as a member: keep the first, say so
                self.duplicate(name)
                return
        if not nested and not name.lower().endswith(".xml"):
            self.check_later(archive, info, name, target)
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "xb") as dst:
                first = True
                while chunk := src.read(_CHUNK):
                    if first:
                        self.check_head(chunk, info)
                    first = False
                    self.count(len(chunk))
                    dst.write(chunk)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            # "a" as a file and "a/b.jpg" as a member: keep the first, say so
            self.duplicate(name)
            return
        except OSError as exc:
            self.unpack_failed(info, exc)
        if nested:
            folder = posixpath.dirname(name)
            self.unpack(target, prefix=f"{folder}/" if folder else "", depth=depth + 1)
        else:
            self.add(name)

    def inside_root(self, target: Path) -> bool:
        """Whether ``target`` lies inside the upload's folder once symlinks are resolved.

        The folder's real path is resolved once, not for every member. A member directly in
        the folder needs nothing more: only this unpacker creates anything there, and never
        a link. Deeper members are resolved in full.
        """
        if self.root_real is None:
            self.root_real = os.path.realpath(self.upload.root)
        if target.parent == self.upload.root:
            real = os.path.join(self.root_real, target.name)
        else:
            real = os.path.realpath(target)
        return real.startswith(self.root_real + os.sep)

    def clashes(self, name: str) -> bool:
        """Whether ``name`` is a folder of a member, or lies in a "folder" that is a file."""
        return name in self.folders or any(f in self.upload.files for f in _folders(name))

    def add(self, name: str, member: _Member | None = None) -> None:
        self.upload.files[name] = member
        if "/" in name:
            self.folders.update(_folders(name))

    def check_later(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, target: Path
    ) -> None:
        """Check a member that is unpacked only when needed: read it once, learn its SHA-256.

        The same checks as unpacking it (first bytes, unpacked size, a name that clashes
        with another member's folder, a name the file system refuses) without writing it.
        """
        parts = name.split("/")
        too_long = len(os.fsencode(str(target))) >= 4096 or any(
            len(os.fsencode(part)) > 255 for part in parts
        )
        if too_long:
            self.unpack_failed(info, OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)))
        digest = hashlib.sha256()
        size = 0
        with archive.open(info) as src:
            first = True
            while chunk := src.read(_CHUNK):
                if first:
                    self.check_head(chunk, info)
                first = False
                self.count(len(chunk))
                digest.update(chunk)
                size += len(chunk)
        self.add(name, _Member(archive, info, digest.digest(), size))

    def check_head(self, chunk: bytes, info: zipfile.ZipInfo) -> None:
        if looks_like_program(chunk):
            self.refuse(
                "zip_executable",
                _(
                    "The ZIP contains a program or script ({name}); uploads "
                    "may only contain the XML and its pictures and "
                    "documents. It was refused."
                ),
                name=info.filename,
            )

    def count(self, size: int) -> None:
        self.written += size
        if self.written > self.max_bytes:
            self.too_large()

    def duplicate(self, name: str) -> None:
        self.upload.problems.append(
            warning(
                "zip_duplicate",
                _("The ZIP contains {name} twice; the first one was used."),
                name=name,
            )
        )

    def unpack_failed(self, info: zipfile.ZipInfo, exc: OSError) -> None:
        self.refuse(
            "zip_unsafe_path",
            _("A file of the ZIP could not be unpacked ({name}: {detail}); it was refused."),
            name=info.filename,
            detail=exc.strerror or str(exc),
        )
