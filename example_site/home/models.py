from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from wagtail_openimmo.models import ListingPage


class HomePage(Page):
    """The demo agency's start page: a welcome text and the newest listings."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["wagtail_openimmo.ListingIndexPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_listings"] = (
            ListingPage.objects.live().descendant_of(self).filter(is_reference=False)
            .order_by("-first_published_at")[:6]
        )
        return context
