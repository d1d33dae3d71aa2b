"""A property's attachments: find the bytes, check them, store them as Wagtail images/documents.

In three steps, so that no database transaction is open while files are read or downloaded:

1. ``locate`` (no writes, no network): where each ``<anhang>``'s bytes are and their SHA-256;
   this feeds the property's fingerprint, so an unchanged ZIP picture or REMOTE URL (same URL
   and ``<check>``) never costs more than hashing.
2. ``prepare`` (no database writes): reuse what the listing has already (same bytes, or same
   URL and check value), else download, check the MD5 ``<check>``, the size cap, and that a
   picture really is a picture (Pillow; decompression bombs refused). A bad file is a warning
   and is skipped; the listing still imports.
3. ``store`` (inside the property's transaction): reuse an image or document of the broker
   with the same bytes, else save a new one via Django's storage API into the broker's
   collection; files written are remembered so that a rollback can delete them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mimetypes
import posixpath
import struct
import time
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from .. import get_listing_page_model
from ..conf import get_setting
from ..models import Broker, ListingAttachment
from ..openimmo import AttachmentRef
from ..openimmo.problems import Problem, warning
from ..openimmo.schema import LINK_GROUPS
from . import remote
from .uploads import FORBIDDEN_EXTENSIONS, Upload, XmlFile

IMAGE_FORMATS = {
    "JPEG": "jpg",
    "MPO": "jpg",
    "PNG": "png",
    "GIF": "gif",
    "WEBP": "webp",
    "AVIF": "avif",
}
IMAGE_EXTENSIONS = {
    "jpg",
    "jpeg",
    "jpe",
    "jfif",
    "png",
    "gif",
    "webp",
    "avif",
    "bmp",
    "tif",
    "tiff",
    "heic",
    "heif",
}
DOCUMENT_GROUPS = {"DOKUMENTE", "FILM"}
# Documents accepted when the site sets no WAGTAILDOCS_EXTENSIONS.
DEFAULT_DOCUMENT_EXTENSIONS = {
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "odp",
    "rtf",
    "txt",
    "csv",
    "mp4",
    "m4v",
    "mov",
    "webm",
    "avi",
    "mpg",
    "mpeg",
    "wmv",
    "mp3",
    *IMAGE_EXTENSIONS,
}
# Never stored as documents: a browser would run them from the media server.
UNSAFE_DOCUMENT_EXTENSIONS = {
    "html",
    "htm",
    "xhtml",
    "shtml",
    "svg",
    "svgz",
    "xml",
    "xsl",
    "xslt",
    "swf",
}
_CHUNK = 1 << 20


@dataclass
class Located:
    """Where one ``<anhang>``'s bytes are (step 1)."""

    ref: AttachmentRef
    order: int
    kind: str  # image, document or link (image/document may change after checking)
    name: str
    path: Path | None = None
    content: bytes | None = None
    url: str | None = None
    sha256: str = ""
    sha1: str = ""
    md5: str = ""
    size: int = 0
    problems: list[Problem] = field(default_factory=list)
    upload: Upload | None = None  # a ZIP member not unpacked yet: ``extract`` does it

    @property
    def missing(self) -> bool:
        return (
            self.kind != "link"
            and self.url is None
            and self.path is None
            and (self.content is None)
        )

    @property
    def source_check(self) -> str:
        if self.url is None:
            return ""
        check = self.ref.check_value or ""
        value = f"{self.ref.check_type or ''}:{check}" if check else ""
        return value[:255]

    def fingerprint(self) -> list[Any]:
        if self.kind == "link":
            source = f"link:{self.url}"
        elif self.url is not None:
            source = f"url:{self.url}|{self.source_check}"
        elif self.missing:
            source = f"missing:{self.name}"
        else:
            source = f"sha256:{self.sha256}"
        return [self.ref.gruppe, self.ref.titel, self.ref.format, source]


@dataclass
class Prepared:
    """An attachment ready to store (step 2): reused, new bytes, or a link."""

    located: Located
    kind: str
    reuse: ListingAttachment | None = None
    path: Path | None = None
    content: bytes | None = None
    file_name: str = ""
    width: int | None = None
    height: int | None = None
    pending_download: bool = False  # dry run: a URL that a real run would download

    @property
    def ref(self) -> AttachmentRef:
        return self.located.ref


@dataclass
class Stored:
    """What step 3 wrote, so that a rollback can undo the storage side."""

    files: list[tuple[Any, str]] = field(default_factory=list)  # (storage, name)
    objects: list[Any] = field(default_factory=list)  # images and documents created
    images_created: int = 0
    images_reused: int = 0
    documents_created: int = 0
    collection: Any = None  # the broker's collection the files went to

    def delete_files(self) -> None:
        for storage, name in self.files:
            # best effort: this runs while another exception is on its way up
            with contextlib.suppress(Exception):
                storage.delete(name)
        self.files.clear()


def picture_order(refs: list[AttachmentRef]) -> list[AttachmentRef]:
    """TITELBILD first, everything else in the broker's order."""
    return sorted(refs, key=lambda r: (r.gruppe != "TITELBILD", r.position))


def _hashes(path: Path | None, content: bytes | None) -> tuple[str, str, str, int]:
    """SHA-256 (our identity of a file), SHA-1 (Wagtail's ``file_hash``), MD5 (OpenImmo's
    ``<check>``) and size, reading the file once."""
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(usedforsecurity=False)
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    fh = io.BytesIO(content) if content is not None else open(path, "rb")  # noqa: SIM115
    with fh:
        while chunk := fh.read(_CHUNK):
            sha256.update(chunk)
            sha1.update(chunk)
            md5.update(chunk)
            size += len(chunk)
    return sha256.hexdigest(), sha1.hexdigest(), md5.hexdigest(), size


def _extension(name: str) -> str:
    base = posixpath.basename(name or "")
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _format_extension(fmt: str | None) -> str:
    """``JPEG``, ``jpg``, ``.jpg``, ``image/jpeg`` -> ``jpg``."""
    text = (fmt or "").strip().lower()
    if not text:
        return ""
    if "/" in text:
        guessed = mimetypes.guess_extension(text.split(";")[0].strip()) or ""
        return guessed.lstrip(".").replace("jpe", "jpg") if guessed else ""
    return text.lstrip(".").replace("jpeg", "jpg")


def initial_kind(ref: AttachmentRef) -> str:
    gruppe = ref.gruppe or ""
    if gruppe in LINK_GROUPS and ref.url and ref.content is None:
        return "link"
    if gruppe in DOCUMENT_GROUPS:
        return "document"
    ext = _extension(ref.name) or _format_extension(ref.format)
    if ext and ext not in IMAGE_EXTENSIONS:
        return "document"
    return "image"


def locate(ref: AttachmentRef, order: int, upload: Upload | None, xml: XmlFile | None) -> Located:
    """Step 1: find the bytes of ``ref`` (no network, no writes)."""
    located = Located(ref=ref, order=order, kind=initial_kind(ref), name=ref.name)
    if located.kind == "link":
        located.url = ref.url
        return located
    if ref.content is not None:
        located.content = ref.content
    elif ref.url:
        located.url = ref.url
        return located
    else:
        path = upload.lookup(ref.path, xml) if upload is not None else None
        if path is None:
            located.problems.append(
                warning(
                    "attachment_missing",
                    _(
                        "Attachment {name} ({gruppe}) is referenced but not in the upload; "
                        "it was skipped."
                    ),
                    line=ref.line,
                    path="anhaenge/anhang/daten/pfad",
                    name=ref.path,
                    gruppe=ref.gruppe or "-",
                )
            )
            return located
        located.path = path
        known = upload.digest(path)
        if known is not None:  # a ZIP member, hashed when the ZIP was checked
            located.sha256, located.size = known
            located.upload = upload
            return located
    located.sha256, located.sha1, located.md5, located.size = _hashes(located.path, located.content)
    return located


def extract(located: Located) -> None:
    """Unpack a ZIP member that ``locate`` only looked at (once), learning its SHA-1 and MD5.

    Called before anything reads the file; an unchanged property never needs it.
    """
    if located.upload is None:
        return
    hashes = located.upload.extract(located.path)
    if hashes is not None:
        located.sha1, located.md5 = hashes
    elif not located.sha1:  # the same member as another attachment's, unpacked for it
        located.sha256, located.sha1, located.md5, located.size = _hashes(located.path, None)
    located.upload = None


# How documents of these types begin. A "PDF" that is HTML would be served from the media
# folder under the site's own domain; one that is anything else is no use to visitors.
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_ZIP = (b"PK\x03\x04",)
DOCUMENT_MAGIC = {
    "pdf": None,  # "%PDF" within the first 1024 bytes, as PDF readers accept it
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "zip": _ZIP,
    "rtf": (b"{\\rtf",),
}
_MARKUP = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


def _head(path: Path | None, content: bytes | None, size: int = 1024) -> bytes:
    if content is not None:
        return content[:size]
    if path is None:
        return b""
    with open(path, "rb") as fh:
        return fh.read(size)


def document_matches(ext: str, head: bytes) -> bool:
    """Whether a document's first bytes fit its type (markup never passes as a document)."""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP):
        return False
    if ext == "pdf":
        return b"%PDF-" in head
    magic = DOCUMENT_MAGIC.get(ext)
    return magic is None or head.startswith(magic)


class BadFile(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def check_image(located: Located, path: Path | None, content: bytes | None) -> tuple[str, int, int]:
    """``(format, width, height)`` of a real, decodable picture; else ``BadFile``."""
    ref = located.ref
    max_pixels = int(get_setting("MAX_IMAGE_PIXELS"))

    def source():
        return io.BytesIO(content) if content is not None else open(path, "rb")  # noqa: SIM115

    def bad(code, template, **params):
        return BadFile(
            warning(
                code,
                template,
                line=ref.line,
                path="anhaenge/anhang",
                name=located.name,
                gruppe=ref.gruppe or "-",
                **params,
            )
        )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with source() as fh, PILImage.open(fh) as image:
                fmt = image.format or ""
                width, height = image.size
                if width * height > max_pixels:
                    raise bad(
                        "image_too_large",
                        _(
                            "Picture {name} ({gruppe}) is {width}×{height} pixels, more "
                            "than the limit of {limit} pixels; it was skipped."
                        ),
                        width=width,
                        height=height,
                        limit=max_pixels,
                    )
                if fmt not in IMAGE_FORMATS:
                    raise bad(
                        "image_format",
                        _(
                            "Picture {name} ({gruppe}) is a {format} file, which web "
                            "pages cannot show; please send JPEG or PNG. It was skipped."
                        ),
                        format=fmt or "?",
                    )
                image.verify()
            with source() as fh, PILImage.open(fh) as image:
                if fmt in ("JPEG", "MPO"):
                    # decode at 1/8 scale: reads the whole file, costs a fraction of the time
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except BadFile:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise bad(
            "image_bomb",
            _(
                "Picture {name} ({gruppe}) claims a huge size (a “decompression bomb”); "
                "it was skipped."
            ),
        ) from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,
        TypeError,
        MemoryError,
        struct.error,
        zlib.error,
    ) as exc:
        # all of these mean "not a picture" on hostile or broken input
        raise bad(
            "image_invalid",
            _(
                "Attachment {name} ({gruppe}) is not a picture that can be read "
                "({detail}); it was skipped."
            ),
            detail=type(exc).__name__,
        ) from None
    return fmt, width, height


def document_extensions() -> set[str]:
    configured = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None)
    allowed = (
        {e.lower().lstrip(".") for e in configured}
        if configured
        else set(DEFAULT_DOCUMENT_EXTENSIONS)
    )
    return allowed - UNSAFE_DOCUMENT_EXTENSIONS - FORBIDDEN_EXTENSIONS


def _file_name(located: Located, fallback_ext: str) -> str:
    name = posixpath.basename((located.name or "").split("?", 1)[0]) or "anhang"
    if "." not in name and fallback_ext:
        name = f"{name}.{fallback_ext}"
    return name[-200:]


def existing_attachments(listing_id: int | None) -> list[ListingAttachment]:
    if listing_id is None:
        return []
    return list(
        ListingAttachment.objects.filter(listing_id=listing_id)
        .select_related("image", "document")
        .order_by("sort_order", "id")
    )


class _Reuse:
    """The listing's current attachments, each reusable once."""

    def __init__(self, rows: list[ListingAttachment]):
        self.rows = [
            r
            for r in rows
            if (r.kind != "image" or r.image_id) and (r.kind != "document" or r.document_id)
        ]
        self.used: set[int] = set()

    def take(
        self, *, kind: str | None = None, sha256: str = "", url: str = "", check: str = ""
    ) -> ListingAttachment | None:
        for row in self.rows:
            if row.pk in self.used or (kind and row.kind != kind):
                continue
            if (
                sha256
                and row.content_hash == sha256
                or url
                and row.kind != "link"
                and (row.url == url and row.source_check == check)
            ):
                self.used.add(row.pk)
                return row
        return None


class RemoteBudget:
    """How many downloads by URL one import may make, and for how long in all.

    One small XML naming hundreds of slow URLs would otherwise hold a worker until the task
    timeout. Once ``REMOTE_MAX_DOWNLOADS`` or ``REMOTE_MAX_SECONDS`` is used up, further
    URL attachments of the import are skipped, with one warning (they are fetched by a later
    import, since their listings do not hold them yet).
    """

    def __init__(self, max_count: int | None = None, max_seconds: float | None = None):
        self.max_count = int(
            get_setting("REMOTE_MAX_DOWNLOADS") if max_count is None else max_count
        ) or 0
        self.max_seconds = float(
            get_setting("REMOTE_MAX_SECONDS") if max_seconds is None else max_seconds
        ) or 0.0
        self.count = 0
        self.seconds = 0.0
        self.warned = False

    @property
    def exhausted(self) -> bool:
        return bool(
            (self.max_count and self.count >= self.max_count)
            or (self.max_seconds and self.seconds >= self.max_seconds)
        )

    def skipped(self, located: Located) -> Problem | None:
        """The one warning of the import, for the first attachment skipped."""
        if self.warned:
            return None
        self.warned = True
        return warning(
            "remote_budget",
            _(
                "This import may download at most {count} attachments by URL, for at most "
                "{seconds} seconds in all; that is used up. {name} and the further "
                "attachments by URL of this file were skipped; send them again later or as "
                "files in the ZIP."
            ),
            line=located.ref.line,
            path="anhaenge/anhang/daten/pfad",
            count=self.max_count or "∞",
            seconds=f"{self.max_seconds:g}" if self.max_seconds else "∞",
            name=located.name,
        )


def fetch(located: Located, workdir: Path, http=None) -> Problem | None:
    """Download a URL attachment into ``workdir`` (once); a warning if that failed."""
    if located.path is not None:
        return None
    max_bytes = min(int(get_setting("MAX_ATTACHMENT_BYTES")), int(get_setting("REMOTE_MAX_BYTES")))
    try:
        path = remote.download(located.url, directory=workdir, max_bytes=max_bytes, http=http)
    except remote.RemoteError as exc:
        return warning(
            exc.code,
            exc.template,
            line=located.ref.line,
            path="anhaenge/anhang/daten/pfad",
            **exc.params,
        )
    located.path = path
    located.sha256, located.sha1, located.md5, located.size = _hashes(path, None)
    return None


def prepare(
    located_list: list[Located],
    listing_id: int | None,
    *,
    dry_run: bool,
    workdir: Path,
    progress=None,
    budget: RemoteBudget | None = None,
) -> tuple[list[Prepared], list[Problem]]:
    """Step 2: decide what to keep, download and check (no database writes).

    ``budget`` is the import's ``RemoteBudget``, shared by all its properties.
    """
    reuse = _Reuse(existing_attachments(listing_id))
    max_bytes = int(get_setting("MAX_ATTACHMENT_BYTES"))
    prepared: list[Prepared] = []
    problems: list[Problem] = []
    http = None
    total = len(located_list)
    try:
        for done, located in enumerate(located_list, start=1):
            problems.extend(located.problems)
            if located.kind == "link":
                prepared.append(Prepared(located, "link"))
            elif located.missing:
                pass
            elif located.url is not None:
                row = reuse.take(url=located.url, check=located.source_check)
                if row is not None:
                    prepared.append(Prepared(located, row.kind, reuse=row))
                elif dry_run:
                    prepared.append(Prepared(located, located.kind, pending_download=True))
                elif budget is not None and budget.exhausted:
                    note = budget.skipped(located)
                    if note is not None:
                        problems.append(note)
                else:
                    if http is None:
                        http = remote.session()
                    started = time.monotonic()
                    failure = fetch(located, workdir, http)
                    if budget is not None:
                        budget.count += 1
                        budget.seconds += time.monotonic() - started
                    if failure is not None:
                        problems.append(failure)
                    else:
                        item = _check(located, reuse, max_bytes, problems)
                        if item is not None:
                            prepared.append(item)
            else:
                item = _check(located, reuse, max_bytes, problems)
                if item is not None:
                    prepared.append(item)
            if progress is not None:
                progress("attachments", done, total)
    finally:
        if http is not None:
            http.close()
    return prepared, problems


def _check(
    located: Located, reuse: _Reuse, max_bytes: int, problems: list[Problem]
) -> Prepared | None:
    ref = located.ref
    if located.size > max_bytes:
        problems.append(
            warning(
                "attachment_too_large",
                _(
                    "Attachment {name} ({gruppe}) has {size} bytes, more than the limit of "
                    "{limit}; it was skipped."
                ),
                line=ref.line,
                path="anhaenge/anhang",
                name=located.name,
                gruppe=ref.gruppe or "-",
                size=located.size,
                limit=max_bytes,
            )
        )
        return None
    if (ref.check_type or "").upper() == "MD5" and ref.check_value:
        sent = ref.check_value.strip().lower()
        if len(sent) == 32 and all(c in "0123456789abcdef" for c in sent) and (sent != located.md5):
            problems.append(
                warning(
                    "attachment_md5",
                    _(
                        "Attachment {name} ({gruppe}) does not match its MD5 check value "
                        "(sent {sent}, file has {actual}); it may be damaged or the wrong "
                        "file. It was imported anyway."
                    ),
                    line=ref.line,
                    path="anhaenge/anhang/check",
                    name=located.name,
                    gruppe=ref.gruppe or "-",
                    sent=sent,
                    actual=located.md5,
                )
            )
    row = reuse.take(kind=None, sha256=located.sha256)
    if row is not None and row.kind in ("image", "document"):
        return Prepared(located, row.kind, reuse=row, path=located.path, content=located.content)
    kind = located.kind
    if kind == "image":
        try:
            fmt, width, height = check_image(located, located.path, located.content)
        except BadFile as exc:
            ext = _extension(located.name)
            if ext and ext not in IMAGE_EXTENSIONS:
                kind = "document"
            else:
                problems.append(exc.problem)
                return None
        else:
            return Prepared(
                located,
                "image",
                path=located.path,
                content=located.content,
                file_name=_file_name(located, IMAGE_FORMATS[fmt]),
                width=width,
                height=height,
            )
    ext = _extension(located.name) or _format_extension(ref.format)
    if ext not in document_extensions():
        problems.append(
            warning(
                "document_type",
                _(
                    "Attachment {name} ({gruppe}) is of a type that is not accepted ({ext}); "
                    "it was skipped."
                ),
                line=ref.line,
                path="anhaenge/anhang",
                name=located.name,
                gruppe=ref.gruppe or "-",
                ext=ext or "?",
            )
        )
        return None
    if not document_matches(ext, _head(located.path, located.content)):
        problems.append(
            warning(
                "document_invalid",
                _(
                    "Attachment {name} ({gruppe}) is not a real {ext} file (its content is "
                    "something else); it was skipped."
                ),
                line=ref.line,
                path="anhaenge/anhang",
                name=located.name,
                gruppe=ref.gruppe or "-",
                ext=ext.upper(),
            )
        )
        return None
    return Prepared(
        located,
        "document",
        path=located.path,
        content=located.content,
        file_name=_file_name(located, ext),
    )


# --- step 3: storing ---------------------------------------------------------------------


def broker_collection(broker: Broker, *, create: bool) -> Collection | None:
    """The broker's collection, below the app's ``COLLECTION_NAME`` collection."""
    name = get_setting("COLLECTION_NAME")
    for attempt in range(2):
        root = Collection.get_first_root_node()
        base = root.get_children().filter(name=name).first()
        if base is None:
            if not create:
                return None
            try:
                with transaction.atomic():
                    base = root.add_child(name=name)
            except IntegrityError:  # created by another broker's import just now
                if attempt:
                    raise
                continue
        collection = base.get_children().filter(name=broker.slug).first()
        if collection is None and create:
            try:
                with transaction.atomic():
                    collection = base.add_child(name=broker.slug)
            except IntegrityError:
                if attempt:
                    raise
                continue
        return collection
    return None


def _content_file(item: Prepared):
    if item.content is not None:
        return ContentFile(item.content, name=item.file_name)
    return File(open(item.path, "rb"), name=item.file_name)  # noqa: SIM115 - closed by caller


def store(
    items: list[Prepared], broker: Broker, stored: Stored, *, collection=None
) -> list[ListingAttachment]:
    """Step 3: the listing's attachment rows, in order (call inside the transaction).

    ``collection``: the broker's collection, if an earlier property of the run committed
    files to it (it is looked up, or created, otherwise). Files already in it are found
    by their SHA-1 in one query per kind, not one per file.
    """
    image_model = get_image_model()
    document_model = get_document_model()
    rows: list[ListingAttachment] = []
    existing: dict[tuple[str, str], Any] | None = None
    for order, item in enumerate(items):
        ref = item.ref
        located = item.located
        row = item.reuse or ListingAttachment(kind=item.kind)
        row.kind = item.kind
        row.gruppe = (ref.gruppe or "")[:30]
        row.titel = (ref.titel or "")[:255]
        row.format = (ref.format or "")[:50]
        row.file_name = (located.name or "")[:255]
        row.sort_order = order
        if item.kind == "link":
            row.url = (located.url or "")[:2000]
            rows.append(row)
            continue
        if located.url is not None:
            row.url = located.url[:2000]
            row.source_check = located.source_check
        if item.reuse is None:
            if collection is None:
                collection = broker_collection(broker, create=True)
            stored.collection = collection
            model = image_model if item.kind == "image" else document_model
            if existing is None:
                existing = _existing_files(items, collection, image_model, document_model)
            obj = existing.get((item.kind, located.sha1))
            if obj is None:
                obj = existing[item.kind, located.sha1] = _create(model, item, collection, stored)
            elif item.kind == "image":
                stored.images_reused += 1
            if item.kind == "image":
                row.image = obj
            else:
                row.document = obj
            row.content_hash = located.sha256
            row.md5 = located.md5
        rows.append(row)
    return rows


def _existing_files(items: list[Prepared], collection, image_model, document_model) -> dict:
    """The images and documents of ``collection`` with the SHA-1 of a new item, by kind and
    SHA-1: for each, the one ``filter(collection=..., file_hash=...).first()`` would give."""
    found: dict[tuple[str, str], Any] = {}
    for kind, model in (("image", image_model), ("document", document_model)):
        hashes = {i.located.sha1 for i in items if i.reuse is None and i.kind == kind}
        if not hashes:
            continue
        objects = model.objects.filter(collection=collection, file_hash__in=hashes)
        for obj in objects if objects.ordered else objects.order_by("pk"):
            found.setdefault((kind, obj.file_hash), obj)
    return found


def _save_file(obj, file_name: str, content, *, measured: bool = False) -> None:
    """``obj.file.save(file_name, content)``, but a write that fails half-way (a full disk)
    leaves no partial file behind: the name is chosen first, so it is known when the write
    fails (Django's storage neither removes the part nor says its name).

    ``measured``: a picture whose width and height are set already (``_check`` measured
    them with Pillow). Its name is then set on the file itself rather than assigned to the
    model's attribute: that assignment makes the image field read the dimensions from the
    stored file again, and Wagtail's reader (Willow) decodes the whole picture for that.
    """
    field = obj.file.field
    storage = obj.file.storage
    name = storage.get_available_name(
        field.generate_filename(obj, file_name), max_length=field.max_length
    )
    try:
        saved = storage.save(name, content, max_length=field.max_length)
    except BaseException:
        # the name was free a moment ago: what is there now is this write's part
        with contextlib.suppress(Exception):
            if storage.exists(name):
                storage.delete(name)
        raise
    if measured:
        obj.file.name = saved
        obj.file._committed = True
    else:
        obj.file = saved


def _create(model, item: Prepared, collection, stored: Stored):
    title = (item.ref.titel or item.located.name or item.ref.gruppe or "OpenImmo")[:255]
    obj = model(title=title, collection=collection)
    if hasattr(obj, "description") and item.kind == "image":
        obj.description = (item.ref.titel or "")[:255]
    obj.file_size = item.located.size
    obj.file_hash = item.located.sha1
    if item.kind == "image" and item.width:
        obj.width, obj.height = item.width, item.height
    content = _content_file(item)
    try:
        _save_file(obj, item.file_name, content, measured=item.kind == "image" and bool(item.width))
    finally:
        content.close()
    stored.files.append((obj.file.storage, obj.file.name))
    obj.save()
    stored.objects.append(obj)
    if item.kind == "image":
        stored.images_created += 1
    else:
        stored.documents_created += 1
    return obj


def remove_unused(broker: Broker) -> int:
    """Delete the broker's imported images and documents that no listing uses any more.

    Only files in the importer's collection for this broker are considered, and one that
    something else refers to (an editor used it on another page) is kept.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ReferenceIndex

    collection = broker_collection(broker, create=False)
    if collection is None:
        return 0
    listing_type = ContentType.objects.get_for_model(get_listing_page_model())
    removed = 0
    for model, column in ((get_image_model(), "image_id"), (get_document_model(), "document_id")):
        used = ListingAttachment.objects.filter(**{f"{column}__isnull": False}).values(column)
        for obj in model.objects.filter(collection=collection).exclude(pk__in=used):
            # References from listings' attachments do not count (they are what this
            # cleans up); one from a listing's own content (``body``) does.
            others = ReferenceIndex.get_references_to(obj).exclude(
                content_type=listing_type, model_path__startswith="attachments."
            )
            if others.exists():
                continue
            with transaction.atomic():
                obj.delete()  # Wagtail deletes the file (and renditions) on commit
            removed += 1
    return removed
