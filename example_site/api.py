"""The example site's Wagtail API v2: pages, images, documents and the listings endpoint."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from wagtail_openimmo.api import (
    ListingMediaDocumentsAPIViewSet,
    ListingMediaImagesAPIViewSet,
    ListingsAPIViewSet,
)

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
# Without the pictures and documents of withdrawn or unpublished listings (issue 15).
api_router.register_endpoint("images", ListingMediaImagesAPIViewSet)
api_router.register_endpoint("documents", ListingMediaDocumentsAPIViewSet)
api_router.register_endpoint("listings", ListingsAPIViewSet)
