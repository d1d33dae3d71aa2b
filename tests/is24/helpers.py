"""Build listings for the IS24 tests: real ListingPages with real Wagtail images."""

from __future__ import annotations

import io

from django.core.files.images import ImageFile
from wagtail.images import get_image_model

from wagtail_openimmo.models import ListingAttachment, ListingPage
from wagtail_openimmo.openimmo.generate import demo_property, jpeg, xml_bytes
from wagtail_openimmo.openimmo.reader import read_transfer

# demo_property(n) cycles through these kinds (see openimmo.generate.KINDS).
APARTMENT_BUY, APARTMENT_RENT, HOUSE_BUY = 0, 1, 2


def fields_of(prop) -> dict:
    """The column values of a generated property, read with the real OpenImmo reader."""
    transfer = read_transfer(xml_bytes([prop]))
    (record,) = list(transfer.records())
    return dict(record.fields)


def make_image(seed: int, *, size=(64, 48), title="Bild"):
    data = jpeg(seed, size=size)
    return get_image_model().objects.create(
        title=title, file=ImageFile(io.BytesIO(data), name=f"is24-{seed}.jpg")
    ), data


def add_picture(listing, seed: int, *, gruppe="BILD", titel="Bild", sort_order=None):
    import hashlib

    image, data = make_image(seed, title=titel)
    return ListingAttachment.objects.create(
        listing=listing,
        kind="image",
        gruppe=gruppe,
        titel=titel,
        image=image,
        file_name=f"pic-{seed}.jpg",
        content_hash=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sort_order=sort_order if sort_order is not None else listing.attachments.count(),
    )


def make_listing(broker, n: int = 0, *, images: int = 2, live: bool = True, **overrides):
    """A published ListingPage of ``broker`` from ``demo_property(n)``, with pictures."""
    values = fields_of(demo_property(n, images=0))
    values["title"] = values.pop("objekttitel")
    values.update(overrides)
    listing = ListingPage(broker=broker, imported=True, slug=f"listing-{n}-{broker.slug}", **values)
    broker.index_page.add_child(instance=listing)
    if live:
        listing.save_revision().publish()
    else:
        listing.live = False
        listing.save()
    for i in range(images):
        add_picture(
            listing,
            n * 100 + i,
            gruppe="TITELBILD" if i == 0 else "BILD",
            titel="Ansicht" if i == 0 else f"Bild {i + 1}",
        )
    return ListingPage.objects.get(pk=listing.pk)
