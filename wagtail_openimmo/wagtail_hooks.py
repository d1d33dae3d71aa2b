"""Admin registration only; the viewsets live in ``viewsets.py``, the views in ``views/``."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet

from .compat import register_permission_policy
from .models import Broker, FTPSettings, ImportRun, OpenImmoSiteSettings
from .permissions import IMPORT_RUN_POLICY, can_view_log
from .privacy import check_document
from .views import brokers as broker_views
from .views import export as export_views
from .views.dashboard import ImportRunsPanel
from .viewsets import OpenImmoViewSetGroup

register_setting(FTPSettings, icon="upload")
register_setting(OpenImmoSiteSettings, icon="site")


@hooks.register("register_admin_urls")
def register_broker_urls():
    urls = [
        path("ftp/", broker_views.FTPAccessView.as_view(), name="ftp"),
        path("ftp/send/", broker_views.SendFTPAccessView.as_view(), name="ftp_send"),
        path("upload/", broker_views.UploadView.as_view(), name="upload"),
        path("upload/<str:token>/", broker_views.UploadConfirmView.as_view(),
             name="upload_confirm"),
        path("import/<int:run_id>/", broker_views.UploadProgressView.as_view(),
             name="upload_progress"),
    ]
    return [path("openimmo/broker/<int:pk>/", include((urls, "wagtail_openimmo_broker")))]


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

# Before any viewset asks for the fallback policy.
register_permission_policy(ImportRun, IMPORT_RUN_POLICY)

# register_snippet registers the whole group: the Broker snippet viewset and the plain
# admin viewsets in it alike.
register_snippet(OpenImmoViewSetGroup)


@hooks.register("before_serve_document")
def hide_documents_of_listings_not_live(document, request):
    """Documents of withdrawn or unpublished listings answer 404 to visitors (``privacy``)."""
    check_document(document, request)


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("wagtail_openimmo/admin.css"))


@hooks.register("construct_homepage_panels")
def add_import_runs_panel(request, panels):
    if can_view_log(request.user):
        panels.append(ImportRunsPanel())
