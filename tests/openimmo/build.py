"""Hand-made OpenImmo documents for the reader tests.

``immobilie()`` is a complete, valid property (the reader finds no problem in it); keyword
arguments replace or remove its parts, so each test shows only the quirk it is about.
"""

from __future__ import annotations

from wagtail_openimmo.openimmo import PropertyRecord, Transfer, read_transfer

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
HEADER = (
    '<uebertragung art="OFFLINE" umfang="VOLL" modus="CHANGE" version="1.2.7b" '
    'sendersoftware="tests" senderversion="1" techn_email="technik@example.com" '
    'timestamp="2024-05-01T10:00:00+02:00"/>'
)
PICTURE = (
    '<anhaenge><anhang location="EXTERN" gruppe="TITELBILD"><anhangtitel>Ansicht</anhangtitel>'
    "<format>JPG</format><daten><pfad>bild1.jpg</pfad></daten></anhang></anhaenge>"
)


def immobilie(
    nr: str = "1001",
    *,
    vermarktungsart: str | None = '<vermarktungsart KAUF="true" MIETE_PACHT="false"/>',
    objektart: str | None = '<objektart><wohnung wohnungtyp="ETAGE"/></objektart>',
    plz: str | None = "55116",
    ort: str | None = "Mainz",
    geo: str | None = None,
    preise: str | None = "<kaufpreis>249000.00</kaufpreis>",
    titel: str | None = "Helle Wohnung am Rhein",
    freitexte: str = "",
    anhaenge: str = PICTURE,
    aktion: str | None = None,
    verwaltung_techn: str | None = None,
    extra: str = "",
) -> str:
    """One ``<immobilie>``; ``None`` leaves a part out, strings replace it verbatim."""
    kategorie = "".join(
        part
        for part in ('<nutzungsart WOHNEN="true" GEWERBE="false"/>', vermarktungsart, objektart)
        if part
    )
    if geo is None:
        geo = "".join(
            f"<{name}>{value}</{name}>" for name, value in (("plz", plz), ("ort", ort)) if value
        )
    texte = (f"<objekttitel>{titel}</objekttitel>" if titel is not None else "") + freitexte
    if verwaltung_techn is None:
        action = f'<aktion aktionart="{aktion}"/>' if aktion else ""
        verwaltung_techn = (
            f"<objektnr_intern>{nr}</objektnr_intern><objektnr_extern>W-{nr}</objektnr_extern>"
            f"{action}<openimmo_obid>ANID_{nr}</openimmo_obid>"
        )
    return (
        f"<immobilie>\n<objektkategorie>{kategorie}</objektkategorie>\n<geo>{geo}</geo>\n"
        + (f"<preise>{preise}</preise>\n" if preise is not None else "")
        + f"<freitexte>{texte}</freitexte>\n{anhaenge}\n"
        + f"<verwaltung_techn>{verwaltung_techn}</verwaltung_techn>\n{extra}</immobilie>"
    )


def anbieter(*properties: str, anid: str = "ANID-1", firma: str = "Müller Immobilien") -> str:
    inner = "\n".join(properties)
    return (
        f"<anbieter>\n<anbieternr>K-1</anbieternr>\n<firma>{firma}</firma>\n"
        f"<openimmo_anid>{anid}</openimmo_anid>\n{inner}\n</anbieter>"
    )


def document(
    *blocks: str,
    header: str | None = HEADER,
    declaration: str | None = DECLARATION,
    root: str = "<openimmo>",
    end: str = "</openimmo>",
) -> str:
    """A whole file: declaration, root, header and the given ``<anbieter>`` blocks."""
    parts = [declaration, root, header, *blocks, end]
    return "\n".join(part for part in parts if part is not None)


def transfer(*properties: str, **kwargs) -> str:
    """A file with one ``<anbieter>`` holding ``properties`` (default: one valid property)."""
    return document(anbieter(*(properties or (immobilie(),))), **kwargs)


def read(source: str | bytes, **kwargs) -> tuple[Transfer, list[PropertyRecord]]:
    """Read a document (``str`` is encoded as UTF-8) and all its records."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    result = read_transfer(data, **kwargs)
    return result, list(result.records())


def codes(problems) -> list[str]:
    return [problem.code for problem in problems]


def only(problems, code: str):
    """The single problem with ``code`` (fails if there is none or more than one)."""
    found = [problem for problem in problems if problem.code == code]
    assert len(found) == 1, f"expected one {code!r} in {[str(p) for p in problems]}"
    return found[0]


def line_of(text: str, needle: str, start: int = 0) -> int:
    """The 1-based line on which ``needle`` first occurs in ``text`` (after ``start``)."""
    index = text.index(needle, start)
    return text.count("\n", 0, index) + 1
