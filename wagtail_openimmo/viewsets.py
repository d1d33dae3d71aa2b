"""Admin viewsets. ``wagtail_hooks.py`` only registers them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Broker


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
