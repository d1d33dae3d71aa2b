"""Hand-made files, one per quirk that real exporters send (see shared/openimmo/NOTES.md)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from lxml import etree

from wagtail_openimmo.openimmo import TransferRefused
from wagtail_openimmo.openimmo.tree import data_to_element, find

from .build import (
    DECLARATION,
    HEADER,
    anbieter,
    codes,
    document,
    immobilie,
    line_of,
    only,
    read,
    transfer,
)

UMLAUT_TITLE = "Schöne Maisonette in Köln-Süd, Größe 120 m²"


def test_a_valid_property_has_no_problem():
    result, (record,) = read(transfer())
    assert result.problems == [] and record.problems == []
    assert record.fields["objekttitel"] == "Helle Wohnung am Rhein"
    assert record.anbieter.openimmo_anid == "ANID-1"


# --- namespaces and versions -------------------------------------------------------------


@pytest.mark.parametrize("prefixed", [False, True], ids=["default-namespace", "imo-prefix"])
def test_namespaced_root(prefixed):
    xml = transfer(immobilie("7"))
    if prefixed:  # every element prefixed, as such exporters do
        body = xml[xml.index("<openimmo>") :]
        xml = xml.replace(body, re.sub(r"<(/?)(\w+)", r"<\1imo:\2", body))
        xml = xml.replace("<imo:openimmo>", '<imo:openimmo xmlns:imo="http://www.openimmo.de">')
    else:
        xml = xml.replace("<openimmo>", '<openimmo xmlns="http://www.openimmo.de">')
    result, (record,) = read(xml)
    assert result.namespace == "http://www.openimmo.de"
    assert codes(result.problems) == ["namespace"]
    assert only(result.problems, "namespace").line == 2
    assert result.uebertragung.umfang == "VOLL"
    assert result.anbieter[0].openimmo_anid == "ANID-1"
    assert record.ok and record.fields["objektnr_intern"] == "7"
    assert record.fields["kaufpreis"] == Decimal("249000.00")
    assert record.data["tag"] == "immobilie"
    assert "{" not in etree.tostring(data_to_element(record.data)).decode()


@pytest.mark.parametrize("version", ["1.2.4", "1.2.5", "1.2.6", "1.2.0"])
def test_older_versions_are_read_with_a_warning(version):
    result, (record,) = read(transfer(header=HEADER.replace("1.2.7b", version)))
    problem = only(result.problems, "old_version")
    assert problem.severity == "warning" and version in problem.message
    assert problem.line == 3
    assert record.ok


@pytest.mark.parametrize("version", ["1.2.7", "1.2.7b", "1.2.7B", "1.2.7c"])
def test_current_versions_need_no_warning(version):
    result, _records = read(transfer(header=HEADER.replace("1.2.7b", version)))
    assert result.problems == []


def test_unknown_version_is_read_as_current():
    result, (record,) = read(transfer(header=HEADER.replace("1.2.7b", "2.0")))
    assert "“2.0”" in only(result.problems, "unknown_version").message
    assert record.ok


# --- encodings ---------------------------------------------------------------------------


def _latin1_file(declaration: str | None) -> str:
    return transfer(immobilie(titel=UMLAUT_TITLE, ort="Köln"), declaration=declaration)


def test_iso_8859_1_with_declaration():
    xml = _latin1_file('<?xml version="1.0" encoding="ISO-8859-1"?>').encode("iso-8859-1")
    result, (record,) = read(xml)
    assert result.problems == []
    assert record.fields["objekttitel"] == UMLAUT_TITLE
    assert result.anbieter[0].firma == "Müller Immobilien"


def test_iso_8859_1_without_declaration_is_detected():
    xml = _latin1_file(None).encode("iso-8859-1")
    result, (record,) = read(xml)
    problem = only(result.problems, "encoding_guessed")
    assert problem.severity == "warning" and problem.line == 1
    assert "ISO-8859-1" in problem.message and "declare" in problem.message
    assert record.fields["objekttitel"] == UMLAUT_TITLE
    assert record.fields["ort"] == "Köln"
    assert result.anbieter[0].firma == "Müller Immobilien"


def test_windows_1252_without_declaration_keeps_the_euro_sign():
    xml = transfer(immobilie(titel="Provision 3 € netto")).replace(DECLARATION + "\n", "")
    result, (record,) = read(xml.encode("cp1252"))
    assert codes(result.problems) == ["encoding_guessed"]
    assert record.fields["objekttitel"] == "Provision 3 € netto"


def test_windows_1252_declared_as_iso_8859_1_keeps_the_euro_sign():
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    xml = transfer(immobilie(titel="Provision 3 € netto, Größe 80 m²"), declaration=declaration)
    result, (record,) = read(xml.encode("cp1252"))
    assert result.problems == []  # what every browser does with this label
    assert record.fields["objekttitel"] == "Provision 3 € netto, Größe 80 m²"


def test_byte_windows_1252_lacks_is_read_as_iso_8859_1():
    xml = transfer(immobilie(titel="Zimmer\x81 Köln")).replace(DECLARATION + "\n", "")
    result, (record,) = read(xml.encode("iso-8859-1"))
    assert codes(result.problems) == ["encoding_guessed"]
    assert record.fields["objekttitel"] == "Zimmer\x81 Köln"  # nothing lost


def test_us_ascii_declaration_with_other_bytes():
    declaration = '<?xml version="1.0" encoding="US-ASCII"?>'
    result, (record,) = read(_latin1_file(declaration).encode("iso-8859-1"))
    assert "declares US-ASCII" in only(result.problems, "encoding_guessed").message
    assert record.fields["objekttitel"] == UMLAUT_TITLE
    result, (record,) = read(_latin1_file(declaration).encode("utf-8"))
    assert "US-ASCII" in only(result.problems, "encoding_mismatch").message
    assert record.fields["objekttitel"] == UMLAUT_TITLE


def test_latin1_bytes_declared_as_utf8():
    xml = _latin1_file(DECLARATION).encode("iso-8859-1")
    result, (record,) = read(xml)
    assert "declares UTF-8" in only(result.problems, "encoding_guessed").message
    assert record.fields["objekttitel"] == UMLAUT_TITLE


def test_utf8_declared_as_iso_8859_1_is_read_as_utf8():
    xml = _latin1_file('<?xml version="1.0" encoding="ISO-8859-1"?>').encode("utf-8")
    result, (record,) = read(xml)
    problem = only(result.problems, "encoding_mismatch")
    assert problem.severity == "warning" and problem.line == 1
    assert "ISO-8859-1" in problem.message
    assert record.fields["objekttitel"] == UMLAUT_TITLE
    assert "Ã" not in record.fields["objekttitel"] + record.fields["ort"]


def test_ascii_only_file_declared_as_iso_8859_1_needs_no_warning():
    xml = transfer(declaration='<?xml version="1.0" encoding="ISO-8859-1"?>')
    result, _records = read(xml.replace("Müller", "Mueller").encode("ascii"))
    assert result.problems == []


def test_utf8_bom():
    xml = b"\xef\xbb\xbf" + _latin1_file(DECLARATION).encode("utf-8")
    result, (record,) = read(xml)
    assert codes(result.problems) == ["byte_order_mark"]
    assert "UTF-8" in result.problems[0].message
    assert record.fields["objekttitel"] == UMLAUT_TITLE
    assert record.line == line_of(_latin1_file(DECLARATION), "<immobilie>")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(codec):
    xml = _latin1_file('<?xml version="1.0" encoding="UTF-16"?>').encode(codec)
    result, (record,) = read(xml)
    assert codes(result.problems) == (["byte_order_mark"] if codec == "utf-16" else [])
    assert record.fields["objekttitel"] == UMLAUT_TITLE


def test_crlf_line_ends_keep_line_numbers():
    xml = transfer(immobilie(preise="<kaufpreis>abc</kaufpreis>"))
    crlf = (
        xml.replace("\n", "\r\n")
        .encode("iso-8859-1")
        .replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    )
    result, (record,) = read(crlf)
    assert result.problems == []
    assert record.line == line_of(xml, "<immobilie>")
    assert only(record.problems, "value_interpreted").line == line_of(xml, "<preise>")
    assert only(record.problems, "kaufpreis_missing").line == line_of(xml, "<preise>")
    assert record.fields["objekttitel"] == "Helle Wohnung am Rhein"  # no stray \r


# --- lossless extensions and free texts ----------------------------------------------------

EXTENSIONS = (
    '<user_defined_simplefield feldname="provision_intern">2,5</user_defined_simplefield>'
    '<user_defined_anyfield><crm><id typ="x">42</id><note>Schlüssel beim Hausmeister'
    "</note></crm></user_defined_anyfield>"
    "<user_defined_extend><feld><name>energie</name><wert>A+</wert><typ>text</typ></feld>"
    "</user_defined_extend>"
)


def _canonical(element) -> bytes:
    for node in element.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return etree.tostring(element, method="c14n")


def test_user_defined_extensions_are_kept_losslessly():
    xml = transfer(immobilie(extra=EXTENSIONS))
    _result, (record,) = read(xml)
    assert record.ok
    original = etree.fromstring(xml.encode()).find("anbieter/immobilie")
    assert _canonical(data_to_element(record.data)) == _canonical(original)
    anyfield = find(record.data, "user_defined_anyfield/crm/id")
    assert anyfield == {"tag": "id", "attrs": {"typ": "x"}, "text": "42"}
    assert find(record.data, "user_defined_extend/feld/wert")["text"] == "A+"


def test_cdata_and_html_in_free_texts():
    freitexte = (
        "<dreizeiler><![CDATA[Balkon & Garten<br>ruhige Lage]]></dreizeiler>"
        "<objektbeschreibung>Erste Zeile<br/>Zweite <b>fett</b> Zeile<br />Dritte"
        "</objektbeschreibung>"
    )
    xml = transfer(immobilie(freitexte=freitexte))
    _result, (record,) = read(xml)
    assert record.ok
    assert record.fields["dreizeiler"] == "Balkon & Garten<br>ruhige Lage"
    assert record.fields["objektbeschreibung"] == "Erste Zeile\nZweite fett Zeile\nDritte"
    stored = find(record.data, "freitexte/objektbeschreibung")
    assert stored["text"] == "Erste Zeile"
    assert [(c["tag"], c.get("tail")) for c in stored["children"]] == [
        ("br", "Zweite "),
        ("b", " Zeile"),
        ("br", "Dritte"),
    ]


def test_unclosed_br_markup_is_not_xml_and_names_the_line():
    xml = transfer(immobilie(freitexte="<lage>Zentral<br>ruhig</lage>"))
    with pytest.raises(TransferRefused) as refused:
        read(xml)
    problem = refused.value.problem
    assert problem.code == "xml_syntax"
    assert problem.line == line_of(xml, "<lage>")
    assert "\n" not in problem.message


# --- booleans, decimals, timestamps in files -----------------------------------------------


def test_booleans_in_all_spellings():
    extra = (
        "<verwaltung_objekt><objektadresse_freigeben>ja</objektadresse_freigeben>"
        "</verwaltung_objekt>"
    )
    preise = (
        "<kaufpreis>100000</kaufpreis><heizkosten_enthalten>1</heizkosten_enthalten>"
        "<provisionspflichtig>false</provisionspflichtig>"
    )
    xml = transfer(
        immobilie(
            vermarktungsart='<vermarktungsart KAUF="1" MIETE_PACHT="0"/>',
            preise=preise,
            anhaenge="",
            extra=extra,
        )
    )
    _result, (record,) = read(xml)
    f = record.fields
    assert f["vermarktungsart"] == "KAUF"
    assert f["heizkosten_enthalten"] is True and f["provisionspflichtig"] is False
    assert f["objektadresse_freigeben"] is True
    problem = only(record.problems, "value_interpreted")
    assert problem.line == line_of(xml, "<objektadresse_freigeben>")
    assert "“ja”" in problem.message and "true" in problem.message


def test_lenient_vermarktungsart_flag_is_checked_by_the_rules():
    xml = transfer(immobilie(vermarktungsart='<vermarktungsart KAUF="ja"/>', preise=None))
    _result, (record,) = read(xml)
    assert record.fields["vermarktungsart"] == "KAUF"
    assert "kaufpreis_missing" in codes(record.warnings)  # lenient: imported, price on request
    _result, (record,) = read(xml, strict=True)
    assert "kaufpreis_missing" in codes(record.errors)


def test_decimal_comma_and_german_thousands():
    preise = "<kaufpreis>1.234,56</kaufpreis><nebenkosten>5,95</nebenkosten>"
    xml = transfer(immobilie(preise=preise))
    _result, (record,) = read(xml)
    assert record.fields["kaufpreis"] == Decimal("1234.56")
    assert record.fields["nebenkosten"] == Decimal("5.95")
    notes = [p for p in record.problems if p.code == "value_interpreted"]
    assert [p.path for p in notes] == ["preise/kaufpreis", "preise/nebenkosten"]
    assert all(p.line == line_of(xml, "<preise>") for p in notes)
    assert "1234.56" in notes[0].message and "5.95" in notes[1].message


@pytest.mark.parametrize(
    "raw,expected,warns",
    [
        (
            "2020-08-07T11:56:39.1242974+02:00",
            dt.datetime(2020, 8, 7, 11, 56, 39, 124297, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            ["fraction digits"],
        ),
        ("2020-08-07T11:56:39", dt.datetime(2020, 8, 7, 11, 56, 39), ["no time zone"]),
        (
            "2020-08-07T11:56:39.1234567",
            dt.datetime(2020, 8, 7, 11, 56, 39, 123456),
            ["fraction digits", "no time zone"],
        ),
        ("2020-08-07T11:56:39Z", dt.datetime(2020, 8, 7, 11, 56, 39, tzinfo=dt.UTC), []),
    ],
)
def test_header_timestamps(raw, expected, warns):
    result, _records = read(transfer(header=HEADER.replace("2024-05-01T10:00:00+02:00", raw)))
    assert result.uebertragung.timestamp == expected
    found = [p for p in result.problems if p.code == "timestamp"]
    assert len(found) == len(warns)
    for problem, words in zip(found, warns, strict=True):
        assert words in problem.message and raw in problem.message and problem.line == 3


def test_unreadable_timestamp_is_ignored_with_a_warning():
    result, _records = read(transfer(header=HEADER.replace("2024-05-01T10:00:00+02:00", "gestern")))
    assert result.uebertragung.timestamp is None
    assert "“gestern” is not a timestamp" in only(result.problems, "timestamp").message


# --- header --------------------------------------------------------------------------------


def test_umfang_missing_invalid_and_lowercase():
    result, _ = read(transfer(header=HEADER.replace(' umfang="VOLL"', "")))
    assert result.umfang == "TEIL" and not result.uebertragung.umfang_sent
    assert only(result.problems, "umfang_missing").severity == "warning"
    result, _ = read(transfer(header=HEADER.replace('umfang="VOLL"', 'umfang="ALLES"')))
    assert result.umfang == "TEIL"
    assert only(result.problems, "umfang_invalid").severity == "error"
    result, _ = read(transfer(header=HEADER.replace('umfang="VOLL"', 'umfang="voll"')))
    assert result.umfang == "VOLL" and result.problems == []


def test_no_uebertragung():
    result, (record,) = read(transfer(header=None))
    assert result.umfang == "TEIL"
    assert only(result.problems, "no_uebertragung").line == 2
    assert record.ok


# --- brokers -------------------------------------------------------------------------------


def test_several_anbieter_each_property_attributed_to_its_own():
    xml = document(
        anbieter(immobilie("a1"), immobilie("a2"), anid="ANID-A", firma="A GmbH"),
        anbieter(anid="ANID-B", firma="B GmbH"),  # no properties: under VOLL, withdraw all
        anbieter(immobilie("c1"), anid="ANID-C", firma="C KG"),
    )
    result, records = read(xml)
    assert [(a.openimmo_anid, a.property_count) for a in result.anbieter] == [
        ("ANID-A", 2),
        ("ANID-B", 0),
        ("ANID-C", 1),
    ]
    assert [(r.fields["objektnr_intern"], r.anbieter.openimmo_anid) for r in records] == [
        ("a1", "ANID-A"),
        ("a2", "ANID-A"),
        ("c1", "ANID-C"),
    ]
    problem = only(result.problems, "several_anbieter")
    assert problem.line == line_of(xml, "<anbieter>", xml.index("ANID-A"))
    assert "3" in problem.message


def test_anbieter_identifiers_after_the_properties():
    block = (
        "<anbieter>\n" + immobilie("1") + "\n" + immobilie("2") + "\n"
        "<anbieternr>K-77</anbieternr><firma>Spät GmbH</firma>"
        "<openimmo_anid>LATE-ANID</openimmo_anid>\n</anbieter>"
    )
    result, records = read(document(block))
    assert (result.anbieter[0].anbieternr, result.anbieter[0].openimmo_anid) == (
        "K-77",
        "LATE-ANID",
    )
    assert [r.anbieter.openimmo_anid for r in records] == ["LATE-ANID", "LATE-ANID"]
    assert [r.anbieter.firma for r in records] == ["Spät GmbH", "Spät GmbH"]


def test_properties_outside_anbieter():
    xml = document(immobilie("x"))
    result, (record,) = read(xml)
    assert record.anbieter.implicit and record.anbieter.property_count == 1
    problem = only(result.problems, "no_anbieter")
    assert problem.line == line_of(xml, "<immobilie>") and "1" in problem.message
    assert record.ok


# --- attachments ---------------------------------------------------------------------------


def test_anhang_directly_under_immobilie_keeps_broker_order():
    loose = (
        '<anhang location="EXTERN" gruppe="GRUNDRISS"><daten><pfad>plan.pdf</pfad></daten></anhang>'
    )
    inline = (
        '<anhang location="INTERN" gruppe="BILD"><format>png</format><daten>'
        "<anhanginhalt>aGVsbG8=</anhanginhalt></daten></anhang>"
    )
    remote = (
        '<anhang location="REMOTE" gruppe="bild"><daten><pfad>https://img.example.com/a.jpg'
        "</pfad></daten></anhang>"
    )
    xml = transfer(immobilie(anhaenge=f"<anhaenge>{inline}</anhaenge>{loose}{remote}"))
    _result, (record,) = read(xml)
    assert [(a.gruppe, a.source, a.name) for a in record.attachments] == [
        ("BILD", "inline", ""),
        ("GRUNDRISS", "file", "plan.pdf"),
        ("BILD", "url", "a.jpg"),
    ]
    assert record.attachments[0].content == b"hello"
    assert record.attachments[1].line == line_of(xml, "plan.pdf")


# --- actions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,aktion,code",
    [
        ("CHANGE", "CHANGE", None),
        ("DELETE", "DELETE", None),
        ("REFERENZ", "REFERENZ", None),
        ("change", "CHANGE", "aktion_case"),
        ("delete", "DELETE", "aktion_case"),
        ("Referenz", "REFERENZ", "aktion_case"),
        ("NEW", "CHANGE", "aktion_new"),
        ("new", "CHANGE", "aktion_new"),
    ],
)
def test_aktionart_spellings(raw, aktion, code):
    xml = transfer(immobilie(aktion=raw))
    _result, (record,) = read(xml)
    assert record.aktion == aktion
    assert codes(record.problems) == ([code] if code else [])
    if code:
        problem = record.problems[0]
        assert problem.severity == "warning"
        assert problem.line == line_of(xml, "<aktion ")
        assert problem.path == "verwaltung_techn/aktion"


def test_unknown_aktionart_is_an_error():
    xml = transfer(immobilie(aktion="UPSERT"))
    _result, (record,) = read(xml)
    problem = only(record.errors, "aktion_invalid")
    assert problem.line == line_of(xml, "<aktion ")
    assert "“UPSERT”" in problem.message and "CHANGE, DELETE and REFERENZ" in problem.message
    assert not record.ok


def test_delete_skeleton_is_not_checked_for_completeness():
    skeleton = (
        "<immobilie><verwaltung_techn><objektnr_intern>9</objektnr_intern>"
        '<aktion aktionart="DELETE"/></verwaltung_techn></immobilie>'
    )
    _result, (record,) = read(transfer(skeleton))
    assert record.aktion == "DELETE" and record.problems == []
    assert record.identity_keys() == [("objektnr_intern", "9")]


def test_delete_without_any_object_number_is_an_error():
    skeleton = (
        '<immobilie><verwaltung_techn><aktion aktionart="DELETE"/></verwaltung_techn></immobilie>'
    )
    _result, (record,) = read(transfer(skeleton))
    assert codes(record.problems) == ["identity_missing"]


def test_change_then_delete_in_document_order():
    xml = transfer(immobilie("5", aktion="CHANGE"), immobilie("5", aktion="DELETE"))
    _result, records = read(xml)
    assert [(r.position, r.aktion) for r in records] == [(0, "CHANGE"), (1, "DELETE")]


# --- tolerance --------------------------------------------------------------------------------


def test_elements_out_of_order_and_empty_typed_elements_are_tolerated():
    kontakt = "<kontaktperson><vorname>Erika</vorname><name>Muster</name></kontaktperson>"
    flaechen = "<flaechen><wohnflaeche/><hallenhoehe/><anzahl_zimmer>3</anzahl_zimmer></flaechen>"
    xml = transfer(immobilie(extra=flaechen + kontakt))
    _result, (record,) = read(xml)
    # read all the same; the order is only a warning that tells the broker what to fix
    assert record.ok and record.problems
    assert {(p.code, p.severity) for p in record.problems} == {("element_order", "warning")}
    assert "wohnflaeche" not in record.fields and record.fields["anzahl_zimmer"] == 3
    assert (record.fields["kontakt_vorname"], record.fields["kontakt_name"]) == ("Erika", "Muster")


def test_one_bad_property_does_not_sink_the_others():
    bad = immobilie("2", titel=None, plz=None, preise="<kaufpreis>-5</kaufpreis>")
    _result, records = read(transfer(immobilie("1"), bad, immobilie("3")), strict=True)
    assert [r.ok for r in records] == [True, False, True]
    assert set(codes(records[1].errors)) == {"title_missing", "plz_missing", "negative_value"}
    # lenient: the same gaps are warnings, and the negative price is left out
    _result, records = read(transfer(immobilie("1"), bad, immobilie("3")))
    assert [r.ok for r in records] == [True, True, True]
    assert {"title_missing", "plz_missing", "negative_value"} <= set(codes(records[1].warnings))
    assert "kaufpreis" not in records[1].fields


def test_records_can_be_read_twice():
    result, first = read(transfer(immobilie("1"), immobilie("2")))
    again = list(result.records())
    assert [r.fields for r in again] == [r.fields for r in first]
