from django.db import models
from wagtail.admin.panels import FieldPanel, ObjectList, TabbedInterface
from wagtail.models import Page

from wagtail_openimmo.models import AbstractListingPage, listing_page_indexes


class MyListingPage(AbstractListingPage):
    """The site's listing: everything of ``AbstractListingPage`` plus a field of its own."""

    highlight = models.CharField("highlight", max_length=100, blank=True)

    content_panels = [*AbstractListingPage.content_panels, FieldPanel("highlight")]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(AbstractListingPage.facts_panels, heading="Facts"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    class Meta:
        verbose_name = "my listing"
        indexes = listing_page_indexes("swapped_lst")
