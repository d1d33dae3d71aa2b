"""Listings that lenient mode imported with gaps, as visitors see them (issue 13).

No city: the location reads "Lage auf Anfrage" (or the district the file had); no kind:
the neutral "Immobilie"; the filters and the map cope.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.frontend.html import cls, parse, text
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ListingPage

pytestmark = pytest.mark.django_db

GAPS = Path(__file__).resolve().parents[1] / "fixtures" / "openimmo" / "gaps"


@pytest.fixture
def gaps(tmp_path, broker):
    for name in ("empty_geo.xml", "no_objektkategorie.xml", "mixed.xml"):
        import_file(Path(shutil.copy(GAPS / name, tmp_path / name)), broker)
    return broker


def cards(response) -> dict[str, str]:
    """Card title -> the place line under it."""
    assert response.status_code == 200
    found = {}
    for card in parse(response).xpath(f"//li[{cls('openimmo-card')}]"):
        title = text(card.xpath(f".//*[{cls('openimmo-card__title')}]")[0])
        found[title] = text(card.xpath(f".//*[{cls('openimmo-card__place')}]")[0])
    return found


def both(client, url, params=None, **headers) -> dict[str, str]:
    """Cards of purchases and rents together: the index shows one marketing type at a time."""
    found = {}
    for kind in ("kauf", "miete"):
        found.update(cards(client.get(url, {**(params or {}), "vermarktungsart": kind}, **headers)))
    return found


def test_cards_say_where_the_listing_is_or_that_it_is_on_request(client, gaps):
    found = both(client, gaps.index_page.url, HTTP_ACCEPT_LANGUAGE="de")
    assert found["Einfamilienhaus in ruhiger Lage"] == "Lage auf Anfrage"
    assert found["Dachgeschosswohnung mit Blick ins Grüne"] == "Leipzig-Gohlis"
    assert found["Helle 2-Zimmer-Wohnung am Viktualienmarkt"] == "80331 München"
    english = both(client, gaps.index_page.url, HTTP_ACCEPT_LANGUAGE="en")
    assert english["Einfamilienhaus in ruhiger Lage"] == "Location on request"


def test_the_listing_page_shows_the_location_on_request_and_the_map(client, gaps):
    house = ListingPage.objects.get(objektnr_extern="OI-1001")
    response = client.get(house.url, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    html = response.content.decode()
    addresses = [text(p) for p in parse(response).xpath(f"//p[{cls('openimmo-address')}]")]
    assert addresses and set(addresses) == {"Lage auf Anfrage"}
    assert "51.3397" in html  # the map has the coordinates the file sent


def test_a_listing_without_a_kind_is_a_neutral_property(client, gaps):
    flat = ListingPage.objects.get(objektnr_extern="IW-88120")
    response = client.get(flat.url, HTTP_ACCEPT_LANGUAGE="de")
    kicker = text(parse(response).xpath(f"//p[{cls('openimmo-kicker')}]")[0])
    assert kicker.startswith("Immobilie · zur Miete")
    assert "Kaltmiete" in response.content.decode()  # the inferred marketing type's price


def test_filters_cope_with_listings_without_city_or_kind(client, gaps):
    index = gaps.index_page.url
    found = both(client, index, {"ort": "Gohlis"}, HTTP_ACCEPT_LANGUAGE="de")
    assert list(found) == ["Dachgeschosswohnung mit Blick ins Grüne"]
    found = both(client, index, {"ort": "München"}, HTTP_ACCEPT_LANGUAGE="de")
    assert len(found) == 2
    # the kind filter offers only kinds that exist; the ones without a kind are listed
    assert "Helle 2-Zimmer-Wohnung am Viktualienmarkt" in both(
        client, index, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert client.get(index, {"objektart": "haus"}).status_code == 200
