"""Which pictures a listing shows, and loading them with their renditions in constant queries.

The rendition specs are named here once; the templates use the same specs (a spec the
templates use but that is not prefetched costs one query per picture, which the query-count
tests catch). Change both together when overriding templates, or pass your own specs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from ..models import ListingAttachment
from ..models.pages import API_RENDITION, NOT_IN_GALLERY

__all__ = [
    "API_RENDITION",
    "CARD_RENDITIONS",
    "FLOOR_PLAN_GROUPS",
    "GALLERY_RENDITIONS",
    "NOT_IN_GALLERY",
    "OG_RENDITION",
    "annotate_card_attachment",
    "attach_card_images",
    "gallery",
    "with_renditions",
]

# Listing cards on the index page: {% srcset_image … fill-{480x320,960x640} %}
CARD_RENDITIONS = ("fill-480x320", "fill-960x640")
# The gallery on a listing page: thumbnails, the large picture and the lightbox picture.
GALLERY_RENDITIONS = ("fill-480x360", "fill-960x720", "max-1600x1200")
# Open Graph / social preview picture.
OG_RENDITION = "fill-1200x630"
# API_RENDITION (the picture the API v2 returns with a listing) is named with its API field
# in ``models.pages``, as are the groups the gallery leaves out (NOT_IN_GALLERY); the order
# and the gallery's queryset are ``ListingAttachment.objects.gallery().title_first()``.

FLOOR_PLAN_GROUPS = ("GRUNDRISS",)


def with_renditions(queryset, specs: Sequence[str]):
    """Attachments with their image and the image's renditions for ``specs``: two queries
    however many attachments (the image is joined)."""
    rendition_model = get_image_model().get_rendition_model()
    return queryset.select_related("image").prefetch_related(
        Prefetch(
            "image__renditions",
            queryset=rendition_model.objects.filter(filter_spec__in=list(specs)),
            to_attr="prefetched_renditions",
        )
    )


def annotate_card_attachment(listings):
    """Add ``card_attachment_id``: the listing's title picture (else its first picture)."""
    first = (
        ListingAttachment.objects.gallery()
        .filter(listing=OuterRef("pk"))
        .title_first()
        .values("pk")[:1]
    )
    return listings.annotate(card_attachment_id=Subquery(first))


def attach_card_images(listings: Iterable, specs: Sequence[str] = CARD_RENDITIONS) -> list:
    """Set ``listing.card_image`` on listings annotated by ``annotate_card_attachment``."""
    listings = list(listings)
    ids = [x.card_attachment_id for x in listings if getattr(x, "card_attachment_id", None)]
    by_id = {}
    if ids:
        by_id = {
            a.pk: a for a in with_renditions(ListingAttachment.objects.filter(pk__in=ids), specs)
        }
    for listing in listings:
        listing.card_image = by_id.get(getattr(listing, "card_attachment_id", None))
        if listing.card_image is not None:
            listing.card_image.alt = listing.card_image.titel or listing.title
    return listings


def gallery(listing, specs: Sequence[str] = GALLERY_RENDITIONS) -> list:
    """The listing's pictures for the gallery, title picture first, with renditions.

    Each gets ``alt``: the broker's picture title, else "<listing title>, picture <n>"."""
    pictures = list(
        with_renditions(
            ListingAttachment.objects.gallery().filter(listing=listing), specs
        ).title_first()
    )
    for number, picture in enumerate(pictures, start=1):
        picture.alt = picture.titel or _("%(title)s, picture %(number)d") % {
            "title": listing.title,
            "number": number,
        }
    return pictures
