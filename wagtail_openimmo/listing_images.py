"""Which pictures a listing shows, and loading them with their renditions in constant queries.

The rendition specs are named here once; the templates use the same specs (a spec the
templates use but that is not prefetched costs one query per picture, which the query-count
tests catch). Change both together when overriding templates, or pass your own specs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Case, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

# Listing cards on the index page: {% srcset_image … fill-{480x320,960x640} %}
CARD_RENDITIONS = ("fill-480x320", "fill-960x640")
# The gallery on a listing page: thumbnails, the large picture and the lightbox picture.
GALLERY_RENDITIONS = ("fill-480x360", "fill-960x720", "max-1600x1200")
# Open Graph / social preview picture.
OG_RENDITION = "fill-1200x630"
# The picture the API v2 returns with a listing.
API_RENDITION = "fill-800x600"

# Groups that are pictures but not of the property: not shown in the gallery.
NOT_IN_GALLERY = ("ANBIETERLOGO", "QRCODE", "EPASS-SKALA")
FLOOR_PLAN_GROUPS = ("GRUNDRISS",)


def title_first():
    """Order by: the TITELBILD first, then the broker's order."""
    return (
        Case(
            When(gruppe="TITELBILD", then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "sort_order",
        "pk",
    )


def gallery_attachments_queryset():
    from .models import ListingAttachment

    return ListingAttachment.objects.filter(
        kind=ListingAttachment.KIND_IMAGE, image__isnull=False
    ).exclude(gruppe__in=NOT_IN_GALLERY)


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
        gallery_attachments_queryset()
        .filter(listing=OuterRef("pk"))
        .order_by(*title_first())
        .values("pk")[:1]
    )
    return listings.annotate(card_attachment_id=Subquery(first))


def attach_card_images(listings: Iterable, specs: Sequence[str] = CARD_RENDITIONS) -> list:
    """Set ``listing.card_image`` on listings annotated by ``annotate_card_attachment``."""
    listings = list(listings)
    ids = [x.card_attachment_id for x in listings if getattr(x, "card_attachment_id", None)]
    by_id = {}
    if ids:
        from .models import ListingAttachment

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
        with_renditions(gallery_attachments_queryset().filter(listing=listing), specs).order_by(
            *title_first()
        )
    )
    for number, picture in enumerate(pictures, start=1):
        picture.alt = picture.titel or _("%(title)s, picture %(number)d") % {
            "title": listing.title,
            "number": number,
        }
    return pictures
