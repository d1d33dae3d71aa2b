"""Export a broker's listings as an OpenImmo ZIP: the XML and the files next to it.

    result = export_broker(broker, "export.zip")                      # the whole live stock
    result = export_broker(broker, "changes.zip", umfang="TEIL", since=last_time)

VOLL is the broker's whole stock: every live listing, imported or made by an editor,
references (sold or rented) as ``aktion aktionart="REFERENZ"``. A receiver withdraws what
is missing. TEIL lists only what changed after ``since``: listings published, edited or
imported since then, and listings withdrawn since then as ``aktionart="DELETE"``.

Listings are read one at a time (``iterator()``, attachments prefetched per chunk) and each
is written and dropped, so memory does not grow with the stock; the ZIP is written to a
temporary file next to the target and renamed into place when complete.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry

from .. import get_listing_page_model
from ..conf import get_setting
from ..models import AbstractListingPage, Broker, ListingAttachment
from ..openimmo.writer import SENDERSOFTWARE, OpenImmoWriter
from . import attachments as files
from .records import broker_anid, delete_tree, listing_tree

XML_NAME = "openimmo.xml"
CHUNK_SIZE = 200
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ExportError(Exception):
    """The export cannot be made as asked (the message says why, for people)."""


@dataclass
class ExportResult:
    """What an export wrote."""

    broker: str
    umfang: str
    check_type: str
    path: Path | None = None
    listings: int = 0
    deletes: int = 0
    files: int = 0
    links: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.listings or self.deletes)


def package_version() -> str:
    try:
        return metadata.version("wagtail-openimmo")
    except metadata.PackageNotFoundError:  # running from a checkout
        return "dev"


def _attachments_prefetch() -> Prefetch:
    return Prefetch(
        "attachments",
        # the order the site shows them in, which is also the order an import gives them
        queryset=ListingAttachment.objects.select_related("image", "document").title_first(),
    )


def changed_since(listings: QuerySet, since: dt.datetime) -> QuerySet:
    """Listings published, edited or imported after ``since``."""
    return listings.filter(
        Q(last_published_at__gt=since)
        | Q(latest_revision_created_at__gt=since)
        | Q(last_imported_at__gt=since)
    )


def withdrawn_since(listings: QuerySet, since: dt.datetime) -> QuerySet:
    """Listings not live that were withdrawn (by an import) or unpublished after ``since``."""
    unpublished = PageLogEntry.objects.filter(
        action="wagtail.unpublish", timestamp__gt=since
    ).values("page_id")
    return listings.filter(live=False).filter(Q(withdrawn_at__gt=since) | Q(pk__in=unpublished))


def select_listings(
    broker: Broker,
    *,
    umfang: str,
    since: dt.datetime | None,
    listings: Iterable[AbstractListingPage] | QuerySet | None = None,
) -> tuple[QuerySet, QuerySet]:
    """The listings to send and the listings to delete at the receiver."""
    mine = get_listing_page_model().objects.filter(broker=broker)
    if listings is not None:
        ids = listings.values("pk") if isinstance(listings, QuerySet) else [p.pk for p in listings]
        chosen = mine.filter(pk__in=ids)
        return chosen.filter(live=True), chosen.filter(live=False)
    if umfang == "VOLL":
        return mine.filter(live=True), mine.none()
    return changed_since(mine.filter(live=True), since), withdrawn_since(mine, since)


def _iterate(queryset: QuerySet, *, with_attachments: bool) -> Iterator[AbstractListingPage]:
    queryset = queryset.select_related("broker").order_by("pk")
    if with_attachments:
        queryset = queryset.prefetch_related(_attachments_prefetch())
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def export_broker(
    broker: Broker,
    out: str | os.PathLike | IO[bytes],
    *,
    umfang: str = "VOLL",
    since: dt.datetime | None = None,
    attachments: bool = True,
    listings: Iterable[AbstractListingPage] | QuerySet | None = None,
    check_type: str | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write ``broker``'s listings as an OpenImmo ZIP to ``out`` (a path or a binary file).

    ``umfang`` VOLL (the whole live stock) or TEIL (changes after ``since``, which TEIL
    requires); ``listings`` exports just those (as TEIL: a selection is never the whole
    stock); ``attachments`` False leaves the files out (links are still written);
    ``check_type`` DATETIME or MD5 (default: the ``EXPORT_CHECK_TYPE`` setting).
    """
    umfang = (umfang or "").upper()
    if umfang not in ("VOLL", "TEIL"):
        raise ExportError(_("The scope must be VOLL or TEIL, not “%s”.") % umfang)
    if listings is not None:
        if umfang == "VOLL":
            raise ExportError(
                _("A selection of listings is not the broker's whole stock: export it as TEIL.")
            )
    elif umfang == "TEIL" and since is None:
        raise ExportError(
            _("A partial export (TEIL) needs a date: export what changed since when?")
        )
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since)
    try:
        check = files.normalise_check_type(check_type or get_setting("EXPORT_CHECK_TYPE"))
    except ValueError as exc:
        raise ExportError(str(exc)) from exc

    result = ExportResult(broker=broker.slug, umfang=umfang, check_type=check)
    send, delete = select_listings(broker, umfang=umfang, since=since, listings=listings)
    now = now or timezone.now()

    if isinstance(out, str | os.PathLike):
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w+b") as fh:
                _write_zip(fh, broker, send, delete, result, attachments=attachments, now=now)
                result.bytes = fh.tell()
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        result.path = target
    else:
        start = out.tell() if out.seekable() else 0
        _write_zip(out, broker, send, delete, result, attachments=attachments, now=now)
        result.bytes = out.tell() - start if out.seekable() else 0
    return result


def _write_zip(fh, broker, send, delete, result: ExportResult, *, attachments: bool, now):
    names = files.ZipNames(reserved={XML_NAME})
    anbieter = {
        "anbieternr": broker.anbieternr,
        "firma": broker.name,
        "openimmo_anid": broker_anid(broker),
    }
    with (
        zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf,
        tempfile.TemporaryFile() as xml,
    ):
        with OpenImmoWriter(
            xml,
            umfang=result.umfang,
            anbieter=anbieter,
            sendersoftware=SENDERSOFTWARE,
            senderversion=package_version(),
            timestamp=timezone.localtime(now),
        ) as writer:
            for listing in _iterate(send, with_attachments=True):
                added = files.add_attachments(
                    listing,
                    list(listing.attachments.all()),
                    zf if attachments else None,
                    names,
                    check_type=result.check_type,
                )
                data, unresolved = listing_tree(listing, broker, anhaenge=added.anhaenge)
                writer.write_property(data)
                result.listings += 1
                result.files += added.files_added
                result.links += added.links
                result.problems.extend(added.problems)
                if unresolved:
                    result.problems.append(
                        _("%(listing)s: these values cannot be written in OpenImmo: %(fields)s")
                        % {
                            "listing": listing.objektnr_extern or listing.title,
                            "fields": ", ".join(unresolved),
                        }
                    )
            for listing in _iterate(delete, with_attachments=False):
                writer.write_property(delete_tree(listing, broker))
                result.deletes += 1
        xml.seek(0)
        info = zipfile.ZipInfo(XML_NAME, date_time=timezone.localtime(now).timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as dest:
            shutil.copyfileobj(xml, dest, files.CHUNK)


def has_changes(broker: Broker, since: dt.datetime) -> bool:
    """Whether anything of ``broker``'s would go into a TEIL export after ``since``."""
    send, delete = select_listings(broker, umfang="TEIL", since=since)
    return send.exists() or delete.exists()
