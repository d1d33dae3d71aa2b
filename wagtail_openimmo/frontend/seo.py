"""Structured data for search engines: schema.org ``RealEstateListing`` as JSON-LD.

The listing (a web page about an offer) ``offers`` an ``Offer`` (price, currency, sale or
lease) whose ``itemOffered`` is the property itself — an ``Apartment``, ``House``, ``Room``
or generic ``Accommodation`` with address, coordinates, floor size and rooms. An address
the broker did not release (``objektadresse_freigeben`` false) is reduced to postcode and
city, without coordinates.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

# What Django's json_script escapes: nothing in the JSON can end the <script> element.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
SCHEMA_TYPES = {"wohnung": "Apartment", "haus": "House", "zimmer": "Room", "grundstueck": "Place"}


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _clean(data):
    """Drop empty values, recursively, so the output has no nulls or empty objects."""
    if isinstance(data, dict):
        cleaned = {k: _clean(v) for k, v in data.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(data, list):
        return [x for x in (_clean(v) for v in data) if x not in (None, "", [], {})]
    return data


def listing_json_ld(listing, url: str | None, image_url: str | None = None) -> dict:
    """The JSON-LD object of ``listing`` (a dict; ``json_ld_script`` renders it)."""
    released = listing.objektadresse_freigeben is not False
    kind = SCHEMA_TYPES.get(listing.objektart or "", "Accommodation")
    place = {
        "@type": kind,
        "name": listing.title,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": " ".join(x for x in (listing.strasse, listing.hausnummer) if x)
            if released
            else None,
            "postalCode": listing.plz,
            "addressLocality": listing.ort,
            "addressRegion": listing.bundesland,
            "addressCountry": listing.land,
        },
    }
    if released and listing.breitengrad is not None and listing.laengengrad is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": _number(listing.breitengrad),
            "longitude": _number(listing.laengengrad),
        }
    if kind != "Place":
        if listing.flaeche is not None:
            place["floorSize"] = {
                "@type": "QuantitativeValue",
                "value": _number(listing.flaeche),
                "unitCode": "MTK",
            }
        place["numberOfRooms"] = _number(listing.anzahl_zimmer)
    currency = listing.waehrung or "EUR"
    offer = {
        "@type": "Offer",
        "price": None
        if listing.kaufpreis_auf_anfrage and listing.is_purchase
        else _number(listing.preis),
        "priceCurrency": currency,
        "businessFunction": "http://purl.org/goodrelations/v1#"
        + ("Sell" if listing.is_purchase else "LeaseOut"),
        "availability": "https://schema.org/" + ("SoldOut" if listing.is_reference else "InStock"),
        "itemOffered": place,
    }
    if not listing.is_purchase and listing.preis is not None:
        offer["priceSpecification"] = {
            "@type": "UnitPriceSpecification",
            "price": _number(listing.preis),
            "priceCurrency": currency,
            "unitCode": "MON",
        }
    data = {
        "@context": "https://schema.org",
        "@type": "RealEstateListing",
        "name": listing.title,
        "description": listing.dreizeiler or (listing.objektbeschreibung or "")[:500],
        "url": url,
        "identifier": listing.objektnr_extern,
        "datePosted": listing.first_published_at.date() if listing.first_published_at else None,
        "image": [image_url] if image_url else None,
        "offers": offer,
    }
    return _clean(data)


def json_ld_script(data: dict) -> SafeString:
    """``<script type="application/ld+json">`` with ``<``, ``>`` and ``&`` escaped, as
    Django's ``json_script`` does, so no text of the broker can close the script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(  # noqa: S308 - escaped like django.utils.html.json_script
        '<script type="application/ld+json">' + text.translate(SCRIPT_ESCAPES) + "</script>"
    )


# Territories for languages given without one; Open Graph's own default is en_US.
OG_TERRITORIES = {"en": "US", "da": "DK", "cs": "CZ", "el": "GR", "sv": "SE", "uk": "UA"}


def og_locale(language_code: str | None) -> str:
    """``og:locale`` wants ``language_TERRITORY`` (``de_DE``), not Django's ``de``."""
    from django.utils.translation import to_locale

    code = to_locale(language_code or "en")
    if "_" in code:
        language, _sep, territory = code.partition("_")
        return f"{language}_{territory.upper()}"
    return f"{code}_{OG_TERRITORIES.get(code, code.upper())}"
