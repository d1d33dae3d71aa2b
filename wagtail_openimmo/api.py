"""The Wagtail API v2 endpoint for listings, for sites with a separate front end.

Register it in the site's API router::

    from wagtail.api.v2.router import WagtailAPIRouter
    from wagtail_openimmo.api import ListingsAPIViewSet

    api_router = WagtailAPIRouter("wagtailapi")
    api_router.register_endpoint("listings", ListingsAPIViewSet)

``/api/v2/listings/`` then lists live, public listings with their key fields (see
``AbstractListingPage.api_fields``); the usual API filters work on them, for example
``?vermarktungsart=KAUF&ort=Mainz&order=preis`` or ``?search=Balkon``.

Wagtail's own images and documents endpoints list every image and document, those of
withdrawn and unpublished listings too. Register ``ListingMediaImagesAPIViewSet`` and
``ListingMediaDocumentsAPIViewSet`` instead: they leave out the pictures and documents of
listings that are not live (other images and documents of the site are listed as usual)::

    api_router.register_endpoint("images", ListingMediaImagesAPIViewSet)
    api_router.register_endpoint("documents", ListingMediaDocumentsAPIViewSet)
"""

from __future__ import annotations

from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from . import get_listing_page_model
from .models import ListingAttachment

KEY_FIELDS = [
    "objektnr_extern",
    "vermarktungsart",
    "objektart",
    "plz",
    "ort",
    "preis",
    "waehrung",
    "wohnflaeche",
    "anzahl_zimmer",
    "is_reference",
    "broker_slug",
    "title_image",
]


class ListingModel:
    """``ListingsAPIViewSet.model``: the listing page model, looked up when used (so that a
    wrong ``LISTING_PAGE_MODEL`` is the system check's error, not one loading the URLs)."""

    def __get__(self, instance, owner):
        return get_listing_page_model()


class ListingsAPIViewSet(PagesAPIViewSet):
    """Pages API restricted to listings (``LISTING_PAGE_MODEL``), listing the key fields by
    default."""

    model = ListingModel()
    name = "listings"
    listing_default_fields = [*PagesAPIViewSet.listing_default_fields, *KEY_FIELDS]


def _hidden(column: str):
    """Ids of images or documents attached to a listing that is not live (and to none that
    is)."""
    attached = ListingAttachment.objects.filter(**{f"{column}__isnull": False})
    live = attached.filter(listing__live=True).values(column)
    return attached.exclude(listing__live=True).exclude(**{f"{column}__in": live}).values(
        column
    )


class ListingMediaImagesAPIViewSet(ImagesAPIViewSet):
    """Wagtail's images endpoint without the pictures of listings that are not live."""

    def get_queryset(self):
        return super().get_queryset().exclude(pk__in=_hidden("image"))


class ListingMediaDocumentsAPIViewSet(DocumentsAPIViewSet):
    """Wagtail's documents endpoint without the documents of listings that are not live."""

    def get_queryset(self):
        return super().get_queryset().exclude(pk__in=_hidden("document"))
