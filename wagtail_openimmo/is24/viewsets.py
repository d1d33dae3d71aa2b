"""Admin viewsets of the IS24 sub-app; ``wagtail_hooks.py`` only registers them.

- *IS24 connections*: one per broker; consumer key/secret (the secret is write-only), the
  button that starts the OAuth flow, status and last error. Tokens are never shown.
- *Listings on IS24*: read-only; per listing its IS24 state, IS24 id and a link to the
  public listing on IS24, the last error and notices. Rows are never edited or deleted by
  hand: they hold the IS24 ids that keep the sync from creating duplicates.
- *Contacts on IS24*: read-only; the contact persons the sync created on IS24, per account,
  with their IS24 id.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList, Panel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ..choosers import RestrictedSnippetChooserViewSet
from .models import IS24Connection, IS24Contact, IS24ListingState


class IS24ConnectionForm(WagtailAdminModelForm):
    """The consumer secret is write-only: shown empty, kept when left empty."""

    def clean_consumer_secret(self):
        value = self.cleaned_data.get("consumer_secret")
        if not value and self.instance.pk:
            return IS24Connection.objects.get(pk=self.instance.pk).consumer_secret
        return value


class ConnectionStatusPanel(Panel):
    """Status, last error and the "Authorise with ImmobilienScout24" button."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_openimmo/is24/connection_status_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            connection = self.instance
            context["connection"] = connection
            if connection.pk:
                context["authorise_url"] = reverse(
                    "wagtail_openimmo_is24:authorise", args=[connection.pk]
                )
                if connection.is_authorised and connection.active:
                    context["sync_url"] = reverse(
                        "wagtail_openimmo_is24:sync_now", args=[connection.pk]
                    )
                viewset = getattr(IS24ListingState, "snippet_viewset", None)
                if viewset is not None:
                    context["states_url"] = (
                        reverse(viewset.get_url_name("list")) + f"?connection={connection.pk}"
                    )
            return context


class StatusColumn(Column):
    """The IS24 state with the IS24 id under it, linked to the public listing on IS24 while it
    is published (one column instead of two: the list fits a 1366 px screen)."""

    cell_template_name = "wagtail_openimmo/is24/status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = instance.expose_url()
        return context


class MessagesColumn(Column):
    """The last error and the notice of a listing in one column."""

    cell_template_name = "wagtail_openimmo/is24/messages_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["error"] = instance.error_message()
        context["notice"] = instance.notice_message()
        return context


class ReadOnlyPolicy(ModelPermissionPolicy):
    """May be looked at (``view``), never added, changed or deleted by hand."""

    WRITE = {"add", "change", "delete"}

    def user_has_permission(self, user, action):
        return action not in self.WRITE and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)


class IS24ConnectionViewSet(SnippetViewSet):
    model = IS24Connection
    icon = "link-external"
    chooser_viewset_class = RestrictedSnippetChooserViewSet
    menu_label = _("Connections")
    list_display = [
        "broker",
        Column("status_label", label=_("status")),
        BooleanColumn("sandbox", label=_("sandbox")),
        BooleanColumn("active", label=_("sync active")),
        DateColumn("last_sync_at", label=_("last sync")),
        "last_error",
    ]
    list_filter = ["sandbox", "active", "needs_reauth"]
    search_fields = ["broker__name", "broker__slug"]
    edit_handler = ObjectList(
        [
            ConnectionStatusPanel(heading=_("Status")),
            FieldPanel("broker"),
            FieldRowPanel([FieldPanel("sandbox"), FieldPanel("active")]),
            FieldRowPanel(
                [
                    FieldPanel("consumer_key"),
                    FieldPanel(
                        "consumer_secret",
                        widget=forms.PasswordInput(
                            render_value=False, attrs={"autocomplete": "new-password"}
                        ),
                    ),
                ],
                heading=_("Own consumer key (optional)"),
            ),
        ],
        base_form_class=IS24ConnectionForm,
    )


class IS24ListingStateViewSet(SnippetViewSet):
    model = IS24ListingState
    # Carried by the viewset (Wagtail 7 has no policy registry; wagtail_hooks registers it
    # on Wagtail 8 as well).
    permission_policy = ReadOnlyPolicy(IS24ListingState)
    icon = "list-ul"
    chooser_viewset_class = RestrictedSnippetChooserViewSet
    menu_label = _("Listings on IS24")
    inspect_view_enabled = True
    inspect_view_fields = [
        "listing",
        "connection",
        "external_id",
        "is24_id",
        "realestate_type",
        "published",
        "deactivated_at",
        "last_synced_at",
        "last_error",
        "last_error_code",
        "notice",
        "replaced_is24_ids",
    ]
    list_display = [
        Column("title", label=_("title")),
        "external_id",
        StatusColumn("status_label", label=_("IS24 status")),
        Column("type_label", label=_("IS24 type"), sort_key="realestate_type"),
        DateColumn("last_synced_at", label=_("last synced")),
        MessagesColumn("messages", label=_("messages")),
    ]
    list_filter = ["connection", "published", "last_error_code"]
    search_fields = ["external_id", "title", "is24_id"]
    ordering = ["-last_synced_at"]


class IS24ContactViewSet(SnippetViewSet):
    model = IS24Contact
    # Made and updated by the sync; looked at, never edited by hand.
    permission_policy = ReadOnlyPolicy(IS24Contact)
    icon = "user"
    menu_label = _("Contacts on IS24")
    list_display = [
        Column("name", label=_("name")),
        "email",
        "connection",
        Column("is24_id", label=_("IS24 id")),
        DateColumn("last_synced_at", label=_("last synced")),
    ]
    list_filter = ["connection"]
    search_fields = ["name", "email", "is24_id"]


class IS24ViewSetGroup(SnippetViewSetGroup):
    items = (IS24ConnectionViewSet, IS24ListingStateViewSet, IS24ContactViewSet)
    # Short enough for the admin's sidebar ("ImmobilienScout24" was cut off).
    menu_label = _("ImmoScout24")
    menu_icon = "link-external"
    menu_name = "wagtail_openimmo_is24"


def listing_state_button_label(state: IS24ListingState) -> str:
    if state.is24_id:
        return format_html("IS24: {} ({})", state.status_label(), state.is24_id)
    return format_html("IS24: {}", state.status_label())
