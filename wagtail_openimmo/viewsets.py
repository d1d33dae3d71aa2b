"""Admin viewsets. ``wagtail_hooks.py`` only registers them.

Everything the operator needs sits in one "OpenImmo" menu (a ``ViewSetGroup``): brokers
(a snippet), the import log (a read-only ``ModelViewSet`` with an inspect view) and the held
files. Wagtail's own viewsets are used rather than wagtail-modeladmin, which left Wagtail's
core in 6.0 and is only kept in maintenance as a separate package.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from .choosers import RestrictedSnippetChooserViewSet
from .forms import FTPAccountForm
from .leads.viewsets import SearchAgentViewSet
from .logsafe import shown
from .models import Broker, ExportTarget, FTPAccount, ImportRun
from .permissions import IMPORT_RUN_POLICY, can_run_import, can_view_log, importrun_permissions
from .timewords import yes_no
from .views.export import ExportTargetForm, can_export
from .views.held import ApproveBrokerView, ConfirmHeldView, DiscardHeldView, HeldFilesView
from .views.inbox import (
    DownloadInboxFileView,
    InboxOverviewView,
    InboxStatusView,
    RequeueFailedView,
)
from .views.runs import (
    STATUS_PRIMARY,
    ImportRunIndexView,
    ImportRunInspectView,
    RunImportNowView,
)


class YesNoColumn(Column):
    """A boolean as the words "Ja"/"Nein" (Yes/No), not True/False."""

    def get_value(self, instance):
        return yes_no(super().get_value(instance))


class BrokerEditView(snippet_views.EditView):
    """The broker's edit page, with its other pages one click away: export, upload, FTP."""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user, pk = self.request.user, self.object.pk
        if can_run_import(user):
            buttons.append(HeaderButton(
                _("Upload a file"), url=reverse("wagtail_openimmo_broker:upload", args=[pk]),
                icon_name="upload", priority=40,
            ))
        if can_export(user, self.object):
            buttons.append(HeaderButton(
                _("Export as OpenImmo"), url=reverse("wagtail_openimmo_export:broker", args=[pk]),
                icon_name="download", priority=50,
            ))
        if user.has_perm("wagtail_openimmo.change_ftpaccount"):
            buttons.append(HeaderButton(
                _("FTP access"), url=reverse("wagtail_openimmo_broker:ftp", args=[pk]),
                icon_name="key", priority=60,
            ))
        return buttons


class BrokerViewSet(SnippetViewSet):
    model = Broker
    icon = "group"
    menu_label = _("Brokers")
    add_to_admin_menu = False
    edit_view_class = BrokerEditView
    list_display = [
        "name",
        "slug",
        "anbieternr",
        "openimmo_anid",
        YesNoColumn("import_approved", label=_("imports approved")),
        "email",
    ]
    list_filter = ["import_approved", "language"]
    search_fields = ["name", "slug", "anbieternr", "openimmo_anid", "email"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("language")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("anbieternr"), FieldPanel("openimmo_anid")]),
                FieldPanel("known_anids"),
            ],
            heading=_("How its files are recognised"),
        ),
        FieldPanel("index_page"),
        MultiFieldPanel(
            [FieldPanel("import_approved"), FieldPanel("live_listing_quota")],
            heading=_("Approval"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("enquiry_feedback_xml"), FieldPanel("enquiry_extra_recipient")]
                ),
                FieldPanel("withdrawal_button"),
            ],
            heading=_("Enquiries from the website"),
        ),
    ]


class _ShowGeneratedPasswordMixin:
    """After saving, show a generated FTP password once; it is not stored anywhere."""

    def save_action(self):
        password = getattr(self.form, "generated_password", None)
        # Wagtail 8 also saves by JSON (autosave), where no message is shown; Wagtail 7 has
        # no such requests (nor the attribute).
        if password and not getattr(self, "expects_json_response", False):
            messages.warning(
                self.request,
                _(
                    "The new FTP password of %(user)s is: %(password)s — copy it now, it "
                    "cannot be shown again."
                )
                % {"user": self.object.username, "password": password},
            )
        return super().save_action()


class FTPAccountCreateView(_ShowGeneratedPasswordMixin, snippet_views.CreateView):
    pass


class FTPAccountEditView(_ShowGeneratedPasswordMixin, snippet_views.EditView):
    pass


class FTPAccountViewSet(SnippetViewSet):
    model = FTPAccount
    icon = "key"
    chooser_viewset_class = RestrictedSnippetChooserViewSet
    menu_label = _("FTP accounts")
    add_to_admin_menu = False
    add_view_class = FTPAccountCreateView
    edit_view_class = FTPAccountEditView
    list_display = [
        "username",
        "folder",
        YesNoColumn("is_active", label=_("active")),
        DateColumn("last_login_at", label=_("last login")),
    ]
    list_filter = ["is_active"]
    search_fields = ["username", "folder"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("username"), FieldPanel("folder")]),
            MultiFieldPanel(
                [FieldPanel("new_password"), FieldPanel("generate_password")],
                heading=_("Password"),
            ),
            FieldPanel("brokers", widget=forms.CheckboxSelectMultiple),
            FieldPanel("is_active"),
        ],
        base_form_class=FTPAccountForm,
    )


class ExportTargetViewSet(SnippetViewSet):
    """FTP targets the scheduled export pushes to; the password is write-only."""

    model = ExportTarget
    icon = "upload"
    chooser_viewset_class = RestrictedSnippetChooserViewSet
    menu_label = _("Export targets")
    add_to_admin_menu = False
    list_display = [
        "__str__",
        "broker",
        "umfang",
        YesNoColumn("active", label=_("active")),
        DateColumn("last_pushed_at", label=_("last pushed")),
        "last_error",
    ]
    list_filter = ["active", "umfang", "broker"]
    search_fields = ["name", "host", "username", "folder"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("broker"), FieldPanel("name")]),
            FieldRowPanel([FieldPanel("host"), FieldPanel("port")]),
            FieldRowPanel([FieldPanel("username"), FieldPanel("password")]),
            FieldPanel("folder"),
            FieldRowPanel([FieldPanel("use_tls"), FieldPanel("passive")]),
            FieldRowPanel([FieldPanel("umfang"), FieldPanel("active")]),
        ],
        base_form_class=ExportTargetForm,
    )


class ImportRunFilterSet(WagtailFilterSet):
    created_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)

    class Meta:
        model = ImportRun
        fields = ["broker", "status", "created_at"]


def _counts(run: ImportRun) -> str:
    return f"+{run.created} ~{run.updated} −{run.withdrawn} ✕{run.rejected}"


class ImportRunViewSet(ModelViewSet):
    """The import log: read-only (imports write it), filterable, one page per run."""

    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    name = "openimmo_runs"
    url_prefix = "openimmo/runs"
    url_namespace = "wagtail_openimmo_runs"
    icon = "list-ul"
    menu_label = _("Import runs")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ImportRunIndexView
    inspect_view_class = ImportRunInspectView
    filterset_class = ImportRunFilterSet
    search_fields = ["file_name", "checksum", "broker__name", "message"]
    list_per_page = 50
    ordering = ["-created_at", "-id"]
    list_display = [
        TitleColumn(
            "file_name",
            label=_("File"),
            url_name="wagtail_openimmo_runs:inspect",
            accessor=lambda run: shown(run.file_name),
            sort_key="file_name",
        ),
        Column("broker", label=_("Broker")),
        StatusTagColumn(
            "get_status_display",
            label=_("Status"),
            primary=lambda run: run.status in STATUS_PRIMARY,
            sort_key="status",
        ),
        Column("counts", label=_("New / updated / offline / rejected"), accessor=_counts),
        Column("warnings", label=_("Warnings")),
        DateColumn("created_at", label=_("Received"), sort_key="created_at"),
        DateColumn("report_sent_at", label=_("Report sent")),
    ]
    inspect_view_fields = [
        "broker",
        "file_name",
        "status",
        "message",
        "umfang",
        "transfer_timestamp",
        "sendersoftware",
        "techn_email",
        "checksum",
        "size",
        "file_path",
        "dry_run",
        "forced",
        "started_at",
        "finished_at",
        "report_sent_at",
        "report_attempts",
        "report_error",
    ]

    def get_permissions_to_register(self):
        return importrun_permissions()

    def get_common_view_kwargs(self, **kwargs):
        # Read-only: no add, edit, delete, history or usage views to link to.
        return super().get_common_view_kwargs(
            **{
                "history_url_name": None,
                "usage_url_name": None,
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("run-now/", RunImportNowView.as_view(), name="run_now"),
        ]


class LogPermissionMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_log(request.user)


class HeldFilesViewSet(ViewSet):
    """Files waiting for the operator: unapproved brokers and held full transfers."""

    name = "openimmo_held"
    url_prefix = "openimmo/held"
    url_namespace = "wagtail_openimmo_held"
    icon = "warning"
    menu_label = _("Held files")
    menu_item_class = LogPermissionMenuItem

    def get_urlpatterns(self):
        return [
            path("", HeldFilesView.as_view(), name="index"),
            path("approve/<int:pk>/", ApproveBrokerView.as_view(), name="approve_broker"),
            path("confirm/<int:pk>/", ConfirmHeldView.as_view(), name="confirm_run"),
            path("discard/<int:pk>/", DiscardHeldView.as_view(), name="discard_run"),
        ]


class InboxViewSet(ViewSet):
    """Every file waiting or in flight in the brokers' inboxes, with what can be done."""

    name = "openimmo_inbox"
    url_prefix = "openimmo/inbox"
    url_namespace = "wagtail_openimmo_inbox"
    icon = "folder-inverse"
    menu_label = _("Inbox")
    menu_item_class = LogPermissionMenuItem

    def get_urlpatterns(self):
        return [
            path("", InboxOverviewView.as_view(), name="index"),
            path("status/", InboxStatusView.as_view(), name="status"),
            path(
                "download/<str:folder>/<str:place>/<str:name>",
                DownloadInboxFileView.as_view(),
                name="download",
            ),
            path("requeue/<str:folder>/<str:name>", RequeueFailedView.as_view(), name="requeue"),
        ]


class OpenImmoViewSetGroup(ViewSetGroup):
    menu_label = _("OpenImmo")
    menu_icon = "home"
    menu_order = 250
    items = (
        BrokerViewSet,
        InboxViewSet,
        ImportRunViewSet,
        HeldFilesViewSet,
        FTPAccountViewSet,
        ExportTargetViewSet,
        SearchAgentViewSet,
    )
