"""The project's own rules: what makes a listing usable, in words a broker understands.

They run on every property, whether or not an XSD is configured. Errors reject the property
(the others in the file go on); warnings are reported and the property is imported.
DELETE records often carry only a skeleton, so only their identity is checked.

Lenient mode (the default) rejects a property only when it cannot become a listing at all:
it has no object number to find it by again (``identity_missing``) or an action that cannot
apply (``aktion_invalid``, in the reader). Every other gap is a warning with a fallback
that says what was assumed, so that the broker knows what to fix (see ``LENIENT_CODES``):
a missing marketing type is inferred from the prices, a missing kind of property is shown
as a neutral "property", a missing title is composed by the importer, a listing without
postcode or city shows its location "on request". What is dropped from a column is kept in
the stored record.

Strict mode (``STRICT_VALIDATION``) rejects every such gap, and also checks the element
order and allowed values of the containers the app knows (exports are checked this way).
"""

from __future__ import annotations

import re

from . import values
from .fields import FIELDS_BY_NAME, OBJEKTARTEN, VERMARKTUNGSARTEN, WERTKLASSEN, find_path
from .problems import Problem, _, error, warning
from .records import PropertyRecord
from .schema import ATTRIBUTE_VALUES, ELEMENT_ORDER, IMAGE_GROUPS, OBJEKTART_EXTRA
from .tree import localname

RENT_FIELDS = ("kaltmiete", "warmmiete", "nettokaltmiete")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{3}$")


def _line(record: PropertyRecord, element, path: str):
    node = find_path(element, path.partition("@")[0]) if path else None
    if node is not None:
        return node.sourceline
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    node = find_path(element, parent) if parent else None
    return node.sourceline if node is not None else record.line


def check_record(record: PropertyRecord, element, *, strict: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    f = record.fields

    if not record.identity_keys():
        problems.append(
            error(
                "identity_missing",
                _("The property has no object number: please send "
                  "verwaltung_techn/objektnr_intern, openimmo_obid or objektnr_extern, so that "
                  "later updates and deletions find it."),
                line=record.line,
                path="verwaltung_techn",
            )
        )
    if record.aktion == "DELETE":
        return problems

    def required(path: str, code: str, template: str, *, make=error, **params):
        problems.append(
            make(code, template, line=_line(record, element, path), path=path, **params)
        )

    if strict:
        _check_required_strict(f, required)
    else:
        _bridge_gaps(record, element, f, required)

    vermarktung = _flags(element, "objektkategorie/vermarktungsart")
    # A reference object (sold or let, shown as a showcase) often no longer shows its price:
    # say so, but keep the listing.
    price_rule = warning if record.aktion == "REFERENZ" or not strict else error
    if "KAUF" in vermarktung and f.get("kaufpreis") is None and not f.get(
        "kaufpreis_auf_anfrage"
    ):
        required(
            "preise/kaufpreis",
            "kaufpreis_missing",
            _("The purchase price is missing: a property for sale (vermarktungsart KAUF) needs "
              "preise/kaufpreis, or kaufpreis with auf_anfrage=\"true\" for a price on "
              "request."),
            make=price_rule,
        )
    if "MIETE_PACHT" in vermarktung and not any(f.get(name) is not None for name in RENT_FIELDS):
        required(
            "preise/kaltmiete",
            "miete_missing",
            _("The rent is missing: a property for rent (vermarktungsart MIETE_PACHT) needs "
              "preise/kaltmiete, preise/warmmiete or preise/nettokaltmiete."),
            make=price_rule,
        )

    for name in ("kaufpreis", "kaltmiete", "warmmiete", "nettokaltmiete", "wohnflaeche",
                 "anzahl_zimmer", "grundstuecksflaeche"):
        value = f.get(name)
        if value is not None and value < 0 and strict:
            problems.append(
                error("negative_value",
                      _("The value of {element} must not be negative, but it is {value}."),
                      line=record.field_lines.get(name), path=FIELDS_BY_NAME[name].path,
                      element=FIELDS_BY_NAME[name].path, field=name, value=value)
            )
        elif value is not None and value < 0:
            problems.append(
                warning("negative_value",
                        _("The value of {element} must not be negative, but it is {value}; it "
                          "was left out of the listing."),
                        line=record.field_lines.get(name), path=FIELDS_BY_NAME[name].path,
                        element=FIELDS_BY_NAME[name].path, field=name, value=value)
            )
            f.pop(name)
    # Codes that are not codes are dropped (the stored record keeps what was sent): a
    # truncated "Eur" or a two-letter "DE" in the column would mislead more than help.
    currency = _attribute(element, "preise/waehrung", "iso_waehrung")
    if currency and not _CURRENCY.match(currency):
        problems.append(
            warning("currency_invalid",
                    _("The currency “{value}” (preise/waehrung iso_waehrung) is not a 3-letter "
                      "ISO 4217 code such as EUR; it was ignored."),
                    line=record.field_lines.get("waehrung"), path="preise/waehrung",
                    value=currency)
        )
        f.pop("waehrung", None)
    country = _attribute(element, "geo/land", "iso_land")
    if country and not _COUNTRY.match(country):
        problems.append(
            warning("country_invalid",
                    _("The country “{value}” (geo/land iso_land) is not a 3-letter ISO 3166 "
                      "code such as DEU; it was ignored."),
                    line=record.field_lines.get("land"), path="geo/land", value=country)
        )
        f.pop("land", None)
    for name, low, high in (("breitengrad", -90, 90), ("laengengrad", -180, 180)):
        value = f.get(name)
        if value is not None and not low <= value <= high:
            problems.append(
                warning("geo_invalid",
                        _("The map position is out of range (geo/geokoordinaten "
                          "{name}=“{value}”) and was ignored."),
                        line=record.field_lines.get(name), path="geo/geokoordinaten",
                        name=name, value=value)
            )
            # one coordinate alone is no position
            f.pop("breitengrad", None)
            f.pop("laengengrad", None)
            break
    if f.get("epass_wertklasse") and f["epass_wertklasse"].upper() not in WERTKLASSEN:
        problems.append(
            warning("wertklasse_invalid",
                    _("The energy efficiency class “{value}” "
                      "(zustand_angaben/energiepass/wertklasse) is not one of {allowed}."),
                    line=record.field_lines.get("epass_wertklasse"),
                    path="zustand_angaben/energiepass/wertklasse",
                    value=f["epass_wertklasse"], allowed=", ".join(WERTKLASSEN))
        )
    for attachment in record.attachments:
        if attachment.gruppe and attachment.gruppe not in ATTRIBUTE_VALUES["anhang@gruppe"]:
            problems.append(
                (error if strict else warning)(
                    "gruppe_invalid",
                    _("The attachment group anhang gruppe=“{value}” is unknown; allowed are "
                      "{allowed}."),
                    line=attachment.line, path="anhaenge/anhang", value=attachment.gruppe,
                    allowed=", ".join(ATTRIBUTE_VALUES["anhang@gruppe"]),
                )
            )
    if not any(a.gruppe in IMAGE_GROUPS or a.gruppe is None for a in record.attachments):
        problems.append(
            warning("no_images",
                    _("The property has no pictures (anhaenge/anhang with a picture group such "
                      "as TITELBILD or BILD)."),
                    line=record.line, path="anhaenge")
        )
    if not strict:
        problems.extend(_order_warning(element))
    if strict:
        problems.extend(check_order(element))
        objektart = find_path(element, "objektkategorie/objektart")
        if objektart is not None:
            for child in objektart:
                if localname(child.tag) not in (*OBJEKTARTEN, *OBJEKTART_EXTRA):
                    problems.append(
                        error("objektart_invalid",
                              _("<{name}> in objektkategorie/objektart is not a kind of "
                                "property OpenImmo knows."),
                              line=child.sourceline, path="objektkategorie/objektart",
                              name=localname(child.tag))
                    )
    return problems


# The warnings lenient mode gives where strict mode rejects (documented in docs/importing.md).
LENIENT_CODES = (
    "title_missing",
    "plz_missing",
    "ort_missing",
    "vermarktungsart_inferred",
    "vermarktungsart_missing",
    "objektart_missing",
    "objektart_invalid",
    "kaufpreis_missing",
    "miete_missing",
    "negative_value",
    "element_order",
)


def _check_required_strict(f, required) -> None:
    if "vermarktungsart" not in f:
        required(
            "objektkategorie/vermarktungsart",
            "vermarktungsart_missing",
            _("The marketing type is missing: objektkategorie/vermarktungsart must set one of "
              "{allowed} to true."),
            allowed=", ".join(VERMARKTUNGSARTEN),
        )
    if "objektart" not in f:
        required(
            "objektkategorie/objektart",
            "objektart_missing",
            _("The kind of property is missing: objektkategorie/objektart must contain one "
              "kind, for example <wohnung/> or <haus/>."),
        )
    if not f.get("objekttitel"):
        required("freitexte/objekttitel", "title_missing",
                 _("The title is missing: please send freitexte/objekttitel, the headline "
                   "visitors see."))
    if not f.get("plz"):
        required("geo/plz", "plz_missing",
                 _("The postcode is missing: please send geo/plz."))
    if not f.get("ort"):
        required("geo/ort", "ort_missing", _("The city is missing: please send geo/ort."))


def infer_vermarktungsart(record: PropertyRecord, element) -> str | None:
    """The marketing type the prices imply: a purchase price means KAUF, a rent or a lease
    (``pacht``) MIETE_PACHT; None when they say nothing or both."""
    f = record.fields
    buy = f.get("kaufpreis") is not None or bool(f.get("kaufpreis_auf_anfrage"))
    rent = any(f.get(name) is not None for name in RENT_FIELDS) or _pacht(element)
    if buy and not rent:
        return "KAUF"
    if rent and not buy:
        return "MIETE_PACHT"
    return None


def _pacht(element) -> bool:
    """Whether ``preise/pacht`` holds a number (a lease; not a column of its own)."""
    node = find_path(element, "preise/pacht")
    if node is None:
        return False
    value, _note = values.parse_decimal(node.text)
    return value is not None


def _bridge_gaps(record: PropertyRecord, element, f, required) -> None:
    """Lenient mode: warn about each gap and say what the listing shows instead."""
    if "vermarktungsart" not in f:
        inferred = infer_vermarktungsart(record, element)
        if inferred:
            f["vermarktungsart"] = inferred
            required(
                "objektkategorie/vermarktungsart",
                "vermarktungsart_inferred",
                _("The marketing type is missing (objektkategorie/vermarktungsart); from the "
                  "prices sent it was taken to be {value}. Please set one of {allowed} to "
                  "true."),
                make=warning,
                value=inferred,
                allowed=", ".join(VERMARKTUNGSARTEN),
            )
        else:
            required(
                "objektkategorie/vermarktungsart",
                "vermarktungsart_missing",
                _("The marketing type is missing (objektkategorie/vermarktungsart) and the "
                  "prices do not tell it; the listing is shown without one. Please set one of "
                  "{allowed} to true."),
                make=warning,
                allowed=", ".join(VERMARKTUNGSARTEN),
            )
    if "objektart" not in f:
        node = find_path(element, "objektkategorie/objektart")
        unknown = [
            child for child in (node if node is not None else ())
            if isinstance(child.tag, str)
            and localname(child.tag) not in (*OBJEKTARTEN, *OBJEKTART_EXTRA)
        ]
        if unknown:
            required(
                "objektkategorie/objektart",
                "objektart_invalid",
                _("<{name}> in objektkategorie/objektart is not a kind of property OpenImmo "
                  "knows; the listing is shown as a “property”. Please send one kind, for "
                  "example <wohnung/> or <haus/>."),
                make=warning,
                name=localname(unknown[0].tag),
            )
        else:
            required(
                "objektkategorie/objektart",
                "objektart_missing",
                _("The kind of property is missing (objektkategorie/objektart); the listing is "
                  "shown as a “property”. Please send one kind, for example <wohnung/> or "
                  "<haus/>."),
                make=warning,
            )
    if not f.get("objekttitel"):
        required(
            "freitexte/objekttitel",
            "title_missing",
            _("The title is missing (freitexte/objekttitel); the listing was given one made "
              "from its kind, rooms and place (such as “3-room flat in Leipzig”), unless an "
              "editor has given it one. Please send the headline visitors should see."),
            make=warning,
        )
    if not f.get("plz"):
        required(
            "geo/plz",
            "plz_missing",
            _("The postcode is missing (geo/plz); the listing is shown without it and a "
              "search by postcode does not find it. Please send geo/plz."),
            make=warning,
        )
    if not f.get("ort"):
        required(
            "geo/ort",
            "ort_missing",
            _("The city is missing (geo/ort); the listing shows its location as “on request” "
              "(or the region, if one was sent) and a search by city does not find it. "
              "Please send geo/ort."),
            make=warning,
        )


def _attribute(element, path: str, name: str) -> str | None:
    node = find_path(element, path)
    if node is None:
        return None
    raw = next((v for k, v in node.attrib.items() if localname(k) == name), None)
    return values.clean_text(raw)


def _flags(element, path: str) -> set[str]:
    node = find_path(element, path)
    if node is None:
        return set()
    # the same reading of booleans as fields._true_flags, so the rules see what was stored
    return {localname(k).upper() for k, v in node.attrib.items() if values.parse_bool(v)[0]}


def _order_warning(element) -> list[Problem]:
    """Lenient mode: one warning for the elements out of the schema's order (read all the
    same), naming the first; real exporters' files often have many, and one line says it."""
    found = [p for p in check_order(element) if p.code == "element_order"]
    if not found:
        return []
    first = found[0]
    return [
        warning("element_order",
                _("Elements are out of the OpenImmo schema's order ({count} in all); the "
                  "first: <{name}> must come before <{previous}> inside <{parent}>. They "
                  "were read all the same; please have the software write them in the "
                  "schema's order."),
                line=first.line, path=first.path, count=len(found), name=first.params["name"],
                previous=first.params["previous"], parent=first.params["parent"])
    ]


def check_order(element, path: str = "") -> list[Problem]:
    """Children out of the schema's order, for every container in ``ELEMENT_ORDER``."""
    problems = []
    name = localname(element.tag)
    order = ELEMENT_ORDER.get(name)
    here = f"{path}/{name}" if path else name
    if order:
        index = {child: i for i, child in enumerate(order)}
        last = -1
        last_name = None
        for child in element:
            child_name = localname(child.tag)
            position = index.get(child_name)
            if position is None:
                problems.append(
                    error("element_unknown",
                          _("<{name}> is not allowed inside <{parent}>."),
                          line=child.sourceline, path=here, name=child_name, parent=name)
                )
                continue
            if position < last:
                problems.append(
                    error("element_order",
                          _("<{name}> must come before <{previous}> inside <{parent}>."),
                          line=child.sourceline, path=here, name=child_name,
                          previous=last_name, parent=name)
                )
            else:
                last, last_name = position, child_name
    for child in element:
        if isinstance(child.tag, str) and localname(child.tag) in ELEMENT_ORDER:
            problems.extend(check_order(child, here))
    return problems
