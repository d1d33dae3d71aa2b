"""Which OpenImmo values become searchable columns of a listing, and how to read them.

``FIELDS`` is the single table used by the reader (file → values), by the importer (values →
``ListingPage`` columns), by the exporter (columns → XML, where an editor changed them) and by
the IS24 mapping. Column names are OpenImmo's own German names (``kaufpreis``,
``objektnr_extern``); a few that OpenImmo nests are prefixed with their parent
(``kontakt_*`` for ``kontaktperson``, ``epass_*`` for ``energiepass``).

Everything else a broker sends is kept in the stored record (see ``tree.py``); these are the
values people filter, sort and search on, or that the templates and IS24 need.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import values
from .problems import Problem, Text, _, warning
from .tree import localname, text_content

NUTZUNGSARTEN = ("WOHNEN", "GEWERBE", "ANLAGE", "WAZ")
VERMARKTUNGSARTEN = ("KAUF", "MIETE_PACHT", "ERBPACHT", "LEASING")
# The kinds of property OpenImmo knows, i.e. the children of <objektart>, each with the
# attribute that holds its sub-type.
OBJEKTARTEN = {
    "zimmer": "zimmertyp",
    "wohnung": "wohnungtyp",
    "haus": "haustyp",
    "grundstueck": "grundst_typ",
    "buero_praxen": "buero_typ",
    "einzelhandel": "handel_typ",
    "gastgewerbe": "gastgew_typ",
    "hallen_lager_prod": "hallen_typ",
    "land_und_forstwirtschaft": "land_typ",
    "parken": "parken_typ",
    "sonstige": "sonstige_typ",
    "freizeitimmobilie_gewerblich": "freizeit_typ",
    "zinshaus_renditeobjekt": "zins_typ",
}
EPARTEN = ("BEDARF", "VERBRAUCH", "OHNE_ENERGIEPASS", "AB_MAI_2014", "NICHT_NOETIG")
WERTKLASSEN = ("A+", "A", "B", "C", "D", "E", "F", "G", "H", "NICHT_NOETIG", "OHNE")


@dataclass(frozen=True)
class Field:
    """One column: its name, where it sits in ``<immobilie>`` and its type.

    ``path`` is ``a/b/c`` for an element's text or ``a/b@attr`` for an attribute.
    ``kind`` is one of ``text``, ``longtext``, ``decimal``, ``int``, ``bool``, ``date``.
    """

    name: str
    path: str
    kind: str = "text"
    label: str = ""
    max_length: int = 255


F = Field
FIELDS: tuple[Field, ...] = (
    # identity (verwaltung_techn)
    F("objektnr_intern", "verwaltung_techn/objektnr_intern", label=_("Internal object number")),
    F("objektnr_extern", "verwaltung_techn/objektnr_extern", label=_("Object number")),
    F("openimmo_obid", "verwaltung_techn/openimmo_obid", label=_("OpenImmo object ID")),
    F("sprache", "verwaltung_techn/sprache", label=_("Language"), max_length=10),
    # category (objektkategorie) -- computed, see _EXTRACTORS
    F("nutzungsart", "objektkategorie/nutzungsart", label=_("Type of use"), max_length=20),
    F("vermarktungsart", "objektkategorie/vermarktungsart", label=_("Marketing type"),
      max_length=20),
    F("objektart", "objektkategorie/objektart", label=_("Property type"), max_length=40),
    F("objektart_typ", "objektkategorie/objektart", label=_("Property sub-type"), max_length=60),
    # address (geo)
    F("strasse", "geo/strasse", label=_("Street")),
    F("hausnummer", "geo/hausnummer", label=_("House number"), max_length=40),
    F("plz", "geo/plz", label=_("Postcode"), max_length=20),
    F("ort", "geo/ort", label=_("City")),
    F("regionaler_zusatz", "geo/regionaler_zusatz", label=_("District")),
    F("bundesland", "geo/bundesland", label=_("State")),
    F("land", "geo/land@iso_land", label=_("Country"), max_length=3),
    F("breitengrad", "geo/geokoordinaten@breitengrad", "decimal", _("Latitude")),
    F("laengengrad", "geo/geokoordinaten@laengengrad", "decimal", _("Longitude")),
    F("etage", "geo/etage", "int", _("Floor")),
    F("objektadresse_freigeben", "verwaltung_objekt/objektadresse_freigeben", "bool",
      _("Show address")),
    # prices (preise)
    F("kaufpreis", "preise/kaufpreis", "decimal", _("Purchase price")),
    F("kaufpreis_auf_anfrage", "preise/kaufpreis@auf_anfrage", "bool", _("Price on request")),
    F("nettokaltmiete", "preise/nettokaltmiete", "decimal", _("Net rent")),
    F("kaltmiete", "preise/kaltmiete", "decimal", _("Rent excluding heating")),
    F("warmmiete", "preise/warmmiete", "decimal", _("Rent including heating")),
    F("nebenkosten", "preise/nebenkosten", "decimal", _("Service charges")),
    F("heizkosten", "preise/heizkosten", "decimal", _("Heating costs")),
    F("heizkosten_enthalten", "preise/heizkosten_enthalten", "bool",
      _("Heating costs included")),
    F("hausgeld", "preise/hausgeld", "decimal", _("Maintenance fee")),
    F("kaution", "preise/kaution", "decimal", _("Deposit")),
    F("kaution_text", "preise/kaution_text", label=_("Deposit (text)")),
    F("aussen_courtage", "preise/aussen_courtage", label=_("Buyer's commission")),
    F("courtage_hinweis", "preise/courtage_hinweis", "longtext", _("Commission note")),
    F("provisionspflichtig", "preise/provisionspflichtig", "bool", _("Commission payable")),
    F("waehrung", "preise/waehrung@iso_waehrung", label=_("Currency"), max_length=3),
    # areas and rooms (flaechen)
    F("wohnflaeche", "flaechen/wohnflaeche", "decimal", _("Living area")),
    F("nutzflaeche", "flaechen/nutzflaeche", "decimal", _("Usable area")),
    F("gesamtflaeche", "flaechen/gesamtflaeche", "decimal", _("Total area")),
    F("grundstuecksflaeche", "flaechen/grundstuecksflaeche", "decimal", _("Plot area")),
    F("anzahl_zimmer", "flaechen/anzahl_zimmer", "decimal", _("Rooms")),
    F("anzahl_schlafzimmer", "flaechen/anzahl_schlafzimmer", "decimal", _("Bedrooms")),
    F("anzahl_badezimmer", "flaechen/anzahl_badezimmer", "decimal", _("Bathrooms")),
    F("anzahl_stellplaetze", "flaechen/anzahl_stellplaetze", "decimal", _("Parking spaces")),
    # condition and availability
    F("baujahr", "zustand_angaben/baujahr", "int", _("Year built")),
    F("zustand", "zustand_angaben/zustand@zustand_art", label=_("Condition"), max_length=40),
    F("verfuegbar_ab", "verwaltung_objekt/verfuegbar_ab", label=_("Available from")),
    F("abdatum", "verwaltung_objekt/abdatum", "date", _("Available from (date)")),
    # energy certificate (zustand_angaben/energiepass, first one) -- see _energiepass
    F("epass_epart", "zustand_angaben/energiepass/epart", label=_("Energy certificate type"),
      max_length=30),
    F("epass_gueltig_bis", "zustand_angaben/energiepass/gueltig_bis",
      label=_("Energy certificate valid until"), max_length=40),
    F("epass_endenergiebedarf", "zustand_angaben/energiepass/endenergiebedarf", "decimal",
      _("Final energy demand")),
    F("epass_energieverbrauchkennwert", "zustand_angaben/energiepass/energieverbrauchkennwert",
      "decimal", _("Energy consumption")),
    F("epass_mitwarmwasser", "zustand_angaben/energiepass/mitwarmwasser", "bool",
      _("Including hot water")),
    F("epass_primaerenergietraeger", "zustand_angaben/energiepass/primaerenergietraeger",
      label=_("Main energy source")),
    F("epass_wertklasse", "zustand_angaben/energiepass/wertklasse",
      label=_("Energy efficiency class"), max_length=20),
    F("epass_baujahr", "zustand_angaben/energiepass/baujahr", label=_("Year built (certificate)"),
      max_length=40),
    F("epass_ausstelldatum", "zustand_angaben/energiepass/ausstelldatum", "date",
      _("Certificate issued on")),
    F("epass_jahrgang", "zustand_angaben/energiepass/jahrgang",
      label=_("Certificate regulation (EnEV year)"), max_length=40),
    F("epass_gebaeudeart", "zustand_angaben/energiepass/gebaeudeart",
      label=_("Building type (certificate)"), max_length=40),
    # contact person (kontaktperson)
    F("kontakt_anrede", "kontaktperson/anrede", label=_("Salutation"), max_length=40),
    F("kontakt_vorname", "kontaktperson/vorname", label=_("First name")),
    F("kontakt_name", "kontaktperson/name", label=_("Last name")),
    F("kontakt_firma", "kontaktperson/firma", label=_("Company")),
    F("kontakt_email", "kontaktperson/email_direkt", label=_("E-mail")),
    F("kontakt_telefon", "kontaktperson/tel_durchw", label=_("Phone")),
    F("kontakt_email_feedback", "kontaktperson/email_feedback", label=_("Feedback e-mail")),
    # free texts (freitexte)
    F("objekttitel", "freitexte/objekttitel", label=_("Title")),
    F("dreizeiler", "freitexte/dreizeiler", "longtext", _("Short description")),
    F("lage", "freitexte/lage", "longtext", _("Location")),
    F("ausstatt_beschr", "freitexte/ausstatt_beschr", "longtext", _("Features")),
    F("objektbeschreibung", "freitexte/objektbeschreibung", "longtext", _("Description")),
    F("sonstige_angaben", "freitexte/sonstige_angaben", "longtext", _("Other information")),
)
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

# Where a value may come from a second element when the first is missing.
FALLBACK_PATHS = {
    "kontakt_email": ("kontaktperson/email_zentrale",),
    "kontakt_telefon": ("kontaktperson/tel_zentrale", "kontaktperson/tel_handy"),
}

# onOffice and older exporters send the energy certificate as user-defined fields.
EPASS_USER_DEFINED = {
    "epass_art": "epass_epart",
    "epass_epart": "epass_epart",
    "epass_gueltig_bis": "epass_gueltig_bis",
    "epass_gueltigbis": "epass_gueltig_bis",
    "epass_endenergiebedarf": "epass_endenergiebedarf",
    "epass_energiebedarf": "epass_endenergiebedarf",
    "epass_energieverbrauchkennwert": "epass_energieverbrauchkennwert",
    "epass_energieverbrauch": "epass_energieverbrauchkennwert",
    "epass_mitwarmwasser": "epass_mitwarmwasser",
    "epass_primaerenergietraeger": "epass_primaerenergietraeger",
    "epass_energietraeger": "epass_primaerenergietraeger",
    "epass_wertklasse": "epass_wertklasse",
    "epass_energieeffizienzklasse": "epass_wertklasse",
    "epass_baujahr": "epass_baujahr",
    "epass_ausstelldatum": "epass_ausstelldatum",
    "epass_jahrgang": "epass_jahrgang",
    "epass_gebaeudeart": "epass_gebaeudeart",
}


def find_path(element, path: str):
    """The first element at ``a/b/c`` below ``element`` (names only, namespaces ignored)."""
    node = element
    for part in path.split("/"):
        node = next((c for c in node if localname(c.tag) == part), None)
        if node is None:
            return None
    return node


def _raw(element, path: str) -> tuple[str | None, int | None]:
    """Text or attribute at ``path`` and the line it sits on (namespace-free ``element``).

    lxml's own ``find`` is used here: this runs for every column of every property, and
    most columns are absent, which a Python scan would have to prove child by child.
    """
    elem_path, _sep, attr = path.partition("@")
    node = element.find(elem_path)
    if node is None:
        return None, None
    if attr:
        return node.get(attr), node.sourceline
    return text_content(node), node.sourceline


def _true_flags(element, path: str, names) -> tuple[list[str], int | None]:
    node = find_path(element, path)
    if node is None:
        return [], None
    flags = []
    for key, value in node.attrib.items():
        name = localname(key).upper()
        parsed, _note = values.parse_bool(value)
        if parsed and name in names:
            flags.append(name)
    return flags, node.sourceline


def _objektart(element) -> tuple[str | None, str | None, int | None]:
    node = find_path(element, "objektkategorie/objektart")
    if node is None:
        return None, None, None
    for child in node:
        name = localname(child.tag)
        if name in OBJEKTARTEN:
            attr = OBJEKTARTEN[name]
            subtype = next(
                (v for k, v in child.attrib.items() if localname(k) == attr), None
            )
            return name, values.clean_text(subtype), child.sourceline
    return None, None, node.sourceline


def convert(field: Field, raw: str | None):
    """``(value, note template)`` for the raw text of ``field``."""
    if field.kind in ("text", "longtext"):
        text = values.clean_text(raw)
        if text is not None and field.kind == "text" and len(text) > field.max_length:
            return text[: field.max_length], _(
                "{label}: the value is longer than {max_length} characters and was shortened."
            )
        return text, None
    if field.kind == "decimal":
        return values.parse_decimal(raw)
    if field.kind == "int":
        return values.parse_int(raw)
    if field.kind == "bool":
        return values.parse_bool(raw)
    if field.kind == "date":
        return values.parse_date(raw)
    raise ValueError(f"unknown field kind {field.kind!r}")


def extract_fields(
    immobilie, names: frozenset[str] | None = None
) -> tuple[dict[str, Any], dict[str, int | None], list[Problem]]:
    """Read the columns from a namespace-free ``<immobilie>`` element.

    Returns the values that were sent (a field absent from the file is absent from the
    dict, so an update can tell "not sent" from "sent empty"), the line of each value, and
    warnings about values that had to be interpreted. ``names`` reads only those plain
    (not computed) fields.
    """
    found: dict[str, Any] = {}
    lines: dict[str, int | None] = {}
    notes: list[Problem] = []

    def note(field: Field, template: str, raw, value, line):
        notes.append(
            warning(
                "value_interpreted",
                template,
                line=line,
                path=field.path,
                label=Text(field.label),
                value=raw,
                parsed=value,
                max_length=field.max_length,
            )
        )

    for field in _plain_fields(frozenset(names) if names is not None else None):
        paths = (field.path, *FALLBACK_PATHS.get(field.name, ()))
        for path in paths:
            raw, line = _raw(immobilie, path)
            value, template = convert(field, raw)
            if template:
                note(field, template, raw, value, line)
            if value is not None:
                found[field.name] = value
                lines[field.name] = line
                break

    if names is None:
        for extractor in _SPECIAL:
            extractor(immobilie, found, lines, notes)
    return found, lines, notes


@functools.cache
def _plain_fields(names: frozenset[str] | None) -> tuple[Field, ...]:
    """The plain (not computed) fields among ``names`` (all if None), in ``FIELDS`` order."""
    return tuple(
        f for f in FIELDS if f.name not in _EXTRACTORS and (names is None or f.name in names)
    )


def _kategorie(immobilie, found, lines, notes):
    for name, names in (("nutzungsart", NUTZUNGSARTEN), ("vermarktungsart", VERMARKTUNGSARTEN)):
        flags, line = _true_flags(immobilie, f"objektkategorie/{name}", names)
        if flags:
            # Several flags are allowed (KAUF and MIETE_PACHT); the first one is the column,
            # all of them stay in the stored record.
            found[name] = flags[0]
            lines[name] = line
    art, typ, line = _objektart(immobilie)
    if art:
        found["objektart"] = art
        lines["objektart"] = line
    if typ:
        found["objektart_typ"] = typ
        lines["objektart_typ"] = line


def _energiepass(immobilie, found, lines, notes):
    """Energy values from the first ``<energiepass>``; ``epass_*`` user fields fill the gaps.

    Older exporters send some values as elements and the rest (``wertklasse``, ``baujahr``…)
    as user-defined fields; the element wins where both are sent.
    """
    zustand = find_path(immobilie, "zustand_angaben")
    if zustand is None:
        return
    first_line = None
    for child in zustand:
        if localname(child.tag) != "user_defined_simplefield":
            continue
        feldname = next((v for k, v in child.attrib.items() if localname(k) == "feldname"), "")
        target = EPASS_USER_DEFINED.get(feldname.strip().lower())
        if not target or target in found:
            continue
        field = FIELDS_BY_NAME[target]
        value, template = convert(field, child.text)
        if value is not None:
            if field.name == "epass_epart":
                value = str(value).upper()
            found[target] = value
            lines[target] = child.sourceline
            first_line = first_line or child.sourceline
    if first_line:
        notes.append(
            warning(
                "epass_user_defined",
                _(
                    "The energy certificate was sent as user-defined fields (epass_*); "
                    "OpenImmo 1.2.7 has the element zustand_angaben/energiepass for it."
                ),
                line=first_line,
                path="zustand_angaben/user_defined_simplefield",
            )
        )


_EXTRACTORS: dict[str, Callable] = {
    "nutzungsart": _kategorie,
    "vermarktungsart": _kategorie,
    "objektart": _kategorie,
    "objektart_typ": _kategorie,
}
_SPECIAL = (_kategorie, _energiepass)


def is_number(value) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)
