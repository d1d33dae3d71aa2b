"""A listing's pictures, documents and links as ``<anhang>`` elements and files in the ZIP.

Files go next to the XML under their original names (``ListingAttachment.file_name``), in the
broker's order and groups. A file that several listings share (the importer keeps one Wagtail
image per distinct picture) is stored once. Two different files with the same name get
``-2``, ``-3``, … before the extension, in export order, which is the order of the listings'
IDs and so the same in every export. Names are compared ignoring case, because receivers
look files up that way.

Files are read through Django's storage API, so media on S3 or elsewhere works as well as
local files.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ListingAttachment
from ..openimmo.tree import Data
from ..openimmo.writer import timestamp_text

CHECK_TYPES = ("DATETIME", "MD5")
# Formats that do not shrink in a ZIP: stored, not deflated.
_COMPRESSED = {
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".avif",
    ".heic",
    ".pdf",
    ".zip",
    ".mp4",
    ".mov",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
CHUNK = 1 << 16


def normalise_check_type(value: str | None) -> str:
    check = (value or "DATETIME").strip().upper()
    if check not in CHECK_TYPES:
        raise ValueError(f"check type must be one of {', '.join(CHECK_TYPES)}, not {value!r}")
    return check


def safe_name(name: str, fallback: str) -> str:
    """A file name without folders or characters archives and file systems dislike."""
    base = posixpath.basename((name or "").replace("\\", "/"))
    base = _UNSAFE.sub("_", unicodedata.normalize("NFC", base)).strip(" .")
    return base[:180] or fallback


@dataclass
class ZipFile:
    """One file put into the ZIP."""

    name: str
    md5: str


@dataclass
class ZipNames:
    """The member names of one ZIP: one per distinct file, deduplicated.

    ``key`` identifies the content (``("image", pk)``); the same key always gets the same
    name, so a shared picture is stored once.
    """

    reserved: set[str] = field(default_factory=set)
    by_key: dict[tuple[str, int], ZipFile] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.used |= {n.casefold() for n in self.reserved}

    def allocate(self, wanted: str) -> str:
        stem, ext = posixpath.splitext(wanted)
        candidate, n = wanted, 1
        while candidate.casefold() in self.used:
            n += 1
            candidate = f"{stem}-{n}{ext}"
        self.used.add(candidate.casefold())
        return candidate


@dataclass
class AttachmentsOut:
    """What one listing's attachments gave: the ``<anhang>`` elements and counters."""

    anhaenge: list[Data] = field(default_factory=list)
    files_added: int = 0
    bytes_added: int = 0
    links: int = 0
    problems: list[str] = field(default_factory=list)


def anhang(
    *,
    location: str,
    gruppe: str,
    titel: str,
    format: str,
    pfad: str,
    check: tuple[str, str] | None = None,
) -> Data:
    children: list[Data] = []
    if titel:
        children.append({"tag": "anhangtitel", "text": titel})
    children.append({"tag": "format", "text": format})
    if check:
        children.append({"tag": "check", "attrs": {"ctype": check[0]}, "text": check[1]})
    children.append({"tag": "daten", "children": [{"tag": "pfad", "text": pfad}]})
    attrs = {"location": location}
    if gruppe:
        attrs["gruppe"] = gruppe
    return {"tag": "anhang", "attrs": attrs, "children": children}


def _format(attachment: ListingAttachment, name: str) -> str:
    if attachment.format:
        return attachment.format
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _copy_into_zip(zf: zipfile.ZipFile, member: str, fieldfile, when) -> tuple[str, int]:
    """Copy a stored file into the ZIP; its MD5 and size."""
    info = zipfile.ZipInfo(member, date_time=timezone.localtime(when).timetuple()[:6])
    ext = posixpath.splitext(member)[1].lower()
    info.compress_type = zipfile.ZIP_STORED if ext in _COMPRESSED else zipfile.ZIP_DEFLATED
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    with fieldfile.storage.open(fieldfile.name, "rb") as src, zf.open(info, "w") as dest:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dest.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def add_attachments(
    listing,
    attachments: list[ListingAttachment],
    zf: zipfile.ZipFile | None,
    names: ZipNames,
    *,
    check_type: str,
) -> AttachmentsOut:
    """The ``<anhang>`` elements of a listing, its files added to ``zf``.

    ``zf`` ``None`` leaves files out (``--no-attachments``): only links are written then, so
    the XML refers to nothing that is not in the ZIP.
    """
    out = AttachmentsOut()
    label = listing.objektnr_extern or listing.objektnr_intern or listing.title
    for attachment in attachments:
        stored = attachment.image if attachment.kind == ListingAttachment.KIND_IMAGE else None
        if attachment.kind == ListingAttachment.KIND_DOCUMENT:
            stored = attachment.document
        if attachment.kind == ListingAttachment.KIND_LINK or (stored is None and attachment.url):
            if attachment.url:
                out.anhaenge.append(
                    anhang(
                        location="REMOTE",
                        gruppe=attachment.gruppe,
                        titel=attachment.titel,
                        # as stored, even empty (<format/> is valid, a guess not lossless)
                        format=attachment.format,
                        pfad=attachment.url,
                    )
                )
                out.links += 1
            continue
        if zf is None:
            continue
        if stored is None or not stored.file:
            out.problems.append(
                _("%(listing)s: attachment “%(name)s” has no file any more; it was left out.")
                % {"listing": label, "name": attachment.file_name or attachment.titel or "?"}
            )
            continue
        key = (attachment.kind, stored.pk)
        entry = names.by_key.get(key)
        if entry is None:
            wanted = safe_name(
                attachment.file_name or stored.file.name, f"{attachment.kind}-{stored.pk}"
            )
            member = names.allocate(wanted)
            try:
                md5, size = _copy_into_zip(zf, member, stored.file, stored.created_at)
            except OSError as exc:
                out.problems.append(
                    _(
                        "%(listing)s: the file of attachment “%(name)s” cannot be read (%(error)s);"
                        " it was left out."
                    )
                    % {"listing": label, "name": wanted, "error": exc.__class__.__name__}
                )
                continue
            entry = names.by_key[key] = ZipFile(member, md5)
            out.files_added += 1
            out.bytes_added += size
        if check_type == "MD5":
            check = ("MD5", entry.md5)
        else:
            check = ("DATETIME", timestamp_text(timezone.localtime(stored.created_at)))
        out.anhaenge.append(
            anhang(
                location="EXTERN",
                gruppe=attachment.gruppe,
                titel=attachment.titel,
                format=_format(attachment, entry.name),
                pfad=entry.name,
                check=check,
            )
        )
    return out
