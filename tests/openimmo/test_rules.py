"""The project's own rules (``rules.py``): what makes a listing usable, in a broker's words.

Each rule: its code, the line it names, and an English sentence that names the element path.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from .build import codes, immobilie, line_of, only, read, transfer


def assert_sentence(message: str, *mentions: str) -> None:
    """A whole sentence a broker can read: capitalised, ends with a full stop, all filled in."""
    assert message[0].isupper() or message[0] == "<", message
    assert message.endswith("."), message
    assert not re.search(r"\{\w+\}", message), message
    for mention in mentions:
        assert mention in message, f"{mention!r} not in {message!r}"


def check(xml: str, code: str, *, strict: bool = False):
    _transfer, (record,) = read(xml, strict=strict)
    return record, only(record.problems, code)


# --- required fields -------------------------------------------------------------------------


def test_identity_missing():
    xml = transfer(immobilie(verwaltung_techn="<aktion/>"))
    record, problem = check(xml, "identity_missing")
    assert problem.severity == "error" and problem.line == line_of(xml, "<immobilie>")
    assert_sentence(problem.message, "object number", "verwaltung_techn/objektnr_intern")
    assert not record.ok


def test_vermarktungsart_missing_or_all_false():
    for kategorie in (None, '<vermarktungsart KAUF="false" MIETE_PACHT="0"/>'):
        xml = transfer(immobilie(vermarktungsart=kategorie))
        _record, problem = check(xml, "vermarktungsart_missing", strict=True)
        assert problem.severity == "error"
        expected = '<vermarktungsart KAUF="false"' if kategorie else "<objektkategorie>"
        assert problem.line == line_of(xml, expected)
        assert problem.path == "objektkategorie/vermarktungsart"
        assert_sentence(problem.message, "objektkategorie/vermarktungsart", "KAUF", "MIETE_PACHT")


def test_objektart_missing():
    xml = transfer(immobilie(objektart="<objektart/>"))
    _record, problem = check(xml, "objektart_missing")
    assert problem.line == line_of(xml, "<objektart/>")
    assert_sentence(problem.message, "objektkategorie/objektart", "<wohnung/>")


def test_title_missing():
    xml = transfer(immobilie(titel=None))
    _record, problem = check(xml, "title_missing")
    assert problem.line == line_of(xml, "<freitexte>")
    assert_sentence(problem.message, "title", "freitexte/objekttitel")


def test_empty_title_counts_as_missing():
    xml = transfer(immobilie(titel="   "))
    _record, problem = check(xml, "title_missing")
    assert problem.line == line_of(xml, "<objekttitel>")


@pytest.mark.parametrize(
    "missing,code,path,word",
    [("plz", "plz_missing", "geo/plz", "postcode"), ("ort", "ort_missing", "geo/ort", "city")],
)
def test_address_missing(missing, code, path, word):
    xml = transfer(immobilie(**{missing: None}))
    _record, problem = check(xml, code)
    assert problem.line == line_of(xml, "<geo>") and problem.path == path
    assert_sentence(problem.message, word, path)


def test_missing_parent_element_names_the_property_line():
    xml = transfer(immobilie(plz=None, ort=None).replace("<geo></geo>", ""))
    _transfer, (record,) = read(xml)
    assert only(record.problems, "plz_missing").line == record.line


# --- lenient mode: gaps are warnings with a fallback ----------------------------------------


@pytest.mark.parametrize(
    ("parts", "code", "mentions"),
    [
        ({"titel": None}, "title_missing", ("freitexte/objekttitel", "title")),
        ({"plz": None}, "plz_missing", ("geo/plz", "postcode")),
        ({"ort": None}, "ort_missing", ("geo/ort", "on request")),
        ({"objektart": "<objektart/>"}, "objektart_missing",
         ("objektkategorie/objektart", "property")),
        ({"vermarktungsart": None}, "vermarktungsart_inferred",
         ("objektkategorie/vermarktungsart", "KAUF")),
        ({"preise": None}, "kaufpreis_missing", ("preise/kaufpreis",)),
        ({"preise": "<kaufpreis>-5</kaufpreis>"}, "negative_value", ("preise/kaufpreis", "-5")),
    ],
)
def test_lenient_mode_imports_a_gap_with_a_warning_strict_mode_rejects_it(parts, code, mentions):
    xml = transfer(immobilie(**parts))
    record, problem = check(xml, code)
    assert record.ok and problem.severity == "warning"
    assert_sentence(problem.message, *mentions)
    strict, problem = check(xml, code.replace("_inferred", "_missing"), strict=True)
    assert not strict.ok and problem.severity == "error"


@pytest.mark.parametrize(
    ("preise", "expected"),
    [
        ("<kaufpreis>250000</kaufpreis>", "KAUF"),
        ('<kaufpreis auf_anfrage="true"/>', "KAUF"),
        ("<kaltmiete>650</kaltmiete>", "MIETE_PACHT"),
        ("<nettokaltmiete>600</nettokaltmiete>", "MIETE_PACHT"),
        ("<warmmiete>800</warmmiete>", "MIETE_PACHT"),
        ("<pacht>1200</pacht>", "MIETE_PACHT"),
        ("<kaufpreis>250000</kaufpreis><kaltmiete>650</kaltmiete>", None),
        ('<waehrung iso_waehrung="EUR"/>', None),
    ],
)
def test_a_missing_marketing_type_is_inferred_from_the_prices(preise, expected):
    xml = transfer(immobilie(vermarktungsart=None, preise=preise))
    _transfer, (record,) = read(xml)
    assert record.ok
    assert record.fields.get("vermarktungsart") == expected
    if expected:
        problem = only(record.problems, "vermarktungsart_inferred")
        assert problem.params["value"] == expected
        assert problem.line == line_of(xml, "<objektkategorie>")
    else:
        only(record.problems, "vermarktungsart_missing")
    # what was sent is kept as sent: no objektkategorie/vermarktungsart was made up
    assert "vermarktungsart" not in str(record.data)


def test_lenient_mode_leaves_a_negative_value_out_of_the_columns():
    xml = transfer(immobilie(extra="<flaechen><wohnflaeche>-80</wohnflaeche></flaechen>"))
    _transfer, (record,) = read(xml)
    assert record.ok and "wohnflaeche" not in record.fields
    assert "-80" in str(record.data)


def test_no_identity_is_rejected_in_lenient_mode_too():
    xml = transfer(immobilie(titel=None, verwaltung_techn="<aktion/>"))
    _transfer, (record,) = read(xml)
    assert codes(record.errors) == ["identity_missing"]


# --- prices ----------------------------------------------------------------------------------


def test_kaufpreis_missing():
    xml = transfer(immobilie(preise='<waehrung iso_waehrung="EUR"/>'))
    _record, problem = check(xml, "kaufpreis_missing", strict=True)
    assert problem.severity == "error" and problem.line == line_of(xml, "<preise>")
    assert problem.path == "preise/kaufpreis"
    assert_sentence(problem.message, "purchase price", "preise/kaufpreis", "KAUF", "auf_anfrage")


def test_kaufpreis_missing_without_preise_names_the_property():
    xml = transfer(immobilie(preise=None))
    record, problem = check(xml, "kaufpreis_missing")
    assert problem.line == record.line


def test_price_on_request_needs_no_price():
    xml = transfer(immobilie(preise='<kaufpreis auf_anfrage="true"/>'))
    _transfer, (record,) = read(xml)
    assert record.ok and record.fields["kaufpreis_auf_anfrage"] is True
    assert "kaufpreis" not in record.fields


def test_miete_missing():
    xml = transfer(
        immobilie(
            vermarktungsart='<vermarktungsart KAUF="false" MIETE_PACHT="true"/>',
            preise="<nebenkosten>120</nebenkosten>",
        )
    )
    _record, problem = check(xml, "miete_missing", strict=True)
    assert problem.severity == "error" and problem.line == line_of(xml, "<preise>")
    assert_sentence(problem.message, "rent", "preise/kaltmiete", "MIETE_PACHT")


@pytest.mark.parametrize("rent", ["kaltmiete", "warmmiete", "nettokaltmiete"])
def test_any_rent_will_do(rent):
    xml = transfer(
        immobilie(
            vermarktungsart='<vermarktungsart MIETE_PACHT="1"/>',
            preise=f"<{rent}>650.00</{rent}>",
        )
    )
    _transfer, (record,) = read(xml)
    assert record.ok and record.fields[rent] == Decimal("650.00")


def test_kauf_and_miete_both_need_their_price():
    xml = transfer(
        immobilie(
            vermarktungsart='<vermarktungsart KAUF="true" MIETE_PACHT="true"/>',
            preise="<kaufpreis>100000</kaufpreis>",
        )
    )
    _transfer, (record,) = read(xml, strict=True)
    assert codes(record.errors) == ["miete_missing"]


def test_reference_object_without_price_is_kept_with_a_warning():
    xml = transfer(immobilie(preise=None, aktion="REFERENZ"))
    record, problem = check(xml, "kaufpreis_missing")
    assert problem.severity == "warning" and record.ok


def test_negative_value():
    xml = transfer(immobilie(preise="<kaufpreis>-5</kaufpreis>"))
    _record, problem = check(xml, "negative_value", strict=True)
    assert problem.severity == "error" and problem.line == line_of(xml, "<kaufpreis>")
    assert problem.path == "preise/kaufpreis"
    assert_sentence(problem.message, "preise/kaufpreis", "-5", "negative")


# --- values the app shows ----------------------------------------------------------------------


def test_currency_invalid():
    xml = transfer(immobilie(preise='<kaufpreis>1</kaufpreis><waehrung iso_waehrung="Euro"/>'))
    record, problem = check(xml, "currency_invalid")
    assert problem.severity == "warning" and problem.line == line_of(xml, "<waehrung")
    assert_sentence(problem.message, "preise/waehrung", "“Euro”", "EUR")
    assert record.ok and "waehrung" not in record.fields


def test_country_invalid():
    geo = '<plz>55116</plz><ort>Mainz</ort><land iso_land="DE"/>'
    xml = transfer(immobilie(geo=geo))
    record, problem = check(xml, "country_invalid")
    assert problem.severity == "warning" and problem.line == line_of(xml, "<land")
    assert_sentence(problem.message, "geo/land", "“DE”", "DEU")
    assert "land" not in record.fields


def test_coordinates_out_of_range_are_dropped():
    geo = '<plz>55116</plz><ort>Mainz</ort><geokoordinaten breitengrad="95" laengengrad="8.2"/>'
    xml = transfer(immobilie(geo=geo))
    record, problem = check(xml, "geo_invalid")
    assert problem.line == line_of(xml, "<geokoordinaten")
    assert_sentence(problem.message, "geo/geokoordinaten", "breitengrad", "95")
    # one coordinate alone is no map position
    assert "breitengrad" not in record.fields and "laengengrad" not in record.fields


def test_wertklasse_invalid():
    extra = (
        "<zustand_angaben><energiepass><wertklasse>Z</wertklasse></energiepass></zustand_angaben>"
    )
    xml = transfer(immobilie(extra=extra))
    _record, problem = check(xml, "wertklasse_invalid")
    assert problem.severity == "warning" and problem.line == line_of(xml, "<wertklasse>")
    assert_sentence(problem.message, "“Z”", "zustand_angaben/energiepass/wertklasse", "A+")


def test_unknown_attachment_group():
    anhang = (
        '<anhaenge><anhang gruppe="TITELBILD"><daten><pfad>a.jpg</pfad></daten></anhang>'
        '<anhang gruppe="VIDEO360"><daten><pfad>b.mp4</pfad></daten></anhang></anhaenge>'
    )
    xml = transfer(immobilie(anhaenge=anhang))
    record, problem = check(xml, "gruppe_invalid")
    assert problem.severity == "warning" and problem.line == line_of(xml, 'gruppe="VIDEO360"')
    assert_sentence(problem.message, "“VIDEO360”", "TITELBILD")
    assert record.ok
    _record, strict = check(xml, "gruppe_invalid", strict=True)
    assert strict.severity == "error"


def test_no_images():
    xml = transfer(immobilie(anhaenge=""))
    record, problem = check(xml, "no_images")
    assert problem.severity == "warning" and problem.line == record.line
    assert_sentence(problem.message, "pictures", "anhaenge/anhang")
    assert record.ok


# --- what rules leave alone ----------------------------------------------------------------------


def test_delete_checks_identity_only():
    xml = transfer(immobilie(aktion="DELETE", titel=None, plz=None, ort=None, preise=None))
    _transfer, (record,) = read(xml)
    assert record.problems == []


# --- strict mode ---------------------------------------------------------------------------------


def test_valid_property_passes_strict_mode():
    _transfer, (record,) = read(transfer(), strict=True)
    assert record.problems == []


def test_element_order_is_an_error_in_strict_mode_and_one_warning_in_lenient_mode():
    extra = (
        "<flaechen><wohnflaeche>80</wohnflaeche></flaechen>"
        "<kontaktperson><vorname>Erika</vorname><name>Muster</name></kontaktperson>"
    )
    xml = transfer(immobilie(extra=extra))
    _transfer, (lenient,) = read(xml)
    assert lenient.ok
    [warned] = lenient.problems
    assert (warned.code, warned.severity) == ("element_order", "warning")
    assert warned.line == line_of(xml, "<flaechen>") and warned.params["count"] >= 2
    assert_sentence(warned.message, "<flaechen>", "<verwaltung_techn>", "read all the same")
    xml = transfer(immobilie(extra="<flaechen><wohnflaeche>80</wohnflaeche></flaechen>"))
    _record, problem = check(xml, "element_order", strict=True)
    assert problem.severity == "error" and problem.line == line_of(xml, "<flaechen>")
    assert_sentence(problem.message, "<flaechen>", "<verwaltung_techn>", "<immobilie>")


def test_unknown_element_is_an_error_in_strict_mode():
    xml = transfer(immobilie(extra="<besonderheiten>Pool</besonderheiten>"))
    _record, problem = check(xml, "element_unknown", strict=True)
    assert problem.line == line_of(xml, "<besonderheiten>")
    assert_sentence(problem.message, "<besonderheiten>", "<immobilie>")


def test_unknown_objektart_is_an_error_in_strict_mode():
    xml = transfer(immobilie(objektart="<objektart><hausboot/></objektart>"))
    _transfer, (lenient,) = read(xml)
    assert lenient.ok and "objektart_invalid" in codes(lenient.warnings)
    assert "objektart_missing" not in codes(lenient.problems)  # said once, precisely
    _record, problem = check(xml, "objektart_invalid", strict=True)
    assert problem.line == line_of(xml, "<hausboot/>")
    assert_sentence(problem.message, "<hausboot>", "objektkategorie/objektart")


def test_objektart_zusatz_is_allowed_next_to_the_kind():
    xml = transfer(
        immobilie(
            objektart='<objektart><wohnung wohnungtyp="ETAGE"/>'
            "<objektart_zusatz>Penthouse</objektart_zusatz></objektart>"
        )
    )
    _transfer, (record,) = read(xml, strict=True)
    assert "objektart_invalid" not in codes(record.problems)


# --- all messages ------------------------------------------------------------------------


def test_every_rule_message_is_a_sentence():
    bad = immobilie(
        verwaltung_techn="",
        vermarktungsart='<vermarktungsart KAUF="1" MIETE_PACHT="1"/>',
        objektart="<objektart><hausboot/></objektart>",
        titel=None,
        geo='<land iso_land="X"/><geokoordinaten breitengrad="-91" laengengrad="181"/>',
        preise='<nebenkosten>-1</nebenkosten><kaltmiete>-2</kaltmiete><waehrung iso_waehrung="e"/>',
        anhaenge='<anhang gruppe="X"><daten><pfad>x</pfad></daten></anhang>',
        extra="<foo/><zustand_angaben><energiepass><wertklasse>Q</wertklasse></energiepass>"
        "</zustand_angaben>",
    )
    _transfer, (record,) = read(transfer(bad), strict=True)
    assert len(set(codes(record.problems))) >= 13
    for problem in record.problems:
        assert_sentence(problem.message)
        assert problem.line is not None
