"""The admin's search agents: who subscribed to what, per broker; deletion on request.

Agents are made by visitors (double opt-in), so the admin neither adds nor edits them: it
lists them (filter by broker and state, search by address) and deletes them — the answer to
a GDPR deletion request. ``openimmo_search_agents export --email`` answers an access request.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from ..models import SearchAgent
from .agents import describe_filters


class SearchAgentFilterSet(WagtailFilterSet):
    confirmed = django_filters.BooleanFilter(
        field_name="confirmed_at", lookup_expr="isnull", exclude=True, label=_("Confirmed")
    )

    class Meta:
        model = SearchAgent
        fields = ["broker", "confirmed", "active"]


def _yes_no(value: bool) -> str:
    # Words, not Wagtail's tick icons whose title reads "True"/"False" in every language.
    return str(_("Yes") if value else _("No"))


def _filters_text(agent: SearchAgent) -> str:
    return ", ".join(describe_filters(agent.filters or {})) or str(_("all listings"))


class SearchAgentViewSet(ModelViewSet):
    model = SearchAgent
    name = "openimmo_search_agents"
    url_prefix = "openimmo/search-agents"
    url_namespace = "wagtail_openimmo_search_agents"
    icon = "mail"
    menu_label = _("Search agents")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    filterset_class = SearchAgentFilterSet
    search_fields = ["email"]
    list_per_page = 50
    ordering = ["-created_at"]
    list_display = [
        TitleColumn("email", label=_("E-mail address"),
                    url_name="wagtail_openimmo_search_agents:inspect"),  # fmt: skip
        Column("broker", label=_("Broker")),
        Column("search", label=_("Search"), accessor=_filters_text),
        Column("confirmed", label=_("Confirmed"), accessor=lambda a: _yes_no(a.confirmed)),
        Column("active", label=_("Active"), accessor=lambda a: _yes_no(a.active)),
        Column("sent_count", label=_("Listings mailed")),
        DateColumn("created_at", label=_("Created")),
        DateColumn("last_sent_at", label=_("Last mailed")),
    ]
    inspect_view_fields = [
        "email", "language", "index_page", "broker", "filters", "created_at",
        "consent_ip_hash", "confirmed_at", "last_sent_at", "bounces", "active",
    ]  # fmt: skip

    def get_queryset(self, request):
        return SearchAgent.objects.select_related("broker").annotate(
            sent_count=Count("matches", filter=Q(matches__sent_at__isnull=False))
        )

    def get_common_view_kwargs(self, **kwargs):
        # Visitors make agents; the admin only looks and deletes.
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "history_url_name": None,
               "usage_url_name": None, **kwargs}  # fmt: skip
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("delete/<int:pk>/", self.delete_view, name="delete"),
        ]
