"""Every kind of property a broker sends, as its IS24 type: payloads valid against IS24's XSDs,
POST with the right type, PUT on change, nothing when unchanged, and errors that name the
OpenImmo element to send."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tests.is24.helpers import make_listing
from tests.is24.xsd import xsd_errors
from wagtail_openimmo.is24.mapping import map_listing
from wagtail_openimmo.is24.models import IS24ListingState, render_message
from wagtail_openimmo.is24.sync import sync_broker

pytestmark = pytest.mark.django_db

RENT = {"vermarktungsart": "MIETE_PACHT", "kaufpreis": None, "kaltmiete": Decimal("2400")}
COMMERCIAL = {"nutzungsart": "GEWERBE", "wohnflaeche": None, "anzahl_zimmer": None}
START = dt.date(2027, 3, 1)

# (overrides of a demo flat for sale, IS24 type, fields the payload must carry)
CASES = [
    (
        {
            **RENT,
            "objektart": "parken",
            "objektart_typ": "TIEFGARAGENSTELLPLATZ",
            "kaltmiete": Decimal("95"),
            "abdatum": START,
            **COMMERCIAL,
        },
        "garageRent",
        {"garageType": "UNDERGROUND_GARAGE", "freeFrom": "2027-03-01"},
    ),
    (
        {
            "objektart": "parken",
            "objektart_typ": "EINZELGARAGE",
            "kaufpreis": Decimal("25000"),
            **COMMERCIAL,
        },
        "garageBuy",
        {"garageType": "GARAGE"},
    ),
    (
        {
            "objektart": "sonstige",
            "objektart_typ": "PARKHAUS",
            "kaufpreis": Decimal("2.1E6"),
            **COMMERCIAL,
        },
        "garageBuy",
        {"garageType": "CAR_PARK"},
    ),
    (
        {
            **RENT,
            **COMMERCIAL,
            "objektart": "einzelhandel",
            "objektart_typ": "LADENLOKAL",
            "nutzflaeche": Decimal("180"),
        },
        "store",
        {
            "storeType": "STORE",
            "commercializationType": "RENT",
            "netFloorSpace": 180,
            "totalFloorSpace": 180,
        },
    ),
    (
        {
            **COMMERCIAL,
            "objektart": "gastgewerbe",
            "objektart_typ": "HOTELS",
            "gesamtflaeche": Decimal("1450"),
            "kaufpreis": Decimal("3.2E6"),
        },
        "gastronomy",
        {"gastronomyType": "HOTEL", "commercializationType": "BUY", "totalFloorSpace": 1450},
    ),
    (
        {
            **RENT,
            **COMMERCIAL,
            "objektart": "hallen_lager_prod",
            "objektart_typ": "LAGER",
            "nutzflaeche": Decimal("2600"),
            "grundstuecksflaeche": Decimal("5000"),
        },
        "industry",
        {"industryType": "STORAGE_HALL", "netFloorSpace": 2600, "plotArea": 5000},
    ),
    (
        {
            "nutzungsart": "ANLAGE",
            "objektart": "zinshaus_renditeobjekt",
            "objektart_typ": "MEHRFAMILIENHAUS",
            "kaufpreis": Decimal("1.85E6"),
        },
        "investment",
        {"investmentType": "MULTI_FAMILY_HOUSE"},
    ),
    (
        {"nutzungsart": "ANLAGE"},  # a flat bought as an investment
        "investment",
        {"investmentType": "FREEHOLD_FLAT"},
    ),
    (
        {
            **RENT,
            "objektart": "zimmer",
            "objektart_typ": "ZIMMER",
            "kaltmiete": Decimal("480"),
            "wohnflaeche": Decimal("16"),
            "anzahl_zimmer": Decimal(4),
            "abdatum": START,
        },
        "flatShareRoom",
        {"roomSize": 16, "baseRent": 480, "flatShareSize": 4, "freeFrom": "2027-03-01"},
    ),
    (
        {**RENT, "nutzungsart": "WAZ", "warmmiete": Decimal("1450"), "abdatum": START},
        "shortTermAccommodation",
        {
            "startRentalDate": "2027-03-01",
            "shortTermAccomodationType": "FLAT",
            "price": {
                "value": 1450,
                "currency": "EUR",
                "marketingType": "RENT",
                "priceIntervalType": "MONTH",
            },
        },
    ),
    (
        {
            **COMMERCIAL,
            "objektart": "freizeitimmobilie_gewerblich",
            "objektart_typ": "SPORTANLAGEN",
            "kaufpreis": Decimal("790000"),
        },
        "specialPurpose",
        {"specialPurposePropertyType": "LEISURE_FACILITY"},
    ),
    (
        {
            **COMMERCIAL,
            "objektart": "land_und_forstwirtschaft",
            "objektart_typ": "REITERHOEFE",
            "kaufpreis": Decimal("1.2E6"),
        },
        "specialPurpose",
        {"specialPurposePropertyType": "HORSE_FARM"},
    ),
    (
        {
            **COMMERCIAL,
            "objektart": "land_und_forstwirtschaft",
            "objektart_typ": "ACKERBAU",
            "kaufpreis": Decimal("240000"),
            "grundstuecksflaeche": Decimal("80000"),
        },
        "tradeSite",
        {"utilizationTradeSite": "AGRICULTURE_FORESTRY", "plotArea": 80000},
    ),
    (
        {**RENT, **COMMERCIAL, "objektart": "sonstige", "objektart_typ": "TANKSTELLE"},
        "specialPurpose",
        {"specialPurposePropertyType": "SPECIAL_ESTATE", "commercializationType": "RENT"},
    ),
    (
        {
            **RENT,
            **COMMERCIAL,
            "objektart": "buero_praxen",
            "objektart_typ": "PRAXIS",
            "nutzflaeche": Decimal("140"),
        },
        "office",
        {"officeType": "SURGERY"},
    ),
]
IDS = [f"{kind}-{i}" for i, (_o, kind, _f) in enumerate(CASES)]


def case_listing(broker, i: int, overrides: dict):
    # demo_property(6 * i) is always a flat for sale; the overrides make it the case's kind.
    return make_listing(broker, 6 * i, images=0, objektnr_extern=f"T{i:03d}", **overrides)


@pytest.mark.parametrize(("i", "case"), list(enumerate(CASES)), ids=IDS)
def test_every_kind_maps_to_its_is24_type_valid_against_the_xsd(broker, i, case):
    overrides, kind, expected = case
    mapped = map_listing(case_listing(broker, i, overrides))
    assert mapped.problems == []
    assert mapped.realestate_type == kind
    ((root, body),) = mapped.payload.items()
    assert root == f"realestates.{kind}"
    assert xsd_errors(mapped.payload) == []
    assert {k: body.get(k) for k in expected} == expected
    assert body["courtage"]["hasCourtage"] in ("YES", "NO")


def test_each_kind_is_posted_as_its_type_put_on_change_and_left_alone_unchanged(
    broker, connection, fake_is24
):
    listings = [case_listing(broker, i, o) for i, (o, _k, _f) in enumerate(CASES)]
    result = sync_broker(broker, sleep=lambda s: None)
    assert result.errors == [] and result.created == len(CASES)
    for listing, (_o, kind, expected) in zip(listings, CASES, strict=True):
        state = IS24ListingState.objects.get(listing=listing)
        estate = fake_is24.realestates[state.is24_id]
        assert (estate.type, state.realestate_type) == (kind, kind)
        assert {k: estate.body.get(k) for k in expected} == expected
        assert fake_is24.is_published(state.is24_id)
    posts = fake_is24.calls("POST", r"/user/me/realestate$")
    assert sorted(next(iter(r.json())) for r in posts) == sorted(
        f"realestates.{kind}" for _o, kind, _f in CASES
    )

    fake_is24.clear_log()
    for listing in listings:
        if listing.kaufpreis is not None:
            listing.kaufpreis += 1000
        if listing.kaltmiete is not None:
            listing.kaltmiete += 10
        if listing.warmmiete is not None:
            listing.warmmiete += 10
        listing.save()
    result = sync_broker(broker, sleep=lambda s: None)
    assert result.errors == [] and result.updated == len(CASES)
    writes = fake_is24.writes()
    assert [w.method for w in writes] == ["PUT"] * len(CASES)
    for listing in listings:
        state = IS24ListingState.objects.get(listing=listing)
        body = fake_is24.realestates[state.is24_id].body
        price = body.get("price", {}).get("value")
        assert price in (
            float(listing.kaufpreis or 0) or None,
            float(listing.kaltmiete or 0) or None,
            float(listing.warmmiete or 0) or None,
        )

    fake_is24.clear_log()
    result = sync_broker(broker, sleep=lambda s: None)
    assert result.unchanged == len(CASES)
    assert fake_is24.writes() == []


@pytest.mark.parametrize(
    ("overrides", "element"),
    [
        ({**RENT, **COMMERCIAL, "objektart": "einzelhandel"}, "flaechen/nutzflaeche"),
        (
            {
                **COMMERCIAL,
                "objektart": "gastgewerbe",
                "objektart_typ": None,
                "nutzflaeche": Decimal("200"),
            },
            "objektkategorie/objektart/gastgewerbe@gastgew_typ",
        ),
        ({**RENT, "nutzungsart": "WAZ", "verfuegbar_ab": "sofort"}, "verwaltung_objekt/abdatum"),
        ({**RENT, **COMMERCIAL, "objektart": "parken", "kaltmiete": None}, "preise/kaltmiete"),
        (
            {**RENT, "objektart": "zimmer", "anzahl_zimmer": Decimal(1)},
            "flaechen/anzahl_zimmer",
        ),
        (
            {
                "objektart": "haus",
                "epass_epart": None,
                "epass_wertklasse": None,
                "grundstuecksflaeche": Decimal("500"),
            },
            "zustand_angaben/energiepass/epart",
        ),
    ],
    ids=["store-area", "gastronomy-kind", "waz-start", "garage-rent", "room-size", "house-epass"],
)
def test_a_missing_required_field_names_the_openimmo_element_in_the_brokers_language(
    broker, overrides, element
):
    mapped = map_listing(case_listing(broker, 0, overrides))
    assert mapped.payload is None
    assert [p.code for p in mapped.problems] == ["MISSING_FIELD"]
    (problem,) = mapped.problems
    assert problem.params["element"] == element
    assert element in problem.message
    with translation.override("de"):
        german = render_message(problem.detail(), problem.message)
    assert element in german and german != problem.message
    assert any(word in german for word in ("IS24 verlangt", "IS24 braucht", "senden Sie"))
