"""The listing index: filters, sorting and pagination from the query string, references,
and a query count that does not grow with the number of listings."""

import re
from decimal import Decimal

import pytest

from tests.frontend.html import cls, parse, text
from tests.frontend.listings import make_listing, withdraw
from tests.helpers import make_broker

pytestmark = pytest.mark.django_db


def listing(
    broker,
    n,
    title,
    *,
    miete=False,
    price=100_000,
    ort="Mainz",
    plz="55116",
    rooms=3,
    area=80,
    objektart="wohnung",
    images=0,
    **fields,
):
    values = {
        "title": title,
        "vermarktungsart": "MIETE_PACHT" if miete else "KAUF",
        "kaufpreis": None if miete or price is None else Decimal(price),
        "kaltmiete": Decimal(price) if miete and price is not None else None,
        "ort": ort,
        "plz": plz,
        "anzahl_zimmer": None if rooms is None else Decimal(rooms),
        "wohnflaeche": None if area is None else Decimal(area),
        "grundstuecksflaeche": None,
        "objektart": objektart,
    }
    values.update(fields)
    return make_listing(broker, n, images=images, **values)


def titles(response, section="openimmo-results"):
    assert response.status_code == 200
    xpath = f"//section[{cls(section)}]//*[{cls('openimmo-card__title')}]/a"
    return [text(a) for a in parse(response).xpath(xpath)]


@pytest.fixture
def stock(broker):
    listing(broker, 1, "A", price=300_000, ort="Mainz", plz="55116", rooms=3, area=80)
    listing(broker, 2, "B", miete=True, price=900, ort="Mainz", plz="55118", rooms=2, area=60)
    listing(
        broker,
        3,
        "C",
        price=650_000,
        ort="Wiesbaden",
        plz="65183",
        rooms=5,
        area=160,
        objektart="haus",
    )
    listing(
        broker,
        4,
        "D",
        miete=True,
        price=1500,
        ort="Frankfurt am Main",
        plz="60311",
        rooms=4,
        area=120,
        objektart="haus",
    )
    return broker.index_page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"A", "C"}),  # purchases: as many as rentals, and buy wins a tie
        ("vermarktungsart=miete", {"B", "D"}),
        ("vermarktungsart=kauf", {"A", "C"}),
        ("vermarktungsart=", {"A", "C"}),  # an old "buy and rent" link: the default
        ("objektart=haus", {"C"}),
        ("vermarktungsart=miete&objektart=haus", {"D"}),
        ("ort=mainz", {"A"}),
        ("vermarktungsart=miete&ort=551", {"B"}),
        ("ort=65", {"C"}),
        ("vermarktungsart=miete&ort=frankfurt", {"D"}),
        ("preis_max=400000", {"A"}),
        ("vermarktungsart=miete&preis_max=1000", {"B"}),  # "up to 1000" means rents here
        ("preis_max=1000", set()),  # … and purchases here: never a rent in disguise
        ("zimmer_min=4", {"C"}),
        ("zimmer_min=2.5", {"A", "C"}),
        ("vermarktungsart=miete&flaeche_min=100", {"D"}),
        ("vermarktungsart=kauf&objektart=haus&preis_max=500000", set()),
    ],
)
def test_filters(client, stock, query, expected):
    assert set(titles(client.get(f"{stock.url}?{query}"))) == expected


def test_the_default_marketing_type_is_what_most_of_the_stock_is(client, broker):
    listing(broker, 1, "Flat to rent", miete=True, price=700)
    listing(broker, 2, "Flat to rent 2", miete=True, price=800)
    listing(broker, 3, "House for sale", price=400_000)
    index = broker.index_page
    assert set(titles(client.get(index.url))) == {"Flat to rent", "Flat to rent 2"}
    tree = parse(client.get(index.url))
    current = tree.xpath("//nav[@aria-label='Buy or rent']/a[@aria-current]")
    assert [text(a) for a in current] == ["Rent (2)"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["C", "A"]),  # newest first: make_listing publishes n hours apart
        ("neu", ["C", "A"]),
        ("preis", ["A", "C"]),
        ("-preis", ["C", "A"]),
        ("flaeche", ["A", "C"]),
        ("-flaeche", ["C", "A"]),
    ],
)
def test_sorting(client, stock, sort, expected):
    assert titles(client.get(f"{stock.url}?sort={sort}")) == expected
    rents = titles(client.get(f"{stock.url}?vermarktungsart=miete&sort={sort}"))
    assert set(rents) == {"B", "D"}  # rent and purchase never interleave


def test_features_and_reserved_filters(client, broker):
    from tests.frontend.listings import ausstattung

    listing(broker, 1, "Lift", extra_elements=[ausstattung('<fahrstuhl PERSONEN="true"/>')])
    listing(
        broker,
        2,
        "Lift and kitchen",
        extra_elements=[ausstattung('<kueche EBK="true"/>', '<fahrstuhl PERSONEN="true"/>')],
    )
    reserved = listing(broker, 3, "Reserved", extra_elements=[ausstattung()])
    reserved.openimmo_data["children"].append(
        {"tag": "zustand_angaben", "children": [
            {"tag": "verkaufstatus", "attrs": {"stand": "RESERVIERT"}}]}
    )
    reserved.save()
    index = broker.index_page
    assert set(titles(client.get(f"{index.url}?merkmal=aufzug"))) == {"Lift", "Lift and kitchen"}
    assert titles(client.get(f"{index.url}?merkmal=aufzug&merkmal=einbaukueche")) == [
        "Lift and kitchen"
    ]
    assert "Reserved" in titles(client.get(index.url))
    assert "Reserved" not in titles(client.get(f"{index.url}?ohne_reserviert=on"))
    card = parse(client.get(index.url)).xpath(
        f"//li[{cls('openimmo-card')}][.//a[normalize-space()='Reserved']]"
        f"//*[{cls('openimmo-badge')}]"
    )
    assert [text(b) for b in card] == ["Reserved"]


def test_listings_without_price_sort_last_both_ways(client, stock, broker):
    listing(broker, 5, "E", price=None, kaufpreis_auf_anfrage=True)
    assert titles(client.get(f"{stock.url}?sort=preis"))[-1] == "E"
    assert titles(client.get(f"{stock.url}?sort=-preis"))[-1] == "E"


def test_invalid_values_are_reported_and_the_other_filters_still_apply(client, stock):
    response = client.get(f"{stock.url}?preis_min=abc&ort=Mainz&sort=cheapest&objektart=ufo")
    assert set(titles(response)) == {"A"}
    tree = parse(response)
    errors = {e.get("id") for e in tree.xpath(f"//form[@role='search']//ul[{cls('errorlist')}]")}
    assert errors == {"id_preis_min_error", "id_sort_error", "id_objektart_error"}
    assert tree.get_element_by_id("id_preis_min").get("aria-invalid") == "true"


def test_price_range_the_wrong_way_round_is_an_error(client, stock):
    response = client.get(f"{stock.url}?preis_min=500000&preis_max=1000")
    assert b"The upper price must not be below the lower." in response.content
    assert set(titles(response)) == {"C"}  # preis_min still applies


def test_the_form_offers_only_the_kinds_of_property_the_broker_has(client, stock):
    tree = parse(client.get(stock.url))
    options = [o.get("value") for o in tree.xpath("//select[@id='id_objektart']/option")]
    assert options == ["", "wohnung", "haus"]  # sorted by label: Apartment, House


def test_pagination_keeps_the_filters_in_the_query_string(client, broker):
    index = broker.index_page
    index.page_size = 2
    index.save()
    for n in range(5):
        listing(broker, n, f"Mainz {n}", ort="Mainz")
    listing(broker, 9, "Elsewhere", ort="Köln", plz="50667")

    first = client.get(f"{index.url}?ort=Mainz")
    assert titles(first) == ["Mainz 4", "Mainz 3"]
    next_link = parse(first).xpath("//nav[@aria-label='Pages']//a[@rel='next']")[0].get("href")
    assert next_link == "?ort=Mainz&page=2"
    assert b"5 listings" in first.content

    assert titles(client.get(f"{index.url}?ort=Mainz&page=2")) == ["Mainz 2", "Mainz 1"]
    assert titles(client.get(f"{index.url}?ort=Mainz&page=3")) == ["Mainz 0"]
    # Out-of-range and nonsense page numbers give a page, never an error.
    assert titles(client.get(f"{index.url}?ort=Mainz&page=99")) == ["Mainz 0"]
    assert titles(client.get(f"{index.url}?ort=Mainz&page=x")) == ["Mainz 4", "Mainz 3"]


def test_references_are_shown_apart_or_hidden(client, broker, stock):
    listing(broker, 7, "Sold house", is_reference=True)
    response = client.get(stock.url)
    assert "Sold house" not in titles(response)
    assert titles(response, "openimmo-references") == ["Sold house"]
    assert b"2 listings" in response.content
    badge = parse(response).xpath(
        f"//section[{cls('openimmo-references')}]//*[{cls('openimmo-badge')}]"
    )
    assert [text(b) for b in badge] == ["Sold"]

    stock.reference_display = stock.REFERENCES_HIDDEN
    stock.save()
    response = client.get(stock.url)
    assert b"Sold house" not in response.content
    assert titles(response, "openimmo-references") == []


def test_only_this_brokers_live_listings_are_shown(client, broker, stock):
    other = make_broker("other")
    listing(other, 5, "Other broker's flat")
    draft = listing(broker, 6, "Draft", live=False)
    gone = listing(broker, 8, "Gone")
    withdraw(gone)
    shown = titles(client.get(stock.url))
    assert set(shown) == {"A", "C"}
    assert draft.title not in shown
    assert titles(client.get(other.index_page.url)) == ["Other broker's flat"]


def test_free_text_search_uses_wagtails_search_backend(client, stock, broker):
    listing(broker, 5, "E", objektbeschreibung="Großzügige Dachterrasse mit Blick auf den Rhein")
    assert titles(client.get(f"{stock.url}?q=Dachterrasse")) == ["E"]
    assert titles(client.get(f"{stock.url}?q=Wiesbaden")) == ["C"]  # the city
    assert titles(client.get(f"{stock.url}?q=Dachterrasse&vermarktungsart=miete")) == []


def test_cards_show_price_rooms_area_and_the_title_picture(client, broker):
    page = listing(broker, 1, "Flat", price=345_000, rooms=3, area=Decimal("85.5"), images=2)
    response = client.get(broker.index_page.url, HTTP_ACCEPT_LANGUAGE="de")
    card = parse(response).xpath(f"//li[{cls('openimmo-card')}]")[0]
    assert [text(dd) for dd in card.xpath(".//dd")] == ["345.000 €", "3", "85,5 m²"]
    image = card.xpath(".//img")[0]
    assert image.get("alt") == "Ansicht"  # the TITELBILD's title
    assert image.get("loading") == "lazy"
    assert "fill-480x320" in image.get("src") and "fill-960x640" in image.get("srcset")
    assert card.xpath(".//a")[0].get("href") == page.url


# Routing (site, pages, view restrictions: 5), the kinds of property, the count, the page of
# listings, their pictures and renditions, the same two for the references, and the index's
# broker (does it offer the withdrawal button?), and the site's settings (Settings → OpenImmo
# website: search agents, privacy link): 15 whether there are ten listings or a hundred.
MAX_INDEX_QUERIES = 15


@pytest.mark.parametrize("count", [10, 100])
def test_query_count_does_not_grow_with_the_listings(
    client, broker, count, django_assert_max_num_queries
):
    index = broker.index_page
    index.page_size = 100
    index.save()
    for n in range(count):
        listing(broker, n, f"L{n}", images=1, image_size=(48, 32), is_reference=n % 10 == 0)
    client.get(index.url)  # renditions are created on the first view
    with django_assert_max_num_queries(MAX_INDEX_QUERIES):
        response = client.get(f"{index.url}?sort=preis&ort=Mainz")
    assert len(titles(response)) == count - count // 10
    assert len(titles(response, "openimmo-references")) == count // 10
    assert response.content.count(b'class="openimmo-card__image"') == count  # all pictured


def test_canonical_url_and_robots_of_the_index(client, broker):
    """One canonical URL per page of results; filtered views are not indexed."""
    index = broker.index_page
    index.page_size = 2
    index.save()
    for n in range(3):
        listing(broker, n, f"L{n}")
    full = index.get_full_url()

    def head(query=""):
        tree = parse(client.get(f"{index.url}{query}"))
        return (
            tree.xpath("//link[@rel='canonical']/@href"),
            tree.xpath("//meta[@name='robots']/@content"),
            tree.xpath("//meta[@property='og:url']/@content"),
        )

    assert head() == ([full], [], [full])
    assert head("?page=2") == ([f"{full}?page=2"], [], [f"{full}?page=2"])
    assert head("?ort=Mainz&sort=preis") == ([full], ["noindex, follow"], [full])


@pytest.mark.parametrize(
    "term",
    ['"', 'Dachterrasse"', '"Dachterrasse', "*", "(", ")", "Dachterrasse*", "(Dachterrasse",
     "NEAR(", "AND", "OR NOT", "-", "^", ":", "col:Dachterrasse", "{x}", "\\", "%", "'",
     "\x00", "NOT Dachterrasse", '""', "Dachterrasse AND"],
)
def test_search_syntax_characters_never_answer_500(client, stock, broker, term):
    """Issue 15, item 6: a ``"`` made Wagtail's SQLite backend fail (unterminated string)."""
    listing(broker, 5, "E", objektbeschreibung="Großzügige Dachterrasse mit Blick auf den Rhein")
    from urllib.parse import quote

    response = client.get(f"{stock.url}?q={quote(term)}")
    assert response.status_code == 200
    shown = titles(response)
    # a term whose one word is Dachterrasse still finds it; one without a word shows the list
    words = re.findall(r"\w+", term)
    if words == ["Dachterrasse"]:
        assert shown == ["E"]
    elif not any(c.isalnum() for c in term):
        # the list as without a search (the index's default marketing type)
        assert shown == titles(client.get(stock.url))
