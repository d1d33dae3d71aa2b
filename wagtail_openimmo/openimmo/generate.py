"""Generate realistic OpenImmo transfers: for the demo, the tests and the benchmarks.

    props = [demo_property(i) for i in range(10)]
    write_zip("feed.zip", props, umfang="VOLL", anid="DEMO-ANID")

Pictures are real JPEGs drawn with Pillow (a house in a landscape, numbered), so imports
exercise the same image pipeline as a broker's photos. ``write_xml`` streams with
``lxml.etree.xmlfile``, so a feed of any size can be written in constant memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

CITIES = [
    ("10115", "Berlin", "Berlin", "Invalidenstraße", 52.5321, 13.3849),
    ("20095", "Hamburg", "Hamburg", "Mönckebergstraße", 53.5503, 10.0006),
    ("80331", "München", "Bayern", "Sendlinger Straße", 48.1351, 11.5820),
    ("50667", "Köln", "Nordrhein-Westfalen", "Hohe Straße", 50.9375, 6.9603),
    ("55116", "Mainz", "Rheinland-Pfalz", "Augustinerstraße", 49.9929, 8.2473),
    ("60311", "Frankfurt am Main", "Hessen", "Zeil", 50.1109, 8.6821),
    ("70173", "Stuttgart", "Baden-Württemberg", "Königstraße", 48.7758, 9.1829),
    ("04109", "Leipzig", "Sachsen", "Grimmaische Straße", 51.3397, 12.3731),
]
KINDS = [
    ("wohnung", "wohnungtyp", "ETAGE", "Wohnung"),
    ("wohnung", "wohnungtyp", "DACHGESCHOSS", "Dachgeschosswohnung"),
    ("haus", "haustyp", "EINFAMILIENHAUS", "Einfamilienhaus"),
    ("haus", "haustyp", "REIHENHAUS", "Reihenhaus"),
    ("grundstueck", "grundst_typ", "WOHNEN", "Baugrundstück"),
    ("buero_praxen", "buero_typ", "BUEROFLAECHE", "Bürofläche"),
]
WORDS = ["hell", "ruhig", "zentral", "modernisiert", "mit Balkon", "mit Garten",
         "mit Aufzug", "familienfreundlich", "gut geschnitten", "frisch renoviert"]


@dataclass
class Picture:
    name: str
    gruppe: str
    titel: str
    data: bytes

    @property
    def md5(self) -> str:
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()


@dataclass
class DemoProperty:
    """The values of one generated property (a small, readable subset of OpenImmo)."""

    objektnr_intern: str
    objektnr_extern: str
    openimmo_obid: str
    titel: str
    vermarktungsart: str  # KAUF / MIETE_PACHT
    nutzungsart: str
    objektart: str
    typ_attr: str
    typ: str
    plz: str
    ort: str
    bundesland: str
    strasse: str
    hausnummer: str
    breitengrad: Decimal
    laengengrad: Decimal
    preis: Decimal
    nebenkosten: Decimal | None
    kaution: Decimal | None
    wohnflaeche: Decimal | None
    grundstuecksflaeche: Decimal | None
    anzahl_zimmer: Decimal | None
    baujahr: int | None
    beschreibung: str
    lage: str
    aktion: str | None = None  # None, CHANGE, DELETE, REFERENZ
    hausgeld: Decimal | None = None
    ausstattung: list[tuple[str, dict[str, str], str | None]] = field(default_factory=list)
    verkaufstatus: str | None = None  # OFFEN, RESERVIERT, VERKAUFT
    pictures: list[Picture] = field(default_factory=list)
    energie: dict[str, str] = field(default_factory=dict)
    kontakt: dict[str, str] = field(default_factory=dict)


def jpeg(seed: int, *, size=(800, 600), label: str = "", quality: int = 80) -> bytes:
    """A real JPEG picture of a little house; different seeds give different pictures."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    width, height = size
    sky = (rnd.randint(90, 160), rnd.randint(150, 210), rnd.randint(200, 250))
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    ground = int(height * 0.7)
    draw.rectangle([0, ground, width, height], fill=(rnd.randint(40, 90), 140, 60))
    x0 = rnd.randint(width // 8, width // 3)
    w = rnd.randint(width // 4, width // 2)
    h = rnd.randint(height // 5, height // 3)
    wall = (rnd.randint(180, 250), rnd.randint(150, 230), rnd.randint(120, 200))
    draw.rectangle([x0, ground - h, x0 + w, ground], fill=wall, outline=(60, 60, 60), width=3)
    draw.polygon([(x0 - 15, ground - h), (x0 + w // 2, ground - h - h // 2 - 20),
                  (x0 + w + 15, ground - h)], fill=(150, rnd.randint(40, 80), 40))
    draw.rectangle([x0 + w // 2 - 20, ground - 70, x0 + w // 2 + 20, ground], fill=(90, 60, 30))
    for i in range(2):
        wx = x0 + 20 + i * (w - 80)
        draw.rectangle([wx, ground - h + 25, wx + 40, ground - h + 65], fill=(200, 230, 255),
                       outline=(60, 60, 60), width=2)
    draw.ellipse([width - 140, 30, width - 60, 110], fill=(255, 220, 80))
    if label:
        draw.text((20, height - 40), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def demo_property(n: int, *, images: int = 3, seed: int | None = None,
                  image_size=(800, 600)) -> DemoProperty:
    """The ``n``-th generated property; the same ``n`` always gives the same property."""
    rnd = random.Random(seed if seed is not None else n)
    plz, ort, land, strasse, lat, lon = CITIES[n % len(CITIES)]
    art, attr, typ, noun = KINDS[n % len(KINDS)]
    rent = art != "grundstueck" and n % 3 == 1
    vermarktung = "MIETE_PACHT" if rent else "KAUF"
    gewerbe = art == "buero_praxen"
    rooms = None if art in ("grundstueck", "buero_praxen") else Decimal(rnd.randint(1, 6))
    area = None if art == "grundstueck" else Decimal(rnd.randint(35, 220))
    plot = Decimal(rnd.randint(250, 1200)) if art in ("haus", "grundstueck") else None
    price = Decimal(rnd.randint(45, 180) * 10 if rent else rnd.randint(90, 1400) * 1000)
    adjectives = rnd.sample(WORDS, 2)
    titel = f"{noun} in {ort}, {adjectives[0]}"
    prop = DemoProperty(
        objektnr_intern=f"{1000 + n}",
        objektnr_extern=f"W{n:05d}",
        openimmo_obid=f"DEMO_{1000 + n}_W{n:05d}",
        titel=titel,
        vermarktungsart=vermarktung,
        nutzungsart="GEWERBE" if gewerbe else "WOHNEN",
        objektart=art,
        typ_attr=attr,
        typ=typ,
        plz=plz,
        ort=ort,
        bundesland=land,
        strasse=strasse,
        hausnummer=str(rnd.randint(1, 120)),
        breitengrad=Decimal(str(round(lat + rnd.uniform(-0.03, 0.03), 6))),
        laengengrad=Decimal(str(round(lon + rnd.uniform(-0.03, 0.03), 6))),
        preis=price,
        nebenkosten=Decimal(rnd.randint(8, 40) * 10) if rent else None,
        kaution=price * 3 if rent else None,
        wohnflaeche=area,
        grundstuecksflaeche=plot,
        anzahl_zimmer=rooms,
        baujahr=None if art == "grundstueck" else rnd.randint(1900, 2023),
        beschreibung=(
            f"Diese Immobilie ist {adjectives[0]} und {adjectives[1]}. "
            f"Sie liegt in {ort} und ist sofort verfügbar. "
            "Die Räume sind gut geschnitten, das Bad ist modern ausgestattet."
        ),
        lage=f"Ruhige Lage in {ort}, Einkaufsmöglichkeiten und ÖPNV in wenigen Minuten.",
        kontakt={"anrede": "Frau", "vorname": "Erika", "name": "Mustermann",
                 "email_direkt": "erika.mustermann@example.com",
                 "tel_durchw": "+49 30 1234567", "firma": "Demo Immobilien GmbH"},
    )
    if art != "grundstueck":
        prop.energie = {
            "epart": "BEDARF" if n % 2 else "VERBRAUCH",
            "gueltig_bis": "2032-05-31",
            ("endenergiebedarf" if n % 2 else "energieverbrauchkennwert"):
                f"{rnd.randint(40, 210)}.50",
            "primaerenergietraeger": "GAS" if n % 2 else "FERN",
            "wertklasse": "",  # below: the class of the value, as GEG Anlage 10 has it
            "baujahr": str(prop.baujahr),
            "ausstelldatum": "2022-06-01",
            "jahrgang": "2014",
            "gebaeudeart": "WOHN",
        }
        value = next(v for k, v in prop.energie.items() if k.endswith(("bedarf", "kennwert")))
        prop.energie["wertklasse"] = energy_class(Decimal(value))
    # Amenities, Hausgeld and sale status from a generator of their own, so that the values
    # above stay what they were for a given n.
    extra = random.Random(n * 7919 + 17)
    if art in ("wohnung", "haus"):
        choices = [  # in the schema's order
            ("kueche", {"EBK": "true"}, None),
            ("fahrstuhl", {"PERSONEN": "true"}, None),
            ("stellplatzart", {"TIEFGARAGE": "true"}, None),
            ("gartennutzung", {}, "true"),
            ("barrierefrei", {}, "true"),
            ("unterkellert", {"keller": "JA"}, None),
            ("gaestewc", {}, "true"),
        ]
        prop.ausstattung = sorted(extra.sample(choices, extra.randint(2, 5)),
                                  key=choices.index)
        if not rent and art == "wohnung":
            prop.hausgeld = Decimal(extra.randint(18, 60) * 10)
    if not rent and n % 5 == 3:
        prop.verkaufstatus = "RESERVIERT"
    groups = ["TITELBILD", "INNENANSICHTEN", "AUSSENANSICHTEN", "GRUNDRISS", "BILD"]
    for i in range(images):
        gruppe = groups[i] if i < len(groups) else "BILD"
        titles = {"TITELBILD": "Ansicht", "INNENANSICHTEN": "Wohnzimmer",
                  "AUSSENANSICHTEN": "Garten", "GRUNDRISS": "Grundriss", "BILD": "Bild"}
        prop.pictures.append(
            Picture(
                name=f"{prop.objektnr_extern}_{i + 1}.jpg",
                gruppe=gruppe,
                titel=f"{titles[gruppe]} {i + 1}" if gruppe == "BILD" else titles[gruppe],
                data=jpeg(n * 100 + i, size=image_size, label=f"{prop.objektnr_extern} #{i+1}"),
            )
        )
    return prop


# GEG Anlage 10: the efficiency classes by final energy in kWh/(m²·a) (upper bounds).
ENERGY_CLASSES = (("A+", 30), ("A", 50), ("B", 75), ("C", 100), ("D", 130), ("E", 160),
                  ("F", 200), ("G", 250))


def energy_class(value: Decimal) -> str:
    """The efficiency class of a final energy value: ``energy_class(Decimal("169.5")) == "F"``."""
    return next((name for name, upper in ENERGY_CLASSES if value < upper), "H")


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _el(xf, tag, text=None, **attrs):
    element = etree.Element(tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    xf.write(element)


def property_element(prop: DemoProperty, *, check: str = "MD5") -> etree._Element:
    """The ``<immobilie>`` element of a generated property, elements in schema order."""
    E = etree.Element
    sub = etree.SubElement
    imm = E("immobilie")
    kat = sub(imm, "objektkategorie")
    sub(kat, "nutzungsart", {k: ("true" if k == prop.nutzungsart else "false")
                             for k in ("WOHNEN", "GEWERBE")})
    sub(kat, "vermarktungsart", {k: ("true" if k == prop.vermarktungsart else "false")
                                 for k in ("KAUF", "MIETE_PACHT")})
    art = sub(kat, "objektart")
    sub(art, prop.objektart, {prop.typ_attr: prop.typ})
    geo = sub(imm, "geo")
    sub(geo, "plz").text = prop.plz
    sub(geo, "ort").text = prop.ort
    sub(geo, "geokoordinaten", breitengrad=str(prop.breitengrad),
        laengengrad=str(prop.laengengrad))
    sub(geo, "strasse").text = prop.strasse
    sub(geo, "hausnummer").text = prop.hausnummer
    sub(geo, "bundesland").text = prop.bundesland
    sub(geo, "land", iso_land="DEU")
    kontakt = sub(imm, "kontaktperson")
    for tag in ("email_direkt", "tel_durchw", "name", "vorname", "anrede", "firma"):
        if prop.kontakt.get(tag):
            sub(kontakt, tag).text = prop.kontakt[tag]
    preise = sub(imm, "preise")
    if prop.vermarktungsart == "KAUF":
        sub(preise, "kaufpreis").text = _money(prop.preis)
        if prop.hausgeld is not None:
            sub(preise, "hausgeld").text = _money(prop.hausgeld)
    else:
        sub(preise, "kaltmiete").text = _money(prop.preis)
        if prop.nebenkosten is not None:
            sub(preise, "nebenkosten").text = _money(prop.nebenkosten)
    sub(preise, "aussen_courtage", mit_mwst="true").text = (
        "3,57 % inkl. MwSt." if prop.vermarktungsart == "KAUF" else "provisionsfrei"
    )
    sub(preise, "waehrung", iso_waehrung="EUR")
    if prop.kaution is not None:
        sub(preise, "kaution").text = _money(prop.kaution)
    flaechen = sub(imm, "flaechen")
    if prop.wohnflaeche is not None:
        sub(flaechen, "wohnflaeche").text = _money(prop.wohnflaeche)
    if prop.grundstuecksflaeche is not None:
        sub(flaechen, "grundstuecksflaeche").text = _money(prop.grundstuecksflaeche)
    if prop.anzahl_zimmer is not None:
        sub(flaechen, "anzahl_zimmer").text = _money(prop.anzahl_zimmer)
    if prop.ausstattung:
        ausstattung = sub(imm, "ausstattung")
        for tag, attrs, text in prop.ausstattung:
            sub(ausstattung, tag, attrs).text = text
    if prop.baujahr or prop.energie or prop.verkaufstatus:
        zustand = sub(imm, "zustand_angaben")
        if prop.baujahr:
            sub(zustand, "baujahr").text = str(prop.baujahr)
        if prop.energie:
            epass = sub(zustand, "energiepass")
            for tag in ("epart", "gueltig_bis", "energieverbrauchkennwert", "endenergiebedarf",
                        "primaerenergietraeger", "wertklasse", "baujahr", "ausstelldatum",
                        "jahrgang", "gebaeudeart"):
                if tag in prop.energie:
                    sub(epass, tag).text = prop.energie[tag]
        if prop.verkaufstatus:
            sub(zustand, "verkaufstatus", stand=prop.verkaufstatus)
    frei = sub(imm, "freitexte")
    sub(frei, "objekttitel").text = prop.titel
    sub(frei, "lage").text = prop.lage
    sub(frei, "objektbeschreibung").text = prop.beschreibung
    if prop.pictures:
        anhaenge = sub(imm, "anhaenge")
        for pic in prop.pictures:
            anhang = sub(anhaenge, "anhang", location="EXTERN", gruppe=pic.gruppe)
            sub(anhang, "anhangtitel").text = pic.titel
            sub(anhang, "format").text = "image/jpeg"
            if check == "MD5":
                sub(anhang, "check", ctype="MD5").text = pic.md5
            daten = sub(anhang, "daten")
            sub(daten, "pfad").text = pic.name
    vo = sub(imm, "verwaltung_objekt")
    sub(vo, "objektadresse_freigeben").text = "true"
    sub(vo, "verfuegbar_ab").text = "sofort"
    vt = sub(imm, "verwaltung_techn")
    sub(vt, "objektnr_intern").text = prop.objektnr_intern
    sub(vt, "objektnr_extern").text = prop.objektnr_extern
    if prop.aktion:
        sub(vt, "aktion", aktionart=prop.aktion)
    sub(vt, "openimmo_obid").text = prop.openimmo_obid
    sub(vt, "kennung_ursprung").text = "wagtail-openimmo generator"
    sub(vt, "stand_vom").text = "2026-11-01"
    return imm


def write_xml(
    fh,
    properties: Iterable[DemoProperty],
    *,
    umfang: str = "VOLL",
    anid: str = "DEMO-ANID",
    anbieternr: str | None = None,
    firma: str = "Demo Immobilien GmbH",
    timestamp: dt.datetime | None = None,
    version: str = "1.2.7b",
) -> None:
    """Write a whole transfer to the binary file ``fh``, one property at a time."""
    timestamp = timestamp or dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    with etree.xmlfile(fh, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("openimmo"):
            _el(xf, "uebertragung", art="OFFLINE", umfang=umfang, modus="CHANGE",
                version=version, sendersoftware="wagtail-openimmo-generator",
                senderversion="1", timestamp=timestamp.isoformat())
            with xf.element("anbieter"):
                if anbieternr:
                    _el(xf, "anbieternr", anbieternr)
                _el(xf, "firma", firma)
                _el(xf, "openimmo_anid", anid)
                for prop in properties:
                    xf.write(property_element(prop))


def xml_bytes(properties: Iterable[DemoProperty], **kwargs) -> bytes:
    out = io.BytesIO()
    write_xml(out, properties, **kwargs)
    return out.getvalue()


def write_zip(path, properties: Iterable[DemoProperty], *, xml_name: str = "openimmo.xml",
              **kwargs) -> None:
    """A ZIP as broker software uploads it: the XML plus every picture next to it."""
    properties = list(properties)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(xml_name, xml_bytes(properties, **kwargs))
        for prop in properties:
            for pic in prop.pictures:
                zf.writestr(pic.name, pic.data, compress_type=zipfile.ZIP_STORED)


def write_large_xml(path, *, target_bytes: int, kinds: int = 24, sentences: int = 200) -> int:
    """Stream a VOLL transfer of at least ``target_bytes`` to ``path`` without pictures.

    For memory tests and benchmarks: ``kinds`` generated properties, each with a description
    of ``sentences`` sentences (a few KB, like a broker's), are repeated with new object
    numbers, so a file of any size is written in constant memory and quickly. Returns the
    number of properties written.
    """
    rnd = random.Random(7)
    templates = []
    for n in range(kinds):
        prop = demo_property(n, images=0)
        prop.objektnr_intern = "__NR__"
        prop.objektnr_extern = "W__NR__"
        prop.openimmo_obid = "DEMO___NR__"
        prop.beschreibung = " ".join(
            f"Die Immobilie ist {rnd.choice(WORDS)}." for _ in range(sentences)
        )
        templates.append(etree.tostring(property_element(prop), encoding="utf-8") + b"\n")
    count = size = 0
    with open(path, "wb") as fh:
        fh.write(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<openimmo>\n'
            b'<uebertragung art="OFFLINE" umfang="VOLL" modus="CHANGE" version="1.2.7b" '
            b'sendersoftware="wagtail-openimmo-generator" senderversion="1" '
            b'timestamp="2026-11-01T12:00:00+00:00"/>\n'
            b"<anbieter>\n<firma>Demo Immobilien GmbH</firma>\n"
            b"<openimmo_anid>DEMO-ANID</openimmo_anid>\n"
        )
        while size < target_bytes:
            chunk = templates[count % kinds].replace(b"__NR__", str(count).encode())
            fh.write(chunk)
            size += len(chunk)
            count += 1
        fh.write(b"</anbieter>\n</openimmo>\n")
    return count


def write_bloated_xml(path, *, target_bytes: int, shape: str = "elements") -> str:
    """Stream a TEIL transfer whose middle property is ``target_bytes`` big, for memory tests.

    Three generated properties; the second (objektnr_extern ``BLOAT-1``) carries a
    ``<user_defined_anyfield>`` filled with tiny elements (``shape="elements"``, what an
    attacker sends to make a parser build millions of nodes) or with text in 1 MB elements
    (``shape="text"``). Written in constant memory. Returns the bloated property's number.
    """
    props = [demo_property(n, images=0) for n in range(3)]
    props[1].objektnr_extern = "BLOAT-1"
    parts = [etree.tostring(property_element(p), encoding="utf-8") + b"\n" for p in props]
    head, tail = parts[1].rsplit(b"</immobilie>", 1)
    if shape == "elements":
        unit = b"<f>1</f>" * 8192
    elif shape == "text":
        unit = b"<t>" + b"x" * (1 << 20) + b"</t>"
    else:
        raise ValueError(shape)
    with open(path, "wb") as fh:
        fh.write(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<openimmo>\n'
            b'<uebertragung art="OFFLINE" umfang="TEIL" modus="CHANGE" version="1.2.7b" '
            b'sendersoftware="wagtail-openimmo-generator" senderversion="1"/>\n'
            b"<anbieter>\n<firma>Demo Immobilien GmbH</firma>\n"
            b"<openimmo_anid>DEMO-ANID</openimmo_anid>\n"
        )
        fh.write(parts[0])
        fh.write(head)
        fh.write(b"<user_defined_anyfield>")
        size = 0
        while size < target_bytes:
            fh.write(unit)
            size += len(unit)
        fh.write(b"</user_defined_anyfield></immobilie>" + tail)
        fh.write(parts[2])
        fh.write(b"</anbieter>\n</openimmo>\n")
    return "BLOAT-1"
