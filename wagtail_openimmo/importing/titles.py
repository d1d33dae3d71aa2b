"""A title for a listing the broker sent without one (lenient mode, ``title_missing``).

Made from what the property says, in the listing's language: "3-Zimmer-Wohnung in
Leipzig", "Einfamilienhaus zum Kauf", "Gewerbefläche in Köln" -- or, in English, "3-room
flat in Leipzig". It is a function of the sent values only, so an unchanged property gets the
same title again (no new revision), and ``apply.merged_values`` replaces a title only while
it is still the one composed last time: an editor's own title stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext_lazy

from ..openimmo.rules import RENT_FIELDS

# The noun for a kind of property, by sub-type first, then by kind. Lower case where the
# language writes it so (English): the title's first letter is capitalised at the end.
SUBTYPE_NOUNS = {
    ("haus", "EINFAMILIENHAUS"): pgettext_lazy("listing title", "detached house"),
    ("haus", "ZWEIFAMILIENHAUS"): pgettext_lazy("listing title", "two-family house"),
    ("haus", "MEHRFAMILIENHAUS"): pgettext_lazy("listing title", "apartment building"),
    ("haus", "REIHENHAUS"): pgettext_lazy("listing title", "terraced house"),
    ("haus", "REIHENMITTELHAUS"): pgettext_lazy("listing title", "terraced house"),
    ("haus", "REIHENECKHAUS"): pgettext_lazy("listing title", "end-of-terrace house"),
    ("haus", "REIHENEND"): pgettext_lazy("listing title", "end-of-terrace house"),
    ("haus", "DOPPELHAUSHAELFTE"): pgettext_lazy("listing title", "semi-detached house"),
    ("haus", "BUNGALOW"): pgettext_lazy("listing title", "bungalow"),
    ("haus", "VILLA"): pgettext_lazy("listing title", "villa"),
    ("wohnung", "PENTHOUSE"): pgettext_lazy("listing title", "penthouse"),
    ("wohnung", "MAISONETTE"): pgettext_lazy("listing title", "maisonette"),
    ("wohnung", "LOFT"): pgettext_lazy("listing title", "loft"),
}
COMMERCIAL = pgettext_lazy("listing title", "commercial space")
KIND_NOUNS = {
    "wohnung": pgettext_lazy("listing title", "flat"),
    "haus": pgettext_lazy("listing title", "house"),
    "zimmer": pgettext_lazy("listing title", "room"),
    "grundstueck": pgettext_lazy("listing title", "plot"),
    "buero_praxen": pgettext_lazy("listing title", "office space"),
    "einzelhandel": pgettext_lazy("listing title", "retail space"),
    "gastgewerbe": COMMERCIAL,
    "hallen_lager_prod": COMMERCIAL,
    "freizeitimmobilie_gewerblich": COMMERCIAL,
    "land_und_forstwirtschaft": pgettext_lazy("listing title", "agricultural property"),
    "parken": pgettext_lazy("listing title", "parking space"),
    "zinshaus_renditeobjekt": pgettext_lazy("listing title", "investment property"),
}
# The neutral kind: never a guess that could be wrong (objektart_missing).
PROPERTY = pgettext_lazy("listing title", "property")
# Kinds whose size people say in rooms ("3-Zimmer-Wohnung").
ROOMED = ("wohnung", "haus")

# sprache as brokers send it: ISO 639-1 or -2 codes, any case.
_LANGUAGE_ALIASES = {"deu": "de", "ger": "de", "eng": "en"}


def listing_language(broker, fields: Mapping[str, Any]) -> str:
    """The language a new listing of ``broker`` is written in.

    With Wagtail's internationalisation on, the locale of the broker's index page (the
    listing is created in that tree); otherwise the property's ``sprache`` when the site has
    that language; otherwise ``LANGUAGE_CODE``.
    """
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False) and broker is not None:
        index = getattr(broker, "index_page", None)
        if index is not None:
            return _supported(index.locale.language_code) or settings.LANGUAGE_CODE
    sprache = str(fields.get("sprache") or "").strip().lower()
    if sprache:
        code = _LANGUAGE_ALIASES.get(sprache, sprache)
        found = _supported(code)
        if found:
            return found
    return settings.LANGUAGE_CODE


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def _rooms(value) -> str | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        return None
    if number <= 0 or number > 100:
        return None
    number = number.normalize()
    if number == number.to_integral_value():
        return str(int(number))
    return number_format(number, use_l10n=True)


def _marketing(fields: Mapping[str, Any]) -> str | None:
    """The marketing type sent, or the one the prices imply (as the reader infers it)."""
    sent = (fields.get("vermarktungsart") or "").upper()
    if sent:
        return sent
    buy = fields.get("kaufpreis") is not None or bool(fields.get("kaufpreis_auf_anfrage"))
    rent = any(fields.get(name) is not None for name in RENT_FIELDS)
    if buy != rent:
        return "KAUF" if buy else "MIETE_PACHT"
    return None


def kind_noun(fields: Mapping[str, Any]):
    art = (fields.get("objektart") or "").lower()
    typ = (fields.get("objektart_typ") or "").upper()
    noun = SUBTYPE_NOUNS.get((art, typ)) or KIND_NOUNS.get(art)
    if noun is None and (fields.get("nutzungsart") or "").upper() == "GEWERBE":
        noun = COMMERCIAL
    return noun or PROPERTY


def compose_title(fields: Mapping[str, Any], language: str) -> str:
    """A title from the kind, the rooms and the place (or the marketing type) in ``fields``."""
    with translation.override(language):
        kind = str(kind_noun(fields))
        art = (fields.get("objektart") or "").lower()
        rooms = _rooms(fields.get("anzahl_zimmer")) if art in ROOMED else None
        if rooms:
            kind = gettext("{rooms}-room {kind}").format(rooms=rooms, kind=kind)
        place = (fields.get("ort") or "").strip()
        marketing = _marketing(fields)
        if place:
            title = gettext("{kind} in {place}").format(kind=kind, place=place)
        elif marketing == "KAUF":
            title = gettext("{kind} for sale").format(kind=kind)
        elif marketing in ("MIETE_PACHT", "ERBPACHT", "LEASING"):
            title = gettext("{kind} to let").format(kind=kind)
        else:
            title = kind
    title = " ".join(title.split())
    return (title[:1].upper() + title[1:])[:255]
