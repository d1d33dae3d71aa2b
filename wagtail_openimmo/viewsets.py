"""Admin viewsets. ``wagtail_hooks.py`` only registers them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from .forms import FTPAccountForm
from .models import Broker, ExportTarget, FTPAccount
from .views.export import ExportTargetForm


class BrokerViewSet(SnippetViewSet):
    model = Broker
    icon = "group"
    menu_label = _("Brokers")
    add_to_admin_menu = False
    list_display = ["name", "slug", "anbieternr", "openimmo_anid", "import_approved", "email"]
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
    ]


class _ShowGeneratedPasswordMixin:
    """After saving, show a generated FTP password once; it is not stored anywhere."""

    def save_action(self):
        password = getattr(self.form, "generated_password", None)
        if password and not self.expects_json_response:
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
    menu_label = _("FTP accounts")
    add_to_admin_menu = False
    add_view_class = FTPAccountCreateView
    edit_view_class = FTPAccountEditView
    list_display = ["username", "folder", "is_active", "last_login_at"]
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
    menu_label = _("Export targets")
    add_to_admin_menu = False
    list_display = ["__str__", "broker", "umfang", "active", "last_pushed_at", "last_error"]
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
