"""Template filters and tags for listing templates: ``{% load openimmo_tags %}``.

{{ page.kaufpreis|money:page.waehrung }}   1.234.567 € (de) / €1,234,567 (en)
{{ page.wohnflaeche|area }}                85,5 m²
{{ page.anzahl_zimmer|number }}            3,5
{{ page.epass_endenergiebedarf|energy }}   123,5 kWh/(m²·a)
{{ page.objektbeschreibung|freetext }}     paragraphs, broker HTML reduced to text
{{ page|headline_price }}                  the card price: a Fact (label, value)
{{ page|secondary_price }}                 Warmmiete/Gesamtmiete, or Hausgeld: a Fact or None
{{ page|badges }}                          Neu, Reserviert, Verkauft…: Badge(code, label)s
{{ page.objektart|objektart_label }}       Apartment / Wohnung
{% json_ld json_ld %}                      <script type="application/ld+json">…
{% openimmo_head description="…" %}        stylesheet, canonical, robots, Open Graph, JSON-LD
{% openimmo_pages as pages %}              pages.index / .portal / .watchlist: for navigation
"""

from __future__ import annotations

import html
import re

from django import template
from django.utils.html import linebreaks, strip_tags
from django.utils.safestring import mark_safe

from ..frontend import formatting, presentation
from ..frontend.seo import json_ld_script
from ..frontend.seo import og_locale as _og_locale
from ..models import ListingIndexPage, PortalSearchPage, WatchlistPage

register = template.Library()


@register.filter
def money(value, currency="EUR"):
    return formatting.format_money(value, currency or "EUR")


@register.filter
def area(value):
    return formatting.format_area(value)


@register.filter
def number(value, decimals=None):
    return formatting.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def energy(value):
    return formatting.format_energy(value)


@register.filter
def headline_price(listing):
    return presentation.headline_price(listing)


@register.filter
def secondary_price(listing):
    return presentation.secondary_price(listing)


@register.filter
def badges(listing):
    return presentation.badges(listing)


@register.filter
def objektart_label(code):
    return presentation.label_for(presentation.OBJEKTART_LABELS, code)


@register.filter
def vermarktungsart_label(code):
    return presentation.label_for(presentation.VERMARKTUNGSART_LABELS, code)


@register.filter
def og_locale(language_code):
    """``{{ LANGUAGE_CODE|og_locale }}`` → ``de_DE``."""
    return _og_locale(language_code)


@register.simple_tag
def json_ld(data):
    return json_ld_script(data) if data else ""


# What the page context gives the head tags (frontend.views sets them).
_HEAD_CONTEXT = ("page", "request", "canonical_url", "noindex", "og_image_url", "json_ld",
                 "withdrawn_listing")


@register.inclusion_tag("wagtail_openimmo/includes/head.html", takes_context=True)
def openimmo_head(context, description=""):
    """Everything a listing or index page needs in ``<head>``: the app's stylesheet, the
    canonical URL, robots, Open Graph tags and JSON-LD. The app's templates render it in the
    ``extra_css`` block; a site with its own listing templates or other block names puts
    ``{% openimmo_head %}`` into its ``<head>`` itself.

    ``<meta name="description">``: a page's own search description is the base template's
    to render (``wagtail start``'s ``base.html`` does, and so does the app's); this tag adds
    one only for a page without it, from ``description`` (a listing's short text), so that
    the head never carries two. ``og:description`` always gets ``description``."""
    values = {name: context.get(name) for name in _HEAD_CONTEXT}
    values["og_description"] = description
    page = values["page"]
    values["meta_description"] = "" if getattr(page, "search_description", "") else description
    return values


_BR = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_END_P = re.compile(r"<\s*/\s*p\s*>", re.IGNORECASE)


@register.filter
def freetext(text):
    """A free text as brokers send it: plain text with line breaks, sometimes with HTML
    fragments (``<br>``, ``<p>``, ``<b>``, entities). Line breaks and paragraphs are kept,
    other markup is dropped and everything is escaped: the broker's HTML is never trusted."""
    if not text:
        return ""
    text = _END_P.sub("\n\n", _BR.sub("\n", str(text)))
    text = html.unescape(strip_tags(text))
    return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 - escaped by linebreaks


@register.simple_tag
def openimmo_pages():
    """The first live listing index, portal search and watchlist page (or None each), for
    a site's navigation: ``{% openimmo_pages as pages %}`` then ``{% pageurl pages.index %}``."""
    return {
        name: model.objects.live().order_by("path").first()
        for name, model in (
            ("index", ListingIndexPage),
            ("portal", PortalSearchPage),
            ("watchlist", WatchlistPage),
        )
    }
