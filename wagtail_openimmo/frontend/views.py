"""What the listing pages need to render: the page models delegate their views here.

``index_context`` and ``listing_context`` build template contexts; ``serve_contact`` handles
the enquiry form (POST/redirect/GET); ``serve_withdrawn`` answers for withdrawn listings
according to ``WITHDRAWN_LISTING_RESPONSE``.
"""

from __future__ import annotations

import base64
import importlib.util
import logging
import mimetypes
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db.models import F, Func
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from .. import get_listing_page_model
from ..conf import get_setting
from ..models import AbstractListingPage, Broker
from . import presentation
from .contact import ContactForm, SpamSuspected, rate_limited, recipient, send_enquiry
from .filters import (
    ListingFilterForm,
    default_marketing_type,
    marketing_group,
    marketing_q,
    stock_summary,
)
from .images import (
    FLOOR_PLAN_GROUPS,
    GALLERY_RENDITIONS,
    OG_RENDITION,
    annotate_card_attachment,
    attach_card_images,
    gallery,
)
from .maps import map_link, tile_map
from .seo import listing_json_ld
from .site_config import site_config

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


def listings_context(
    request, current, *, page_size: int, brokers=None, base_url: str | None = None
) -> dict:
    """Filter form, counts and the page of listings for ``current`` (a queryset of live,
    current listings): what an index and a portal search page share. Constant queries
    however many listings there are."""
    objektarten, counts = stock_summary(current)
    form = ListingFilterForm(
        request.GET or None,
        objektarten=objektarten,
        default_marketing=default_marketing_type(counts),
        brokers=brokers,
    )
    listings = annotate_card_attachment(form.filter(current))
    if brokers is not None:
        listings = listings.select_related("broker")
    paginator = Paginator(listings, page_size)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = attach_card_images(page_obj.object_list)
    canonical = base_url
    if canonical and form.marketing_type != form.default_marketing:
        canonical = f"{canonical}?vermarktungsart={form.marketing_type}"
    if canonical and page_obj.number > 1 and not form.active:
        joiner = "&" if "?" in canonical else "?"
        canonical = f"{canonical}{joiner}page={page_obj.number}"
    return {
        "filter_form": form,
        "marketing_counts": counts,
        "marketing_type": form.marketing_type,
        "marketing_choices": [
            (value, label, counts[value], value == form.marketing_type)
            for value, label in form.fields["vermarktungsart"].choices
        ],
        "active_filters": form.active_filters(),
        "listings": page_obj,
        "paginator": paginator,
        "page_range": list(
            paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
        ),
        "ellipsis": paginator.ELLIPSIS,
        "canonical_url": canonical,
        "noindex": form.active,
    }


def index_context(index, request) -> dict:
    """Filter form, the page of listings, references and the canonical URL of an index."""
    base = index.live_listings()
    context = listings_context(
        request,
        base.filter(is_reference=False),
        page_size=index.page_size,
        base_url=index.get_full_url(request),
    )
    references = []
    if index.reference_display == index.REFERENCES_APART and context["listings"].number == 1:
        references = attach_card_images(
            annotate_card_attachment(base.filter(is_reference=True)).order_by(
                "-first_published_at", "-pk"
            )[: index.page_size]
        )
    context["references"] = references
    return context


def portal_context(portal, request) -> dict:
    """The portal search: the listings of the chosen brokers (all by default), with the
    index's filters plus a broker filter."""
    chosen = portal.chosen_broker_ids()
    brokers = Broker.objects.order_by("name")
    if chosen:
        brokers = brokers.filter(pk__in=chosen)
    return listings_context(
        request,
        portal.live_listings(),
        page_size=portal.page_size,
        brokers=list(brokers.values_list("slug", "name")),
        base_url=portal.get_full_url(request),
    )


# --- the watchlist ("Merkzettel") ----------------------------------------------------------

# The cookie the page script writes: listing page IDs, newest first, separated by dots.
WATCHLIST_COOKIE = "openimmo_merkzettel"
WATCHLIST_MAX = 100


def watchlist_ids(request) -> list[int]:
    ids = []
    for part in request.COOKIES.get(WATCHLIST_COOKIE, "").replace(",", ".").split("."):
        if part.strip().isdigit() and int(part) not in ids:
            ids.append(int(part))
    return ids[:WATCHLIST_MAX]


def watchlist_context(page, request) -> dict:
    """The saved listings that are still live, in the order they were saved."""
    ids = watchlist_ids(request)
    found = {}
    if ids:
        found = {
            x.pk: x
            for x in attach_card_images(
                annotate_card_attachment(get_listing_page_model().objects.live().filter(pk__in=ids))
            )
        }
    return {"saved_listings": [found[i] for i in ids if i in found], "noindex": True}


def similar_listings(index, listing, limit: int = 3) -> list:
    """Live listings of the same index like a withdrawn one: same marketing group and kind
    of property when known, closest in price first."""
    current = index.live_listings().filter(is_reference=False)
    if isinstance(listing, AbstractListingPage):  # a DeletedListing knows only its title
        current = current.filter(marketing_q(marketing_group(listing)))
        if listing.objektart:
            same_kind = current.filter(objektart=listing.objektart)
            if same_kind.exists():
                current = same_kind
    ordering = ("-first_published_at", "-pk")
    price = listing.preis if isinstance(listing, AbstractListingPage) else None
    if price is not None:
        current = current.annotate(distance=Func(F("preis") - price, function="ABS"))
        ordering = (F("distance").asc(nulls_last=True), "-pk")
    return attach_card_images(annotate_card_attachment(current).order_by(*ordering)[:limit])


def serve_withdrawn(index, request, listing):
    """A withdrawn listing: 410 Gone with a link to the index, or a redirect to it."""
    if get_setting("WITHDRAWN_LISTING_RESPONSE") == "redirect":
        return HttpResponseRedirect(index.get_url(request))
    context = Page.get_context(index, request)  # not the index's: no listings needed
    context.update(
        {
            "withdrawn_listing": listing,
            "index_page": index,
            "noindex": True,
            "similar_listings": similar_listings(index, listing),
        }
    )
    return TemplateResponse(request, "wagtail_openimmo/listing_withdrawn.html", context, status=410)


# --- one listing ---------------------------------------------------------------------------


def contact_enabled(listing, request=None) -> bool:
    """The contact form is on for the request's site and someone receives enquiries."""
    return bool(site_config(request, page=None if request else listing).contact_form
                and recipient(listing))


# How many pictures the gallery shows before "+N pictures": the hero and a strip of four.
GALLERY_STRIP = 4


def listing_context(listing, request, *, contact_form=None) -> dict:
    pictures = gallery(listing, (*GALLERY_RENDITIONS, OG_RENDITION))
    photos = [p for p in pictures if p.gruppe not in FLOOR_PLAN_GROUPS]
    plans = [p for p in pictures if p.gruppe in FLOOR_PLAN_GROUPS]
    attachments = list(listing.attachments.select_related("document", "image"))
    canonical = listing.get_full_url(request)
    og_image = None
    cover = (photos or plans or [None])[0]
    if cover is not None:
        og_image = urljoin(canonical or "", cover.image.get_rendition(OG_RENDITION).url)
    show_address = listing.objektadresse_freigeben is not False
    config = site_config(request)
    map_ = (
        tile_map(listing.breitengrad, listing.laengengrad, config=config) if show_address else None
    )
    show_all = request.GET.get("bilder") == "alle"
    strip = photos[1 : 1 + GALLERY_STRIP]
    context = {
        "gallery": photos,
        "gallery_hero": photos[0] if photos else None,
        "gallery_strip": photos[1:] if show_all else strip,
        "gallery_more": 0 if show_all else max(0, len(photos) - 1 - len(strip)),
        "gallery_rest": [] if show_all else photos[1 + len(strip) :],
        "gallery_show_all": show_all,
        "title_picture": cover,
        "floor_plan_pictures": plans,
        "floor_plans": [
            a
            for a in attachments
            if a.kind == a.KIND_IMAGE and a.image and a.gruppe in FLOOR_PLAN_GROUPS
        ],
        "documents": [a for a in attachments if a.kind == a.KIND_DOCUMENT and a.document],
        "links": [a for a in attachments if a.kind == a.KIND_LINK and a.url],
        "headline_price": presentation.headline_price(listing),
        "secondary_price": presentation.secondary_price(listing),
        "price_facts": presentation.price_facts(listing),
        "facts": presentation.listing_facts(listing),
        "summary_facts": presentation.summary_facts(listing),
        "energy_facts": presentation.energy_facts(listing),
        "energy_scale": presentation.energy_scale(listing),
        "key_features": presentation.key_feature_labels(listing),
        "features": presentation.feature_labels(listing),
        "badges": presentation.badges(listing),
        "objektart_label": presentation.objektart_label(listing),
        "show_address": show_address,
        "map": map_,
        "map_link": (
            map_link(listing.breitengrad, listing.laengengrad, config=config)
            if show_address
            else None
        ),
        "map_requested": request.GET.get("map") == "1",
        "phone": (listing.kontakt_telefon or "").replace(" ", "").replace("/", ""),
        "expose_url": expose_url(listing, request),
        "canonical_url": canonical,
        "og_image_url": og_image,
        "json_ld": listing_json_ld(listing, canonical, og_image),
        "index_page": listing.get_parent(),
    }
    if contact_enabled(listing, request):
        context["contact_form"] = contact_form or ContactForm(
            prefix=CONTACT_PREFIX, listing=listing, request=request
        )
        context["contact_sent"] = request.GET.get("contact") == "sent"
    return context


# --- the PDF exposé ------------------------------------------------------------------------

EXPOSE_PATH = "expose/"


def expose_available(request=None) -> bool:
    """The PDF exposé is on (for the request's site) and WeasyPrint (the extra ``pdf``) is
    installed."""
    if not site_config(request).pdf_expose:
        return False
    return importlib.util.find_spec("weasyprint") is not None


def expose_url(listing, request) -> str | None:
    if not expose_available(request):
        return None
    url = listing.get_url(request)
    return f"{url}{EXPOSE_PATH}" if url else None


def serve_expose(listing, request):
    """The listing as a PDF exposé (pictures, facts, energy, description, contact), made
    by WeasyPrint from the template ``wagtail_openimmo/expose.html``.

    The HTML it gets has no URL to fetch: the stylesheet is inlined and the pictures are
    ``data:`` URIs read from the storage, so making the PDF never touches the network
    (nor this server's own URLs)."""
    if not expose_available(request):
        raise Http404
    import weasyprint  # the optional extra "pdf": imported only when an exposé is made

    context = listing.get_context(request)
    context["expose_pictures"] = [
        (picture, _data_uri(picture.image.get_rendition(EXPOSE_RENDITION)))
        for picture in context["gallery"][:5]
    ]
    css_path = finders.find("wagtail_openimmo/expose.css")
    with open(css_path, encoding="utf-8") as fh:
        context["expose_css"] = fh.read()
    html = render_to_string("wagtail_openimmo/expose.html", context, request=request)
    pdf = weasyprint.HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(listing.objektnr_extern or listing.slug) or "expose"
    response["Content-Disposition"] = f'inline; filename="expose-{name}.pdf"'
    response["X-Robots-Tag"] = "noindex"
    return response


EXPOSE_RENDITION = "fill-960x720"


def _data_uri(rendition) -> str:
    with rendition.file.open("rb") as fh:
        data = fh.read()
    mime = mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def serve_contact(listing, request, *args, **kwargs):
    """Send the enquiry and redirect (POST/redirect/GET), or show the form with errors."""
    if not contact_enabled(listing, request):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    form = ContactForm(request.POST, prefix=CONTACT_PREFIX, listing=listing, request=request)
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
