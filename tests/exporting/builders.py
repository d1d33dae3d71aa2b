"""Build listings directly, as the importer or an editor would leave them (no importer
needed): plain functions, real Wagtail pages, images and documents."""

from __future__ import annotations

import hashlib
import io
import zipfile
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from wagtail_openimmo.models import ListingAttachment, ListingPage
from wagtail_openimmo.models.pages import COLUMN_FOR_FIELD
from wagtail_openimmo.openimmo import generate, read_transfer

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_image(data: bytes, name: str = "bild.jpg", title: str = "Bild"):
    return get_image_model().objects.create(
        title=title, file=ImageFile(io.BytesIO(data), name=name)
    )


def make_document(data: bytes = PDF, name: str = "expose.pdf", title: str = "Exposé"):
    return get_document_model().objects.create(title=title, file=ContentFile(data, name=name))


def image_attachment(image, *, gruppe="BILD", titel="", file_name=None, format="image/jpeg"):
    data = image.file.open("rb").read()
    image.file.close()
    return ListingAttachment(
        kind=ListingAttachment.KIND_IMAGE,
        gruppe=gruppe,
        titel=titel,
        image=image,
        file_name=file_name or image.file.name.rsplit("/", 1)[-1],
        format=format,
        content_hash=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
    )


def document_attachment(document, *, gruppe="DOKUMENTE", titel="Exposé", file_name=None):
    return ListingAttachment(
        kind=ListingAttachment.KIND_DOCUMENT,
        gruppe=gruppe,
        titel=titel,
        document=document,
        file_name=file_name or document.file.name.rsplit("/", 1)[-1],
        format="application/pdf",
    )


def link_attachment(url, *, gruppe="LINKS", titel="Rundgang"):
    return ListingAttachment(kind=ListingAttachment.KIND_LINK, gruppe=gruppe, titel=titel, url=url)


def make_listing(broker, *, title="Wohnung", attachments=(), publish=True, **columns):
    """An editor-made listing under the broker's index page (published by default)."""
    columns.setdefault("slug", f"listing-{ListingPage.objects.count() + 1}")
    page = ListingPage(title=title, broker=broker, **columns)
    page.attachments = list(attachments)
    page.live = publish
    broker.index_page.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def listing_from_record(broker, record, *, attachments=(), slug=None):
    """A listing as the importer stores one property: columns, the whole record, files."""
    columns = {COLUMN_FOR_FIELD.get(k, k): v for k, v in record.fields.items()}
    columns["title"] = columns.get("title") or "Ohne Titel"
    return make_listing(
        broker,
        attachments=attachments,
        slug=slug or f"obj-{record.objektnr}".lower(),
        imported=True,
        openimmo_data=record.data,
        last_imported_at=timezone.now(),
        is_reference=record.aktion == "REFERENZ",
        **columns,
    )


def imported_listing(broker, n: int = 1, *, images: int = 2, aktion=None):
    """A generated property as the importer would have stored it (pictures as images)."""
    prop = generate.demo_property(n, images=images, image_size=(160, 120))
    prop.aktion = aktion
    record = next(read_transfer(generate.xml_bytes([prop])).records())
    assert record.ok, record.errors
    atts = [
        image_attachment(
            make_image(p.data, name=p.name, title=p.titel),
            gruppe=p.gruppe,
            titel=p.titel,
            file_name=p.name,
        )
        for p in prop.pictures
    ]
    return listing_from_record(broker, record, attachments=atts)


def read_zip(path_or_file) -> tuple[bytes, dict[str, bytes]]:
    """The XML and the other members of an exported ZIP."""
    with zipfile.ZipFile(path_or_file) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    return members.pop("openimmo.xml"), members


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
