"""Creating brokers together with the page their listings live under."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from .models import Broker, ListingIndexPage


class BrokerError(Exception):
    pass


def default_root_page() -> Page:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise BrokerError("There is no default Wagtail site; create one in the admin first.")
    return site.root_page.specific


def _free_slug(parent: Page, wanted: str) -> str:
    slug = slugify(wanted) or "listings"
    candidate, n = slug, 1
    while parent.get_children().filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


@transaction.atomic
def create_broker(
    slug: str,
    *,
    name: str,
    email: str = "",
    anbieternr: str | None = None,
    anid: str = "",
    approved: bool = False,
    language: str = "de",
    parent: Page | None = None,
) -> Broker:
    """Create a broker and its ``ListingIndexPage`` (under the site's root page by default)."""
    if Broker.objects.filter(slug=slug).exists():
        raise BrokerError(f"A broker with the slug {slug!r} exists already.")
    if anbieternr and Broker.objects.filter(anbieternr=anbieternr).exists():
        raise BrokerError(f"Another broker has anbieternr {anbieternr!r} already.")
    parent = parent or default_root_page()
    index = ListingIndexPage(title=name, slug=_free_slug(parent, slug))
    parent.add_child(instance=index)
    index.save_revision().publish()
    return Broker.objects.create(
        slug=slug,
        name=name,
        email=email,
        anbieternr=anbieternr or None,
        openimmo_anid=anid or "",
        import_approved=approved,
        language=language,
        index_page=index,
    )
