"""What the listing pages need to render: the page models delegate their views here.

``index_context`` and ``listing_context`` build template contexts; ``serve_contact`` handles
the enquiry form (POST/redirect/GET); ``serve_withdrawn`` answers for withdrawn listings
according to ``WITHDRAWN_LISTING_RESPONSE``.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Page

from ..conf import get_setting
from . import presentation
from .contact import ContactForm, SpamSuspected, rate_limited, recipient, send_enquiry
from .filters import ListingFilterForm
from .images import (
    FLOOR_PLAN_GROUPS,
    GALLERY_RENDITIONS,
    OG_RENDITION,
    annotate_card_attachment,
    attach_card_images,
    gallery,
)
from .maps import tile_map
from .seo import listing_json_ld

logger = logging.getLogger(__name__)

CONTACT_PREFIX = "contact"


# --- the page's language -------------------------------------------------------------------


def page_language(page) -> str | None:
    """The language a listing or index page is shown in, when the page decides it.

    With Wagtail's internationalisation on (``WAGTAIL_I18N_ENABLED``) every translation is
    a page of its own in its locale, so the page's locale decides: a German listing shows
    "Kaltmiete 1.234,50 €" whatever the visitor's browser asks for — also on sites that
    tell languages apart by domain rather than by a ``/de/`` URL prefix. Without it there is
    one page for every language, and the active language (``LocaleMiddleware`` or
    ``LANGUAGE_CODE``) decides: ``None``.
    """
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    try:
        return translation.get_supported_language_variant(page.locale.language_code)
    except LookupError:
        return None


def in_page_language(page, serve):
    """``serve()``'s response rendered in the page's language (see ``page_language``)."""
    language = page_language(page)
    if language is None:
        return serve()
    with translation.override(language):
        response = serve()
        if isinstance(response, SimpleTemplateResponse):
            response.render()  # now, while the page's language is active
    response.headers["Content-Language"] = language
    return response


# --- the index -----------------------------------------------------------------------------


def index_context(index, request) -> dict:
    """Filter form, the page of listings, references and the canonical URL of an index."""
    base = index.live_listings()
    current = base.filter(is_reference=False)
    objektarten = set(current.order_by().values_list("objektart", flat=True).distinct())
    form = ListingFilterForm(request.GET or None, objektarten=objektarten - {None})
    listings = annotate_card_attachment(form.filter(current))
    paginator = Paginator(listings, index.page_size)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = attach_card_images(page_obj.object_list)
    references = []
    if index.reference_display == index.REFERENCES_APART and page_obj.number == 1:
        references = attach_card_images(
            annotate_card_attachment(base.filter(is_reference=True)).order_by(
                "-first_published_at", "-pk"
            )[: index.page_size]
        )
    canonical = index.get_full_url(request)
    if page_obj.number > 1 and not form.active:
        canonical = f"{canonical}?page={page_obj.number}"
    return {
        "filter_form": form,
        "listings": page_obj,
        "paginator": paginator,
        "page_range": list(
            paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
        ),
        "ellipsis": paginator.ELLIPSIS,
        "references": references,
        "canonical_url": canonical,
        "noindex": form.active,
    }


def serve_withdrawn(index, request, listing):
    """A withdrawn listing: 410 Gone with a link to the index, or a redirect to it."""
    if get_setting("WITHDRAWN_LISTING_RESPONSE") == "redirect":
        return HttpResponseRedirect(index.get_url(request))
    context = Page.get_context(index, request)  # not the index's: no listings needed
    context.update({"withdrawn_listing": listing, "index_page": index, "noindex": True})
    return TemplateResponse(request, "wagtail_openimmo/listing_withdrawn.html", context, status=410)


# --- one listing ---------------------------------------------------------------------------


def contact_enabled(listing) -> bool:
    return bool(get_setting("CONTACT_FORM_ENABLED") and recipient(listing))


def listing_context(listing, request, *, contact_form=None) -> dict:
    pictures = gallery(listing, (*GALLERY_RENDITIONS, OG_RENDITION))
    attachments = list(listing.attachments.select_related("document", "image"))
    canonical = listing.get_full_url(request)
    og_image = None
    if pictures:
        og_image = urljoin(canonical or "", pictures[0].image.get_rendition(OG_RENDITION).url)
    show_address = listing.objektadresse_freigeben is not False
    map_ = tile_map(listing.breitengrad, listing.laengengrad) if show_address else None
    context = {
        "gallery": pictures,
        "title_picture": pictures[0] if pictures else None,
        "floor_plans": [
            a
            for a in attachments
            if a.kind == a.KIND_IMAGE and a.image and a.gruppe in FLOOR_PLAN_GROUPS
        ],
        "documents": [a for a in attachments if a.kind == a.KIND_DOCUMENT and a.document],
        "links": [a for a in attachments if a.kind == a.KIND_LINK and a.url],
        "headline_price": presentation.headline_price(listing),
        "price_facts": presentation.price_facts(listing),
        "facts": presentation.listing_facts(listing),
        "energy_facts": presentation.energy_facts(listing),
        "features": presentation.feature_labels(listing),
        "objektart_label": presentation.objektart_label(listing),
        "show_address": show_address,
        "map": map_,
        "map_requested": request.GET.get("map") == "1",
        "canonical_url": canonical,
        "og_image_url": og_image,
        "json_ld": listing_json_ld(listing, canonical, og_image),
        "index_page": listing.get_parent(),
    }
    if contact_enabled(listing):
        context["contact_form"] = contact_form or ContactForm(
            prefix=CONTACT_PREFIX, listing=listing
        )
        context["contact_sent"] = request.GET.get("contact") == "sent"
    return context


def serve_contact(listing, request, *args, **kwargs):
    """Send the enquiry and redirect (POST/redirect/GET), or show the form with errors."""
    if not contact_enabled(listing):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    form = ContactForm(request.POST, prefix=CONTACT_PREFIX, listing=listing)
    done = HttpResponseRedirect(f"{listing.get_url(request)}?contact=sent#contact")
    try:
        valid = form.is_valid_enquiry()
    except SpamSuspected as exc:
        # Answer bots as if it worked, so that they learn nothing; send nothing.
        logger.info("Enquiry about listing %s dropped as spam: %s", listing.pk, exc)
        return done
    if valid:
        if rate_limited(request):
            form.add_error(
                None,
                _(
                    "You have sent several enquiries in a short time. Please "
                    "try again later or contact the broker by phone."
                ),
            )
        else:
            send_enquiry(listing, form, request)
            form.mark_used()
            return done
    return TemplateResponse(
        request,
        listing.get_template(request, *args, **kwargs),
        listing.get_context(request, *args, contact_form=form, **kwargs),
    )
