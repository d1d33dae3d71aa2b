"""Pages that gather listings across brokers: the portal search and the visitor's watchlist.

A property portal with many brokers needs one search over all of them, not one index per
broker: ``PortalSearchPage`` lists the live listings of every broker (or of the brokers an
editor chose) with the index's filters plus a broker filter. ``WatchlistPage`` shows the
listings a visitor saved ("Merkzettel") — kept in the visitor's browser, never on the server.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from .. import get_listing_page_model


class PortalSearchPage(Page):
    """One search over the live listings of several brokers (all of them by default)."""

    intro = RichTextField(_("introduction"), blank=True)
    brokers = ParentalManyToManyField(
        "wagtail_openimmo.Broker",
        verbose_name=_("brokers"),
        blank=True,
        related_name="+",
        help_text=_("Whose listings are searched. None chosen: all brokers."),
    )
    page_size = models.PositiveSmallIntegerField(
        _("listings per page"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("brokers"), FieldPanel("page_size")]),
    ]
    subpage_types: list[str] = []
    template = "wagtail_openimmo/portal_search_page.html"

    class Meta:
        verbose_name = _("portal search page")
        verbose_name_plural = _("portal search pages")

    def chosen_broker_ids(self) -> list[int]:
        return list(self.brokers.values_list("pk", flat=True))

    def live_listings(self):
        """Live, current listings (no references) of the chosen brokers."""
        listings = get_listing_page_model().objects.live().filter(is_reference=False)
        chosen = self.chosen_broker_ids()
        if chosen:
            listings = listings.filter(broker_id__in=chosen)
        return listings

    def route(self, request, path_components):
        """Besides itself, the portal answers its search agents' sub-paths (``leads.views``)."""
        if path_components and path_components[0] == "search-agent" and self.live:
            from wagtail.url_routing import RouteResult

            return RouteResult(self, kwargs={"leads_path": list(path_components)})
        return super().route(request, path_components)

    def serve(self, request, *args, leads_path=None, **kwargs):
        if leads_path is not None:
            from ..frontend.views import in_page_language
            from ..leads import views as leads_views

            return in_page_language(self, lambda: leads_views.serve(self, request, leads_path))
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..frontend.views import portal_context  # see AbstractListingIndexPage

        context = super().get_context(request, *args, **kwargs)
        context.update(portal_context(self, request))
        return context


class WatchlistPage(Page):
    """The visitor's saved listings ("Merkzettel"), read from a cookie the page's script
    writes — so the page itself renders on the server, a plain list of links."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: list[str] = []
    template = "wagtail_openimmo/watchlist_page.html"

    class Meta:
        verbose_name = _("watchlist page")
        verbose_name_plural = _("watchlist pages")

    def get_context(self, request, *args, **kwargs):
        from ..frontend.views import watchlist_context  # see AbstractListingIndexPage

        context = super().get_context(request, *args, **kwargs)
        context.update(watchlist_context(self, request))
        return context
