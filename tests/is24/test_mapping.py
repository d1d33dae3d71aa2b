"""ListingPage → IS24 payloads: the right type, required fields, and valid against IS24's XSDs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tests.is24.helpers import add_picture, make_listing
from tests.is24.xsd import xsd_errors
from wagtail_openimmo.is24.mapping import (
    attachment_metadata,
    attachments_order_payload,
    desired_attachments,
    map_listing,
    publish_payload,
)
from wagtail_openimmo.is24.models import render_message

pytestmark = pytest.mark.django_db

RENT = {
    "vermarktungsart": "MIETE_PACHT",
    "kaufpreis": None,
    "kaltmiete": Decimal("950"),
    "nebenkosten": Decimal("180"),
    "warmmiete": Decimal("1230.50"),
    "heizkosten": Decimal("100"),
    "heizkosten_enthalten": False,
    "kaution": Decimal("2850"),
    "aussen_courtage": "provisionsfrei",
}

CASES = [
    # (demo n, overrides, expected IS24 type)
    (0, {}, "apartmentBuy"),
    (1, {}, "apartmentRent"),
    (2, {}, "houseBuy"),
    (2, RENT, "houseRent"),
    (4, {}, "livingBuySite"),
    (4, RENT, "livingRentSite"),
    (4, {"objektart_typ": "GEWERBE"}, "tradeSite"),
    (5, {"nutzflaeche": Decimal("240"), "gesamtflaeche": Decimal("260")}, "office"),
    (5, {**RENT, "nutzflaeche": Decimal("240")}, "office"),
]


@pytest.mark.parametrize(("n", "overrides", "kind"), CASES)
def test_every_supported_type_maps_to_a_payload_valid_against_is24s_xsd(broker, n, overrides, kind):
    listing = make_listing(broker, n, images=0, **overrides)
    mapped = map_listing(listing)
    assert mapped.problems == []
    assert mapped.realestate_type == kind
    ((root, body),) = mapped.payload.items()
    assert root == f"realestates.{kind}"
    assert body["externalId"] == listing.objektnr_extern
    assert body["title"] == listing.title
    assert xsd_errors(mapped.payload) == []


def test_a_listing_with_every_mapped_field_is_valid_and_carries_the_values(broker):
    listing = make_listing(
        broker,
        1,
        images=0,
        **RENT,
        strasse="Invalidenstraße",
        hausnummer="65",
        land="DEU",
        bundesland="Berlin",
        objektadresse_freigeben=True,
        etage=3,
        anzahl_stellplaetze=Decimal(1),
        anzahl_schlafzimmer=Decimal(2),
        anzahl_badezimmer=Decimal(1),
        nutzflaeche=Decimal("12.5"),
        zustand="GEPFLEGT",
        baujahr=1998,
        verfuegbar_ab="ab 1. März",
        epass_epart="VERBRAUCH",
        epass_energieverbrauchkennwert=Decimal("98.4"),
        epass_mitwarmwasser=True,
        epass_wertklasse="C",
        epass_jahrgang="2014",
        epass_primaerenergietraeger="FERN",
        ausstatt_beschr="Einbauküche",
        sonstige_angaben="Haustiere nach Absprache",
        courtage_hinweis="Keine Provision für Mieter.",
        objektbeschreibung="x" * 5000,
    )
    mapped = map_listing(listing)
    assert mapped.ok, mapped.problems
    body = mapped.payload["realestates.apartmentRent"]
    assert xsd_errors(mapped.payload) == []
    assert body["address"]["street"] == "Invalidenstraße"
    assert body["address"]["internationalCountryRegion"] == {"country": "DEU", "region": "Berlin"}
    assert body["showAddress"] == "true"
    assert body["baseRent"] == 950 and body["totalRent"] == 1230.5
    assert body["deposit"] == "2850,00 EUR"
    assert body["heatingCostsInServiceCharge"] == "NO"
    assert body["courtage"] == {"hasCourtage": "NO", "courtageNote": "Keine Provision für Mieter."}
    assert body["energyCertificate"] == {
        "energyCertificateAvailability": "AVAILABLE",
        "energyCertificateCreationDate": "FROM_01_MAY_2014",
        "energyEfficiencyClass": "C",
    }
    assert body["buildingEnergyRatingType"] == "ENERGY_CONSUMPTION"
    assert body["thermalCharacteristic"] == 98.4
    assert body["energySourcesEnev2014"] == {"energySourceEnev2014": ["DISTRICT_HEATING"]}
    assert body["condition"] == "WELL_KEPT" and body["floor"] == 3
    assert len(body["descriptionNote"]) == 3999  # IS24's limit


def test_purchase_price_and_commission(broker):
    listing = make_listing(
        broker,
        0,
        images=0,
        kaufpreis=Decimal("349000"),
        aussen_courtage="3,57 % inkl. MwSt.",
        hausgeld=Decimal("310"),
    )
    body = map_listing(listing).payload["realestates.apartmentBuy"]
    assert body["price"] == {
        "value": 349000,
        "currency": "EUR",
        "marketingType": "PURCHASE",
        "priceIntervalType": "ONE_TIME_CHARGE",
    }
    assert body["courtage"] == {"hasCourtage": "YES", "courtage": "3,57 % inkl. MwSt."}
    assert body["serviceCharge"] == 310
    assert list(body)[-1] == "serviceCharge"  # last in ApartmentBuy's XSD sequence


@pytest.mark.parametrize(
    ("n", "overrides", "missing"),
    [
        (0, {"wohnflaeche": None}, {"wohnflaeche"}),
        (0, {"anzahl_zimmer": None, "kaufpreis": None}, {"anzahl_zimmer", "kaufpreis"}),
        (1, {"kaltmiete": None, "nettokaltmiete": None}, {"kaltmiete"}),
        (2, {"grundstuecksflaeche": None}, {"grundstuecksflaeche"}),
        (0, {"aussen_courtage": None, "provisionspflichtig": None}, {"aussen_courtage"}),
        (0, {"objektnr_extern": ""}, {"objektnr_extern"}),
        (0, {"plz": None, "ort": None}, {"plz", "ort"}),
    ],
)
def test_missing_required_fields_are_named(broker, n, overrides, missing):
    mapped = map_listing(make_listing(broker, n, images=0, **overrides))
    assert mapped.payload is None and not mapped.ok
    assert {p.code for p in mapped.problems} == {"MISSING_FIELD"}
    assert {p.params["field"] for p in mapped.problems} == missing
    assert all(p.message and "{" not in p.message for p in mapped.problems)


def test_no_commission_flag_satisfies_courtage(broker):
    listing = make_listing(broker, 0, images=0, aussen_courtage=None, provisionspflichtig=False)
    assert map_listing(listing).payload["realestates.apartmentBuy"]["courtage"] == {
        "hasCourtage": "NO"
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"objektart": "gastgewerbe", "objektart_typ": "HOTEL"},
        {"vermarktungsart": "LEASING"},
        {"objektart": None},
    ],
)
def test_unsupported_kinds_get_a_clear_problem(broker, overrides):
    mapped = map_listing(make_listing(broker, 0, images=0, **overrides))
    assert mapped.realestate_type is None
    assert [p.code for p in mapped.problems] == ["UNSUPPORTED_TYPE"]


def test_payload_hash_changes_with_the_price_only(broker):
    listing = make_listing(broker, 0, images=0)
    first = map_listing(listing).payload_hash
    assert map_listing(listing).payload_hash == first
    listing.kaufpreis += 1000
    assert map_listing(listing).payload_hash != first


def test_attachment_payloads_are_valid(broker):
    listing = make_listing(broker, 0, images=2)
    add_picture(listing, 999, gruppe="GRUNDRISS", titel="Grundriss Erdgeschoss, sehr groß")
    desired = desired_attachments(listing)
    assert [d.is_title for d in desired] == [True, False, False]
    assert desired[-1].floorplan
    for d in desired:
        meta = d.metadata()
        assert xsd_errors(meta) == []
        assert meta["common.attachment"]["externalCheckSum"] == d.checksum
        assert len(meta["common.attachment"]["title"]) <= 30
    pdf = attachment_metadata(kind="pdf", title="Exposé", external_id="wo-9", checksum="ab12")
    assert xsd_errors(pdf) == []
    assert xsd_errors(publish_payload("68492877", 10000)) == []
    assert xsd_errors(attachments_order_payload(["3", "1", "2"])) == []


def test_title_picture_is_the_titelbild_even_when_not_first(broker):
    listing = make_listing(broker, 0, images=0)
    add_picture(listing, 1, gruppe="BILD", titel="Küche", sort_order=0)
    add_picture(listing, 2, gruppe="TITELBILD", titel="Ansicht", sort_order=1)
    desired = desired_attachments(listing)
    assert [(d.title, d.is_title) for d in desired] == [("Ansicht", True), ("Küche", False)]


def test_identical_files_are_sent_once(broker):
    listing = make_listing(broker, 0, images=1)
    add_picture(listing, 0, gruppe="BILD", titel="Doppelt")  # same seed → same bytes
    assert len(desired_attachments(listing)) == 1


def test_the_validator_is_not_vacuous(broker):
    body = map_listing(make_listing(broker, 0, images=0)).payload["realestates.apartmentBuy"]
    swapped = {
        "title": body["title"],
        "externalId": body["externalId"],
        **{k: v for k, v in body.items() if k not in ("title", "externalId")},
    }
    assert xsd_errors({"realestates.apartmentBuy": swapped})
    no_courtage = {k: v for k, v in body.items() if k != "courtage"}
    assert xsd_errors({"realestates.apartmentBuy": no_courtage})


def test_certificate_date_from_issue_date(broker):
    listing = make_listing(
        broker, 2, images=0, epass_jahrgang=None, epass_ausstelldatum=dt.date(2012, 1, 5)
    )
    body = map_listing(listing).payload["realestates.houseBuy"]
    assert body["energyCertificate"]["energyCertificateCreationDate"] == "BEFORE_01_MAY_2014"
    assert xsd_errors(map_listing(listing).payload) == []


@pytest.mark.parametrize(
    ("n", "vermarktungsart", "german", "wrong"),
    [
        (0, "KAUF", "Käuferprovision", "Mieterprovision"),
        (1, "MIETE_PACHT", "Mieterprovision", "Käuferprovision"),
    ],
)
def test_missing_commission_is_named_for_the_marketing_type(
    broker, n, vermarktungsart, german, wrong
):
    listing = make_listing(
        broker, n, images=0, vermarktungsart=vermarktungsart,
        aussen_courtage=None, provisionspflichtig=None,
    )
    (problem,) = map_listing(listing).problems
    assert problem.params["field"] == "aussen_courtage"
    with translation.override("de"):
        text = render_message(problem.detail(), problem.message)
    assert german in text and wrong not in text
