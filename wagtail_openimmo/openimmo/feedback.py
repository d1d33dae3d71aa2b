"""OpenImmo-Feedback: the XML that hands an enquiry (a lead) back to the broker's software.

Broker software (onOffice, FlowFact, Propstack, …) reads an ``openimmo_feedback`` document
attached to an enquiry mail and files the enquirer as a contact on the right property, so the
broker does not retype it. We write version 1.2.7 of the Feedback format::

    <openimmo_feedback>
      <version>1.2.7</version>
      <sender>name, openimmo_anid, datum, makler_id, regi_id</sender>
      <objekt>
        anbieter_id, oobj_id, expose_url, vermarktungsart, bezeichnung, strasse, ort,
        preis, wae, anzahl_zimmer, flaeche,
        <interessent>anrede, vorname, nachname, firma, tel, email, wunsch, anfrage</interessent>
      </objekt>
    </openimmo_feedback>

``oobj_id`` is the broker's own object number (``objektnr_extern``) — the key the software
matches on. The element order follows the Feedback schema (its children are sequences).

The official Feedback XSD may not be passed on (like the main XSD), so ``structure_errors``
checks our own rules (required elements, order, no unknown elements) and ``validate_xsd``
validates against an operator's copy when one is configured. No Django here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .writer import xml_text

VERSION = "1.2.7"

SENDER_ORDER = ("name", "openimmo_anid", "datum", "makler_id", "regi_id")
OBJEKT_ORDER = (
    "portal_unique_id", "portal_obj_id", "anbieter_id", "oobj_id", "zusatz_refnr",
    "expose_url", "vermarktungsart", "bezeichnung", "etage", "whg_nr", "strasse", "ort",
    "land", "stadtbezirk", "preis", "gebot", "wae", "anzahl_zimmer", "flaeche",
    "interessent", "user_defined_extend",
)  # fmt: skip
INTERESSENT_ORDER = (
    "int_id", "anrede", "vorname", "nachname", "firma", "strasse", "postfach", "plz", "ort",
    "tel", "fax", "mobil", "email", "bevorzugt", "wunsch", "anfrage", "user_defined_extend",
)  # fmt: skip
ROOT_ORDER = ("version", "sender", "objekt", "fehlerliste", "status")
# Elements that may repeat; every other one occurs at most once.
REPEATABLE = {"objekt", "fehlerliste", "status", "vermarktungsart", "interessent",
              "bevorzugt", "wunsch", "user_defined_extend"}  # fmt: skip
REQUIRED = {
    "openimmo_feedback": ("version", "sender"),
    "sender": ("name", "datum", "makler_id"),
    "objekt": ("interessent",),
    "interessent": (),
}
ORDERS = {
    "openimmo_feedback": ROOT_ORDER,
    "sender": SENDER_ORDER,
    "objekt": OBJEKT_ORDER,
    "interessent": INTERESSENT_ORDER,
}
WUNSCH = {"BESICHTIGUNG", "ANRUF", "DETAIL"}
BEVORZUGT = {"EMAIL", "TEL", "MOBIL", "FAX", "BRIEF"}


@dataclass
class Interessent:
    """The enquirer."""

    vorname: str = ""
    nachname: str = ""
    email: str = ""
    tel: str = ""
    anrede: str = ""
    firma: str = ""
    anfrage: str = ""
    wunsch: list[str] = field(default_factory=list)
    bevorzugt: list[str] = field(default_factory=list)


@dataclass
class Objekt:
    """The property asked about, as the broker's software knows it."""

    oobj_id: str = ""
    anbieter_id: str = ""
    expose_url: str = ""
    vermarktungsart: str = ""
    bezeichnung: str = ""
    strasse: str = ""
    ort: str = ""
    preis: str = ""
    wae: str = ""
    anzahl_zimmer: str = ""
    flaeche: str = ""


@dataclass
class Sender:
    """Who sends the feedback: the website, on behalf of the broker ``openimmo_anid``."""

    name: str
    openimmo_anid: str = ""
    makler_id: str = ""
    regi_id: str = ""
    datum: dt.date | None = None


def split_name(full_name: str) -> tuple[str, str]:
    """``("Erika", "Mustermann")`` from ``"Erika Mustermann"``: the last word is the
    surname; a single word is taken as the surname (that is what a broker files by)."""
    words = full_name.split()
    if len(words) < 2:
        return "", " ".join(words)
    return " ".join(words[:-1]), words[-1]


def _add(parent, tag: str, value: str | None) -> None:
    if value:
        etree.SubElement(parent, tag).text = xml_text(str(value))


def build_feedback(sender: Sender, objekt: Objekt, interessent: Interessent) -> bytes:
    """The ``openimmo_feedback`` document for one enquiry, UTF-8 with declaration."""
    root = etree.Element("openimmo_feedback")
    etree.SubElement(root, "version").text = VERSION
    sender_el = etree.SubElement(root, "sender")
    _add(sender_el, "name", sender.name or "-")
    _add(sender_el, "openimmo_anid", sender.openimmo_anid)
    # Feedback dates are written as broker software shows them (TT.MM.JJJJ).
    datum = sender.datum or dt.date.today()
    etree.SubElement(sender_el, "datum").text = datum.strftime("%d.%m.%Y")
    # makler_id is required by the schema; an empty element says "not known".
    etree.SubElement(sender_el, "makler_id").text = xml_text(sender.makler_id or "")
    _add(sender_el, "regi_id", sender.regi_id)

    objekt_el = etree.SubElement(root, "objekt")
    for tag in ("anbieter_id", "oobj_id", "expose_url", "vermarktungsart", "bezeichnung",
                "strasse", "ort", "preis", "wae", "anzahl_zimmer", "flaeche"):  # fmt: skip
        _add(objekt_el, tag, getattr(objekt, tag))

    person = etree.SubElement(objekt_el, "interessent")
    for tag in ("anrede", "vorname", "nachname", "firma", "tel", "email"):
        _add(person, tag, getattr(interessent, tag))
    for value in interessent.bevorzugt:
        if value in BEVORZUGT:
            _add(person, "bevorzugt", value)
    for value in interessent.wunsch:
        if value in WUNSCH:
            _add(person, "wunsch", value)
    _add(person, "anfrage", interessent.anfrage)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def structure_errors(document: bytes) -> list[str]:
    """Our own structural rules of the Feedback format: the root, the required elements,
    the order of each sequence, no unknown or repeated single elements. Empty if fine."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed: {exc}"]
    if root.tag != "openimmo_feedback":
        return [f"root element is <{root.tag}>, not <openimmo_feedback>"]
    errors: list[str] = []

    def check(element) -> None:
        order = ORDERS.get(element.tag)
        if order is None:
            return
        tags = [child.tag for child in element if isinstance(child.tag, str)]
        for tag in tags:
            if tag not in order:
                errors.append(f"<{element.tag}> has an unknown child <{tag}>")
        known = [order.index(tag) for tag in tags if tag in order]
        if known != sorted(known):
            errors.append(f"the children of <{element.tag}> are out of order: {tags}")
        for tag in set(tags):
            if tag not in REPEATABLE and tags.count(tag) > 1:
                errors.append(f"<{element.tag}> has <{tag}> more than once")
        for tag in REQUIRED.get(element.tag, ()):
            if tag not in tags:
                errors.append(f"<{element.tag}> lacks the required <{tag}>")
        for child in element:
            check(child)

    check(root)
    version = root.findtext("version")
    if version is not None and not version.startswith("1.2"):
        errors.append(f"version {version!r} is not 1.2.x")
    return errors


def validate_xsd(document: bytes, xsd_path: str | Path) -> list[str]:
    """The official Feedback XSD's findings (the operator's copy at ``xsd_path``)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    schema = etree.XMLSchema(etree.parse(str(xsd_path), parser))
    tree = etree.fromstring(document, parser)
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
