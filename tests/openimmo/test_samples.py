"""The reader over every public sample in ../shared/openimmo/samples.

Apache/MIT samples are copied into tests/fixtures/openimmo; GPL samples are read in place and
their tests skip when ../shared is absent. ZIP handling belongs to the importer, so the ZIP
samples' XML members are taken out with ``zipfile`` here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from wagtail_openimmo.openimmo import TransferRefused, read_transfer
from wagtail_openimmo.openimmo.tree import find

from .build import anbieter, codes, document, immobilie, line_of, only, read
from .samples import fixture, shared_sample, zip_member

INCOMPLETE = {
    "identity_missing",
    "vermarktungsart_missing",
    "objektart_missing",
    "title_missing",
    "plz_missing",
    "ort_missing",
}


def load(path):
    transfer = read_transfer(path)
    return transfer, list(transfer.records()), path.read_text(encoding="utf-8")


def problem_lines(records, code):
    return [only(r.problems, code).line for r in records]


# --- OpenEstate-IO (Apache-2.0): one file per OpenImmo version -------------------------------


def test_openestate_125_downgrade_four_anbieter():
    transfer, records, text = load(fixture("OpenEstate-IO__openimmo-1-2-5-downgrade.xml"))
    header = transfer.uebertragung
    assert (header.version, header.umfang, header.umfang_sent) == ("1.2.5", "TEIL", False)
    assert [a.firma for a in transfer.anbieter] == [
        "first agency",
        "second agency",
        "third agency",
        "fourth agency",
    ]
    assert [a.property_count for a in transfer.anbieter] == [2, 2, 3, 1]
    assert all(a.openimmo_anid is None for a in transfer.anbieter)  # sent empty
    assert codes(transfer.problems) == ["umfang_missing", "old_version", "several_anbieter"]
    assert only(transfer.problems, "umfang_missing").line == line_of(text, "<uebertragung")
    assert only(transfer.problems, "several_anbieter").line == line_of(
        text, "<anbieter>", text.index("second agency") - 40
    )

    assert len(records) == transfer.property_count == 8
    assert [r.anbieter.firma for r in records] == [
        *["first agency"] * 2,
        *["second agency"] * 2,
        *["third agency"] * 3,
        "fourth agency",
    ]
    starts = [i for i, line in enumerate(text.splitlines(), 1) if "<immobilie>" in line]
    assert [r.line for r in records] == starts
    assert [(r.fields.get("objektart"), r.fields.get("objektart_typ")) for r in records[:4]] == [
        ("haus", "FERTIGHAUS"),
        ("haus", "KEINE_ANGABE"),
        ("wohnung", "ATTIKAWOHNUNG"),
        ("wohnung", "KEINE_ANGABE"),
    ]
    assert [r.fields.get("zustand") for r in records[4:7]] == [
        "TEIL_SANIERT",
        "VOLL_SANIERT",
        "SANIERUNGSBEDUERFTIG",
    ]
    epass = records[6].fields
    assert (epass["epass_epart"], epass["epass_endenergiebedarf"]) == ("BEDARF", Decimal("123"))
    assert epass["epass_gueltig_bis"] == "03-2018"
    contact = records[7].fields
    assert (contact["kontakt_vorname"], contact["kontakt_name"]) == ("Homer", "Simpson")
    assert contact["kontakt_email"] == "test@test.de"
    assert contact["kontakt_telefon"] == "030/123456"
    assert contact["sprache"] == "DE"
    # what has no column is still in the stored record
    assert find(records[4].data, "versteigerung/verkehrswert")["text"] == "987.65"
    assert find(records[7].data, "verwaltung_techn/master")["attrs"] == {"visible": "true"}
    # the samples are deliberately incomplete: every property names what it lacks, at its line
    for record in records:
        assert not record.ok
        assert set(codes(record.errors)) <= INCOMPLETE
        assert only(record.problems, "identity_missing").line == record.line


def test_openestate_125_upgrade_energy_values_as_elements_and_user_fields():
    transfer, records, text = load(fixture("OpenEstate-IO__openimmo-1-2-5-upgrade.xml"))
    assert transfer.uebertragung.version == "1.2.4"
    assert codes(transfer.problems) == ["umfang_missing", "old_version"]
    assert "1.2.4" in only(transfer.problems, "old_version").message
    assert len(records) == 2 and {r.anbieter.firma for r in records} == {"first agency"}
    first, second = records
    assert first.fields["epass_epart"] == "BEDARF"
    assert first.fields["epass_endenergiebedarf"] == Decimal("123")
    # Austrian HWB/fGEE values have no column: kept losslessly, nothing invented
    assert not any(name.startswith("epass_") for name in second.fields)
    kept = [
        (c["attrs"]["feldname"], c["text"])
        for c in find(second.data, "zustand_angaben")["children"]
    ]
    assert kept == [
        ("epass_hwbwert", "345"),
        ("epass_hwbklasse", "D"),
        ("epass_fgeewert", "456"),
        ("epass_fgeeklasse", "E"),
    ]
    assert "epass_user_defined" not in codes(first.problems + second.problems)


def test_openestate_126_downgrade_net_gross_prices_and_price_on_request():
    transfer, records, text = load(fixture("OpenEstate-IO__openimmo-1-2-6-downgrade.xml"))
    assert transfer.uebertragung.version == "1.2.6"
    assert codes(transfer.problems) == ["umfang_missing", "old_version", "several_anbieter"]
    assert [a.property_count for a in transfer.anbieter] == [2, 2]
    assert [r.anbieter.index for r in records] == [0, 0, 1, 1]
    assert "kaufpreis" not in records[0].fields  # only the 1.2.6 net/gross family was sent
    assert find(records[0].data, "preise/kaufpreisnetto") == {
        "tag": "kaufpreisnetto",
        "attrs": {"kaufpreisust": "123"},
        "text": "456",
    }
    assert records[1].fields["objektart_typ"] == "BUEROFLAECHE"
    on_request, priced = records[2].fields, records[3].fields
    assert (on_request["kaufpreis"], on_request["kaufpreis_auf_anfrage"]) == (Decimal(123), True)
    assert (priced["kaufpreis"], priced["kaufpreis_auf_anfrage"]) == (Decimal(456), False)
    assert (on_request["objektart_typ"], priced["objektart_typ"]) == ("COWORKING", "SHARED_OFFICE")


def test_openestate_126_upgrade_empty_property_lists_every_missing_field():
    transfer, records, text = load(fixture("OpenEstate-IO__openimmo-1-2-6-upgrade.xml"))
    assert codes(transfer.problems) == ["umfang_missing", "old_version"]
    (record,) = records
    assert record.fields == {} and record.attachments == []
    # lenient: only the missing identity rejects it; every other gap is named as a warning
    assert codes(record.errors) == ["identity_missing"]
    assert set(codes(record.warnings)) == INCOMPLETE - {"identity_missing"} | {"no_images"}
    assert all(p.line == line_of(text, "<immobilie>") for p in record.problems)
    strict = list(read_transfer(fixture("OpenEstate-IO__openimmo-1-2-6-upgrade.xml"),
                                strict=True).records())
    assert set(codes(strict[0].errors)) == INCOMPLETE


def test_openestate_127_downgrade_referenz_and_repeated_energiepass():
    transfer, records, text = load(fixture("OpenEstate-IO__openimmo-1-2-7-downgrade.xml"))
    assert transfer.uebertragung.version == "1.2.7"
    # 1.2.7 is current (1.2.7b files often still say 1.2.7): no version warning
    assert codes(transfer.problems) == ["umfang_missing", "several_anbieter"]
    assert [r.aktion for r in records] == ["REFERENZ", "CHANGE", "CHANGE", "REFERENZ"]
    assert [r.anbieter.firma for r in records] == [
        "first agency",
        "first agency",
        "second agency",
        "second agency",
    ]
    first = records[0].fields
    assert first["epass_epart"] == "BEDARF"  # the first <energiepass> gives the columns
    assert first["epass_wertklasse"] == "A"
    assert first["epass_jahrgang"] == "2014"
    assert first["epass_gebaeudeart"] == "nichtwohn"
    assert first["epass_baujahr"] == "1985"
    assert first["epass_ausstelldatum"] == dt.date(2014, 5, 5)
    assert first["epass_primaerenergietraeger"] == "some text"
    assert records[1].fields["epass_epart"] == "VERBRAUCH"
    assert records[1].fields["epass_energieverbrauchkennwert"] == Decimal("456")
    assert records[1].fields["epass_mitwarmwasser"] is True
    passes = find(records[0].data, "zustand_angaben")["children"]
    assert [c["tag"] for c in passes] == ["energiepass", "energiepass"]  # both kept
    # <anhang gruppe="BILD"/> without data: a warning at its line, nothing invented
    empty = [p for p in records[0].problems if p.code == "attachment_empty"]
    assert [p.line for p in empty] == [
        line_of(text, '<anhang gruppe="BILD"/>'),
        line_of(text, '<anhang gruppe="EPASS-SKALA"/>'),
    ]
    assert "BILD" in empty[0].message and records[0].attachments == []


def test_openestate_127_upgrade_user_fields_fill_gaps_of_energiepass():
    transfer, records, text = load(fixture("OpenEstate-IO__openimmo-1-2-7-upgrade.xml"))
    assert codes(transfer.problems) == ["umfang_missing", "old_version", "several_anbieter"]
    both = records[0]
    assert both.fields["epass_epart"] == "VERBRAUCH"  # from the element
    assert both.fields["epass_energieverbrauchkennwert"] == Decimal("123")
    assert both.fields["epass_wertklasse"] == "A"  # from user-defined fields
    assert both.fields["epass_ausstelldatum"] == dt.date(2014, 5, 5)
    assert both.fields["epass_jahrgang"] == "2014"
    warning = only(both.problems, "epass_user_defined")
    assert warning.severity == "warning"
    assert warning.line == line_of(text, 'feldname="epass_wertklasse"')
    assert "zustand_angaben/energiepass" in warning.message

    only_user_fields = records[2]
    assert only_user_fields.anbieter.firma == "second agency"
    assert {k: v for k, v in only_user_fields.fields.items() if k.startswith("epass_")} == {
        "epass_wertklasse": "A",
        "epass_baujahr": "1985",
        "epass_ausstelldatum": dt.date(2009, 5, 5),
        "epass_jahrgang": "2008",
        "epass_gebaeudeart": "wohn",
    }
    assert codes(records[3].problems).count("epass_user_defined") == 0


def test_openestate_127b_downgrade_geg2018_kept():
    transfer, records, text = load(fixture("OpenEstate-IO__openimmo-1-2-7b-downgrade.xml"))
    assert transfer.uebertragung.version == "1.2.7b"
    assert codes(transfer.problems) == ["umfang_missing", "several_anbieter"]
    assert len(records) == 4
    assert find(records[0].data, "zustand_angaben/energiepass/geg2018")["text"] == "123"
    assert records[0].fields["epass_jahrgang"] == "bei_besichtigung"
    # sent empty (<jahrgang/>, <geg2018></geg2018>): absent, not ""
    assert "epass_jahrgang" not in records[2].fields
    assert find(records[2].data, "zustand_angaben/energiepass/geg2018") == {"tag": "geg2018"}


@pytest.mark.parametrize(
    "name",
    [
        "OpenEstate-IO__openimmo-feedback.xml",
        "OpenEstate-IO__openimmo-feedback-1-2-5-downgrade.xml",
    ],
)
def test_openimmo_feedback_is_not_a_transfer(name):
    with pytest.raises(TransferRefused) as refused:
        read_transfer(fixture(name))
    problem = refused.value.problem
    assert problem.code == "not_openimmo" and problem.line == 2
    assert "<openimmo_feedback>" in problem.message


# --- justimmo (MIT): another vendor's dialect ---------------------------------------------


def test_justimmo_dialect_is_read_tolerantly():
    transfer, records, text = load(fixture("justimmo-php-sdk__realty_detail.xml"))
    assert transfer.root_tag == "justimmo"
    assert codes(transfer.problems) == ["root_not_openimmo", "no_anbieter"]
    assert only(transfer.problems, "root_not_openimmo").line == line_of(text, "<justimmo>")
    assert only(transfer.problems, "no_anbieter").line == line_of(text, "<immobilie>")
    (record,) = records
    assert record.anbieter.implicit and record.anbieter.openimmo_anid is None
    assert record.aktion == "CHANGE"
    # a complete listing otherwise (its elements read in the dialect's order, one warning)
    assert codes(record.problems) == ["aktion_new", "element_order"]
    assert only(record.problems, "aktion_new").line == line_of(text, 'aktionart="NEW"')
    f = record.fields
    assert record.identity_keys() == [
        ("objektnr_intern", "195439"),
        ("openimmo_obid", "OBGC201309171129328278o9prei3s5"),
        ("objektnr_extern", "34"),
    ]
    assert (f["nutzungsart"], f["vermarktungsart"]) == ("GEWERBE", "KAUF")
    assert (f["objektart"], f["objektart_typ"]) == ("buero_praxen", "PRAXIS")
    assert (f["plz"], f["ort"], f["land"]) == ("1030", "Wien", "AUT")
    assert (f["breitengrad"], f["laengengrad"]) == (Decimal("48.2087105"), Decimal("16.3726546"))
    assert (f["kaufpreis"], f["nebenkosten"], f["heizkosten"]) == (450000, 500, 126)
    assert f["waehrung"] == "EUR"
    assert f["aussen_courtage"] == "16.200,00 € inkl. 20% USt."  # free text, not a number
    assert (f["epass_epart"], f["epass_gueltig_bis"]) == ("BEDARF", "2012-09-12")
    assert f["objekttitel"] == "DEMOOBJEKT! Elegantes Büro neben Bristol und Oper"
    assert f["kontakt_telefon"] == "+43 676 123 45 67"  # tel_zentrale: no tel_durchw sent
    assert f["kontakt_email_feedback"] == "1599-201312-9d80416d@oi-feedback.justimmo.at"
    assert f["objektadresse_freigeben"] is True
    assert f["sonstige_angaben"] == "<p>Sonstige angaben</p>"  # escaped HTML stays text
    assert len(record.attachments) == 12
    assert record.attachments[0].gruppe == "TITELBILD"
    assert record.attachments[0].url == "http://files.justimmo.at/public/pic/big/AHA0s6aAaT.jpg"
    assert all(a.source == "url" for a in record.attachments)
    assert record.attachments[-1].gruppe == "LINKS"
    assert record.attachments[-1].titel == "JUSTIMMO"
    # vendor extensions survive in the stored record
    kategorien = find(record.data, "objektkategorie/user_defined_anyfield")["children"]
    assert [(c["attrs"]["id"], c["text"]) for c in kategorien] == [
        ("19", "Demokategorie 1"),
        ("85", "Demokategorie 2"),
    ]


# --- ext-realty (GPL-2.0, read in place) ----------------------------------------------------


def test_ext_realty_imo_prefixed_namespace():
    path = shared_sample("ext-realty__DomDocumentConverterTest_namespaced-imo-prefix.xml")
    transfer, records, text = load(path)
    assert transfer.root_tag == "openimmo"
    assert transfer.namespace == "http://www.openimmo.de"
    assert codes(transfer.problems) == ["namespace", "no_uebertragung"]
    (record,) = records
    assert record.fields["objekttitel"] == "eine schöne Wohnung"
    assert record.data["tag"] == "immobilie"
    assert find(record.data, "freitexte/objekttitel")["text"] == "eine schöne Wohnung"
    assert not record.anbieter.implicit


def test_ext_realty_onoffice_change_then_delete():
    path = shared_sample("ext-realty__OpenImmoImportTest_onOffice-124_change-and-delete.xml")
    transfer, records, text = load(path)
    header = transfer.uebertragung
    assert (header.umfang, header.umfang_sent, header.version) == ("TEIL", True, "1.2.4")
    assert (header.art, header.modus, header.sendersoftware) == ("OFFLINE", "CHANGE", "OOF")
    assert header.techn_email == "heidi.loehr@example.com"
    assert header.timestamp == dt.datetime(2015, 6, 22, 13, 55, 7, tzinfo=dt.UTC)
    assert codes(transfer.problems) == ["old_version"]
    (block,) = transfer.anbieter
    assert (block.firma, block.openimmo_anid, block.property_count) == (
        "Doe Immobilien",
        "123456",
        2,
    )

    change, delete = records
    assert (change.aktion, delete.aktion) == ("CHANGE", "DELETE")
    assert (
        change.identity_keys()
        == delete.identity_keys()
        == [
            ("objektnr_intern", "550"),
            ("openimmo_obid", "123456_550_OR273"),
            ("objektnr_extern", "OR273"),
        ]
    )
    f = change.fields
    assert (f["kaufpreis"], f["hausgeld"]) == (Decimal("149000.00"), Decimal("345.00"))
    assert f["aussen_courtage"] == "5,95 % inkl. 19% MwSt."
    assert (f["vermarktungsart"], f["nutzungsart"]) == ("KAUF", "WOHNEN")  # booleans as 1/0
    assert (f["objektart"], f["objektart_typ"]) == ("wohnung", "ETAGE")
    assert (f["plz"], f["ort"], f["etage"]) == ("55127", "Mainz / Lerchenberg", 3)
    assert (f["wohnflaeche"], f["anzahl_zimmer"], f["baujahr"]) == (Decimal("88.00"), 3, 1971)
    assert f["objektadresse_freigeben"] is False
    assert f["verfuegbar_ab"] == "01.08.2015"
    assert (f["kontakt_name"], f["kontakt_email"]) == ("Doe", "offerer@example.com")
    assert change.ok and "title_missing" in codes(change.warnings)  # lenient: a warning
    assert only(change.problems, "title_missing").line == change.line == 9
    assert delete.problems == []  # a DELETE skeleton is not checked for completeness


def _zip_records(name, member):
    transfer = read_transfer(zip_member(name, member))
    return transfer, list(transfer.records())


def test_ext_realty_iso_8859_1_declared():
    transfer, records = _zip_records("ext-realty__charset-ISO8859-1.zip", "charset-ISO8859-1.xml")
    assert codes(transfer.problems) == ["no_uebertragung"]  # correctly declared: no warning
    assert transfer.anbieter[0].openimmo_anid == "test-anid-with-umlaut-ü"
    (record,) = records
    # <openimmo_anid> comes after the property and is still the property's broker
    assert record.anbieter.openimmo_anid == "test-anid-with-umlaut-ü"
    assert record.aktion == "CHANGE"  # <aktion/> without aktionart
    assert record.fields["objektnr_extern"] == "bar1234567"
    assert record.ok  # lenient: the gaps are warnings
    assert {"title_missing", "ort_missing", "kaufpreis_missing"} <= set(codes(record.warnings))
    assert only(record.warnings, "ort_missing").line == 10  # the <geo> without <ort>


@pytest.mark.parametrize(
    "name,member",
    [
        ("ext-realty__charset-UTF8.zip", "charset-UTF8.xml"),
        ("ext-realty__charset-UTF8-default.zip", "charset-UTF8.xml"),  # no XML declaration
    ],
)
def test_ext_realty_utf8_with_and_without_declaration(name, member):
    transfer, records = _zip_records(name, member)
    assert codes(transfer.problems) == ["no_uebertragung"]
    assert transfer.parse_encoding is None
    assert records[0].anbieter.openimmo_anid == "test-anid-with-umlaut-ü"


def test_ext_realty_lowercase_delete_with_anhang_under_immobilie():
    transfer, records = _zip_records("ext-realty__foo-deleted.zip", "foo.xml")
    (record,) = records
    assert record.aktion == "DELETE"
    assert codes(record.problems) == ["aktion_case"]
    text = zip_member("ext-realty__foo-deleted.zip", "foo.xml").decode()
    assert only(record.problems, "aktion_case").line == line_of(text, 'aktionart="delete"')
    assert [a.path for a in record.attachments] == ["bar.jpg", "foo.jpg"]


def test_ext_realty_foo_attachments_in_broker_order():
    for name in ("ext-realty__foo.zip", "ext-realty__missing-referenced-images.zip"):
        transfer, records = _zip_records(name, "foo.xml")
        assert (transfer.anbieter[0].openimmo_anid, transfer.anbieter[0].firma) == (
            "ABC-1234",
            "oliverklee.de",
        )
        (record,) = records
        assert record.fields["objektnr_extern"] == "1234-ABC"
        assert [(a.path, a.source, a.gruppe) for a in record.attachments] == [
            ("foo.jpg", "file", None),
            ("bar.jpg", "file", None),
        ]
        # verwaltung_techn before geo: read all the same, one warning (an error when strict)
        [order] = [p for p in record.problems if p.code == "element_order"]
        assert order.severity == "warning"
    strict = read_transfer(zip_member("ext-realty__foo.zip", "foo.xml"), strict=True)
    (record,) = strict.records()
    assert "element_order" in codes(record.errors)


def test_ext_realty_uppercase_file_name_kept():
    transfer, records = _zip_records("ext-realty__foo-uppercased.zip", "foo.xml")
    assert [a.path for a in records[0].attachments] == ["foo.JPG"]


def test_ext_realty_two_objects_one_anbieter():
    transfer, records = _zip_records("ext-realty__two-objects.zip", "two_objects.xml")
    assert [(a.openimmo_anid, a.property_count) for a in transfer.anbieter] == [("foo", 2)]
    assert [r.fields["objektnr_extern"] for r in records] == ["bar1234567", "bar2345678"]
    assert [r.fields.get("nutzungsart") for r in records] == ["WOHNEN", None]  # WOHNEN="0"
    assert [r.position for r in records] == [0, 1]


def test_ext_realty_anid_after_empty_property():
    transfer, records = _zip_records("ext-realty__with-openimmo-anid.zip", "with-openimmo-anid.xml")
    assert records[0].anbieter.openimmo_anid == "test-anid"
    assert codes(records[0].errors) == ["identity_missing"]
    assert set(codes(records[0].warnings)) >= INCOMPLETE - {"identity_missing"}


@pytest.mark.parametrize(
    "name,member,root",
    [
        ("ext-realty__bar-bar.zip", "bar-bar.xml", "foo"),
        ("ext-realty__bar-bar.zip", "bar.xml", "foo"),
        ("ext-realty__contains-folder.zip", "foo.xml", "foo"),
    ],
)
def test_ext_realty_xml_that_is_not_openimmo(name, member, root):
    with pytest.raises(TransferRefused) as refused:
        read_transfer(zip_member(name, member))
    assert refused.value.problem.code == "not_openimmo"
    assert f"<{root}>" in refused.value.problem.message


def test_ext_realty_zip_member_that_is_not_xml():
    with pytest.raises(TransferRefused) as refused:
        read_transfer(zip_member("ext-realty__empty.zip", "empty"))
    assert refused.value.problem.code == "xml_syntax"
    assert refused.value.problem.line == 1


# --- laravel-openimmo (GPL-3.0, read in place): fragments, embedded in a document ---------


def _fragment(name: str) -> str:
    return shared_sample(name).read_text(encoding="utf-8").strip()


def test_laravel_onoffice_header_without_zone():
    transfer, records = read(
        document(anbieter(), header=_fragment("laravel-openimmo__TransferRealWorld.xml"))
    )
    header = transfer.uebertragung
    assert (header.umfang, header.umfang_sent, header.version) == ("TEIL", True, "1.2.7")
    assert header.sendersoftware == "OOF" and header.techn_email == "xxx@xxx.de"
    assert header.timestamp == dt.datetime(2019, 9, 30, 12, 42, 27)  # naive: caller decides
    assert codes(transfer.problems) == ["timestamp"]
    assert "no time zone" in transfer.problems[0].message


def test_laravel_header_with_seven_fraction_digits():
    header_xml = _fragment("laravel-openimmo__TransferWithMicroseconds.xml")
    transfer, records = read(document(anbieter(), header=header_xml))
    header = transfer.uebertragung
    assert (header.umfang, header.art, header.sendersoftware) == ("VOLL", "ONLINE", "IMEX")
    assert header.timestamp == dt.datetime(
        2020, 8, 7, 11, 56, 39, 124297, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )
    problem = only(transfer.problems, "timestamp")
    assert problem.severity == "warning" and "fraction digits" in problem.message
    # the start tag spans two lines; libxml2 gives the line where it ends, which is the
    # line of the timestamp attribute here
    assert problem.line == line_of(document(anbieter(), header=header_xml), "timestamp=")


def test_laravel_user_defined_simplefields_in_geo():
    fragment = _fragment("laravel-openimmo__UserDefinedSimpleFields.xml")
    inner = fragment[len("<geo>") : -len("</geo>")]
    transfer, records = read(document(anbieter(immobilie(geo=inner))))
    (record,) = records
    f = record.fields
    assert (f["plz"], f["ort"], f["strasse"]) == ("01809", "Heidenau", "Dr.-Otto-Nuschke-Straße")
    assert (f["regionaler_zusatz"], f["etage"], f["land"]) == ("Mügeln", 0, "DEU")
    extra = [
        c for c in find(record.data, "geo")["children"] if c["tag"] == "user_defined_simplefield"
    ]
    assert extra == [
        {"tag": "user_defined_simplefield", "attrs": {"feldname": "ZONE"}, "text": "Mügeln"},
        {"tag": "user_defined_simplefield", "attrs": {"feldname": "regionaler_zusatz_gruppe"}},
    ]
    assert record.ok
