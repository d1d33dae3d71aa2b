"""The amenities ("Ausstattung") of a property, read from its stored ``<immobilie>``.

OpenImmo describes amenities in ``<ausstattung>`` in three ways, all of which occur:

* a yes/no element: ``<kamin>true</kamin>``, ``<gaestewc>1</gaestewc>``;
* an element whose attributes are yes/no flags: ``<kueche EBK="true" OFFEN="false"/>``,
  ``<heizungsart FERN="true" FUSSBODEN="true"/>``, ``<stellplatzart GARAGE="true"/>``;
* an element with a value: ``<ausstatt_kategorie>LUXUS</ausstatt_kategorie>``,
  ``<moebliert moeb="TEIL"/>``, ``<unterkellert keller="JA"/>``.

Balconies and terraces are counted in ``<flaechen>`` (``anzahl_balkone``), not listed in
``<ausstattung>``, so they are read from there. ``features()`` turns all of this into
``(code, value)`` pairs — ``("kamin", None)``, ``("kueche", "EBK")``,
``("moebliert", "TEIL")`` — that the Django side labels in the visitor's language.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .tree import Data, children, find
from .values import parse_bool

Feature = tuple[str, str | None]

# Attributes that carry a value rather than a yes/no flag; these values mean "no".
VALUE_ATTRIBUTES = {"moeb": (), "keller": ("NEIN",), "art": ()}
# Counts in <flaechen> that make an amenity: anzahl_balkone > 0 means a balcony.
COUNTED = {"anzahl_balkone": "balkon", "anzahl_terrassen": "terrasse"}
YES_NO_AREAS = {"einliegerwohnung": "einliegerwohnung"}


def _element_features(element: Data) -> list[Feature]:
    tag = element["tag"]
    found: list[Feature] = []
    for name, raw in (element.get("attrs") or {}).items():
        if name in VALUE_ATTRIBUTES:
            value = (raw or "").strip()
            if value and value.upper() not in VALUE_ATTRIBUTES[name]:
                found.append((tag, value.upper()))
            continue
        flag, _note = parse_bool(raw)
        if flag:
            found.append((tag, name.upper()))
    text = (element.get("text") or "").strip()
    if text:
        flag, _note = parse_bool(text)
        if flag is True:
            found.append((tag, None))
        elif flag is None:
            found.append((tag, text))
    return found


def _positive(text: str | None) -> bool:
    try:
        return Decimal((text or "").strip().replace(",", ".")) > 0
    except InvalidOperation:
        return False


def features(data: Data | None) -> list[Feature]:
    """The amenities of the stored ``<immobilie>`` ``data`` (see ``tree.py``), in file order.

    Only what the broker marked as present is returned: ``false`` flags and "no cellar" are
    left out. Unknown elements are returned too, so a new OpenImmo version loses nothing;
    ``user_defined_*`` extensions are skipped because their meaning is the sender's own.
    """
    if not data:
        return []
    found: list[Feature] = []
    ausstattung = find(data, "ausstattung")
    if ausstattung is not None:
        for element in children(ausstattung):
            if element["tag"].startswith("user_defined"):
                continue
            found.extend(_element_features(element))
    flaechen = find(data, "flaechen")
    if flaechen is not None:
        for element in children(flaechen):
            tag = element["tag"]
            if tag in COUNTED and _positive(element.get("text")):
                found.append((COUNTED[tag], None))
            elif tag in YES_NO_AREAS and parse_bool(element.get("text"))[0]:
                found.append((YES_NO_AREAS[tag], None))
    seen: set[Feature] = set()
    unique = []
    for feature in found:
        if feature not in seen:
            seen.add(feature)
            unique.append(feature)
    return unique


# The amenities visitors filter on, each made of the features above that count as it.
# Codes are stable (query-string parameters and the ``merkmale`` column use them).
KEY_FEATURES: dict[str, tuple[Feature | str, ...]] = {
    "balkon_terrasse": ("balkon", "terrasse", "wintergarten"),
    "einbaukueche": (("kueche", "EBK"),),
    "aufzug": ("fahrstuhl",),
    "keller": (("unterkellert", "JA"), ("unterkellert", "TEIL"), "abstellraum"),
    "garten": ("gartennutzung",),
    "stellplatz": ("stellplatzart",),
    "barrierefrei": ("barrierefrei", "rollstuhlgerecht"),
}


def key_features(data: Data | None, features_found: list[Feature] | None = None) -> list[str]:
    """Which of ``KEY_FEATURES`` the stored ``<immobilie>`` has, in ``KEY_FEATURES`` order.

    A match is a ``(code, value)`` pair or a bare code (any value of it)."""
    found = features(data) if features_found is None else features_found
    codes = {code for code, _value in found}
    pairs = set(found)
    return [
        key
        for key, matches in KEY_FEATURES.items()
        if any((m in pairs) if isinstance(m, tuple) else (m in codes) for m in matches)
    ]


# zustand_angaben/verkaufstatus@stand: OFFEN, RESERVIERT, VERKAUFT.
SALE_STATES = ("OFFEN", "RESERVIERT", "VERKAUFT")


def sale_status(data: Data | None) -> str | None:
    """``RESERVIERT``, ``VERKAUFT`` or ``OFFEN`` from ``<verkaufstatus stand="…"/>``, or None."""
    if not data:
        return None
    node = find(data, "zustand_angaben/verkaufstatus")
    if node is None:
        return None
    value = ((node.get("attrs") or {}).get("stand") or "").strip().upper()
    return value if value in SALE_STATES else None
