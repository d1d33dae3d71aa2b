import re

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from .api import api_router

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("sitemap.xml", sitemap),
    # The app's non-page URLs (the search agents' one-click unsubscribe, RFC 8058).
    path("openimmo/", include("wagtail_openimmo.urls")),
]

if settings.DEBUG:
    # The media files, in development only -- but not documents/: those are served by
    # Wagtail's document view (/documents/<id>/<name>), which keeps the exposés of withdrawn
    # listings from visitors. A production web server should deny /media/documents/ too.
    urlpatterns += [
        re_path(
            r"^" + re.escape(settings.MEDIA_URL.lstrip("/")) + r"(?!documents/)(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
