"""URLs for sites set up without some of the apps: the page router, and the admin unless
``OPENIMMO_TEST_NO_ADMIN_URLS=1`` (the admin's forms need wagtail.images and
wagtail.documents, so without them loading its URLs fails before any check reports)."""

import os

from django.urls import include, path
from wagtail import urls as wagtail_urls

urlpatterns = [
    path("openimmo/", include("wagtail_openimmo.urls")),  # as the README says
    path("", include(wagtail_urls)),
]
if not os.environ.get("OPENIMMO_TEST_NO_ADMIN_URLS"):
    from wagtail.admin import urls as wagtailadmin_urls

    urlpatterns.insert(0, path("admin/", include(wagtailadmin_urls)))
