"""Listings through Wagtail's search backend and the API v2 ``listings`` endpoint."""

from decimal import Decimal

import pytest

from tests.frontend.listings import make_listing, withdraw
from wagtail_openimmo.models import ListingPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(broker):
    return [
        make_listing(
            broker,
            4,
            title="Baugrundstück am Rhein",
            ort="Mainz",
            plz="55116",
            objektbeschreibung="Sonniges Grundstück in Hanglage",
            images=0,
        ),
        make_listing(
            broker,
            1,
            title="Altbauwohnung",
            ort="Wiesbaden",
            plz="65183",
            objektbeschreibung="Stuck und Dielen, Blick auf den Kurpark",
            images=1,
        ),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Baugrundstück", ["Baugrundstück am Rhein"]),  # title
        ("Wiesbaden", ["Altbauwohnung"]),  # city
        ("Kurpark", ["Altbauwohnung"]),  # description
        ("Leipzig", []),
    ],
)
def test_search_backend_finds_title_city_and_description(listings, query, expected):
    found = ListingPage.objects.live().search(query)
    assert [page.title for page in found] == expected


def test_withdrawn_listings_are_not_found(listings):
    withdraw(listings[1])
    assert list(ListingPage.objects.live().search("Kurpark")) == []


def test_api_lists_live_listings_with_their_key_fields(client, listings, other_broker):
    flat = listings[1]
    flat.kaltmiete, flat.vermarktungsart, flat.kaufpreis = Decimal("980"), "MIETE_PACHT", None
    flat.save()
    withdraw(make_listing(other_broker, 2, title="Withdrawn"))
    response = client.get("/api/v2/listings/?order=title")
    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["total_count"] == 2
    item = next(i for i in data["items"] if i["title"] == "Altbauwohnung")
    assert item["meta"]["type"] == "wagtail_openimmo.ListingPage"
    assert item["objektnr_extern"] == flat.objektnr_extern
    assert item["vermarktungsart"] == "MIETE_PACHT"
    assert (item["plz"], item["ort"]) == ("65183", "Wiesbaden")
    assert (item["preis"], item["waehrung"]) == ("980.00", "EUR")
    assert item["wohnflaeche"] == f"{flat.wohnflaeche:.2f}"
    assert item["anzahl_zimmer"] == f"{flat.anzahl_zimmer:.2f}"
    assert item["broker_slug"] == "acme"
    assert item["title_image"]["url"].endswith(".fill-800x600.jpg")
    plot = next(i for i in data["items"] if i["title"] != "Altbauwohnung")
    assert plot["title_image"] is None


def test_api_detail_and_filters(client, listings):
    flat = listings[1]
    detail = client.get(f"/api/v2/listings/{flat.pk}/").json()
    assert detail["address"] == flat.address_line
    assert detail["coordinates"] == {"lat": float(flat.breitengrad), "lon": float(flat.laengengrad)}
    found = client.get("/api/v2/listings/?ort=Mainz&fields=ort").json()
    assert [i["title"] for i in found["items"]] == ["Baugrundstück am Rhein"]
    searched = client.get("/api/v2/listings/?search=Kurpark").json()
    assert [i["title"] for i in searched["items"]] == ["Altbauwohnung"]


def test_api_hides_coordinates_when_the_address_is_not_released(client, broker):
    page = make_listing(broker, 0, objektadresse_freigeben=False)
    detail = client.get(f"/api/v2/listings/{page.pk}/").json()
    assert detail["coordinates"] is None
    assert page.strasse not in detail["address"]


def test_images_api_leaves_out_the_pictures_of_listings_that_are_not_live(client, broker):
    """Issue 15, item 5: the example site's images API listed every broker picture."""
    live = make_listing(broker, 1, title="Live", images=2)
    gone = make_listing(broker, 2, title="Gone", images=2)
    withdraw(gone)
    shown = {item["id"] for item in client.get("/api/v2/images/?limit=20").json()["items"]}
    live_ids = {a.image_id for a in live.attachments.filter(image__isnull=False)}
    gone_ids = {a.image_id for a in gone.attachments.filter(image__isnull=False)}
    assert live_ids and gone_ids
    assert live_ids <= shown and not gone_ids & shown
    assert client.get(f"/api/v2/images/{min(gone_ids)}/").status_code == 404
