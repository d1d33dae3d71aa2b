from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from wagtail_openimmo import get_listing_page_model
from wagtail_openimmo.frontend.images import annotate_card_attachment, attach_card_images
from wagtail_openimmo.models import ListingIndexPage


class HomePage(Page):
    """The demo agency's start page: a welcome text and the newest listings."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = [
        "wagtail_openimmo.ListingIndexPage",
        "wagtail_openimmo.PortalSearchPage",
        "wagtail_openimmo.WatchlistPage",
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Cards with picture and price, as on the index (constant queries).
        context["latest_listings"] = attach_card_images(
            annotate_card_attachment(
                get_listing_page_model().objects.live().descendant_of(self).filter(is_reference=False)
            ).order_by("-first_published_at", "-pk")[:6]
        )
        context["listing_index"] = (
            ListingIndexPage.objects.live().descendant_of(self).order_by("path").first()
        )
        return context
