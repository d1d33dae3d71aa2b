"""The Wagtail API v2 endpoint for listings, for sites with a separate front end.

Register it in the site's API router::

    from wagtail.api.v2.router import WagtailAPIRouter
    from wagtail_openimmo.api import ListingsAPIViewSet

    api_router = WagtailAPIRouter("wagtailapi")
    api_router.register_endpoint("listings", ListingsAPIViewSet)

``/api/v2/listings/`` then lists live, public listings with their key fields (see
``AbstractListingPage.api_fields``); the usual API filters work on them, for example
``?vermarktungsart=KAUF&ort=Mainz&order=preis`` or ``?search=Balkon``.
"""

from __future__ import annotations

from wagtail.api.v2.views import PagesAPIViewSet

from .models import ListingPage

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


class ListingsAPIViewSet(PagesAPIViewSet):
    """Pages API restricted to ``ListingPage``, listing the key fields by default."""

    model = ListingPage
    name = "listings"
    listing_default_fields = [*PagesAPIViewSet.listing_default_fields, *KEY_FIELDS]
