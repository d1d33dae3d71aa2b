"""Admin registration only; the viewsets live in ``viewsets.py``, the views in ``views/``."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet

from .models import Broker, FTPSettings
from .views import export as export_views
from .viewsets import BrokerViewSet, ExportTargetViewSet, FTPAccountViewSet

register_snippet(BrokerViewSet)
register_snippet(FTPAccountViewSet)
register_snippet(ExportTargetViewSet)
register_setting(FTPSettings, icon="upload")


@hooks.register("register_admin_urls")
def register_export_urls():
    urls = [path("broker/<int:pk>/", export_views.broker_export, name="broker")]
    return [path("openimmo/export/", include((urls, "wagtail_openimmo_export")))]


@hooks.register("register_snippet_listing_buttons")
def export_button(snippet, user, next_url=None):
    if isinstance(snippet, Broker) and export_views.can_export(user, snippet):
        yield Button(
            _("Export as OpenImmo"),
            reverse("wagtail_openimmo_export:broker", args=[snippet.pk]),
            icon_name="download",
            priority=60,
        )


hooks.register("register_bulk_action", export_views.ExportListingsBulkAction)
