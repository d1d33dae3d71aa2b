"""Public URLs of the app that are not pages. Include them before Wagtail's catch-all:

    path("openimmo/", include("wagtail_openimmo.urls")),

Only the one-click unsubscribe of search agents lives here: mail programs POST to it from
their own servers (RFC 8058), without the CSRF cookie a page form has, so it must be a view
exempt from CSRF — which a page's ``serve`` cannot be. Without this include, the
``List-Unsubscribe`` header points to the unsubscribe page instead (one click more).
"""

from django.urls import path

from .leads.views import one_click_unsubscribe

app_name = "wagtail_openimmo"

urlpatterns = [
    path(
        "search-agent/unsubscribe/<str:token>/",
        one_click_unsubscribe,
        name="search_agent_unsubscribe",
    ),
]
