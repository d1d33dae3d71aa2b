"""A listing page: gallery, facts in the visitor's language, energy certificate, features,
downloads, location with an opt-in map, structured data — and withdrawn listings."""

import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from tests.frontend.html import cls, parse, text
from tests.frontend.listings import ausstattung, make_listing, withdraw
from wagtail_openimmo.models import ListingAttachment

pytestmark = pytest.mark.django_db


def facts(tree, css_class="openimmo-facts"):
    rows = tree.xpath(f"//dl[{cls(css_class)}]/div")
    return {text(row.xpath("dt")[0]): text(row.xpath("dd")[0]) for row in rows}


def test_rent_listing_in_german_shows_the_german_price_conventions(client, broker):
    page = make_listing(
        broker,
        1,
        vermarktungsart="MIETE_PACHT",
        kaufpreis=None,
        kaltmiete=Decimal("1234.50"),
        nebenkosten=Decimal("210"),
        heizkosten=None,
        heizkosten_enthalten=True,
        kaution=Decimal("3703.50"),
        aussen_courtage="provisionsfrei",
        wohnflaeche=Decimal("85.5"),
        anzahl_zimmer=Decimal("3.5"),
    )
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    shown = facts(tree)
    assert tree.xpath("/html/@lang") == ["de"]
    # German labels from the shipped catalogue, German number formats.
    assert shown["Kaltmiete"] == "1.234,50 €"
    assert shown["Nebenkosten"] == "210 €"
    assert shown["Heizkosten"] == "in Nebenkosten enthalten"
    assert shown["Kaution"] == "3.703,50 €"
    assert shown["Provision"] == "provisionsfrei"
    assert shown["Wohnfläche"] == "85,5 m²"
    assert shown["Zimmer"] == "3,5"
    assert "Kaufpreis" not in shown


def test_with_wagtail_i18n_the_page_locale_decides_the_language(client, broker, settings):
    """``WAGTAIL_I18N_ENABLED``: a German page is German whatever the browser asks for."""
    from wagtail.models import Locale, Page

    settings.WAGTAIL_I18N_ENABLED = True
    page = make_listing(
        broker,
        1,
        vermarktungsart="MIETE_PACHT",
        kaufpreis=None,
        kaltmiete=Decimal("1234.50"),
        wohnflaeche=Decimal("85.5"),
    )
    english = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en")
    assert facts(parse(english))["Rent (excl. heating)"] == "€1,234.50"  # an English page

    german = Locale.objects.create(language_code="de")
    Page.objects.filter(pk__in=[page.pk, broker.index_page.pk]).update(locale=german)
    response = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en")
    tree = parse(response)
    assert facts(tree)["Kaltmiete"] == "1.234,50 €"
    assert facts(tree)["Wohnfläche"] == "85,5 m²"
    assert tree.xpath("/html/@lang") == ["de"] and response["Content-Language"] == "de"
    index = parse(client.get(broker.index_page.url, HTTP_ACCEPT_LANGUAGE="en"))
    assert index.xpath("/html/@lang") == ["de"]
    assert "1.234,50 €" in [text(dd) for dd in index.xpath(f"//li[{cls('openimmo-card')}]//dd")]
    # An enquiry with errors answers in the page's language too.
    invalid = client.post(page.url, {"contact-name": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert invalid.status_code == 200 and parse(invalid).xpath("/html/@lang") == ["de"]

    settings.WAGTAIL_I18N_ENABLED = False  # one page for all languages: the visitor's
    assert facts(parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="en")))["Rent (excl. heating)"]


def test_purchase_listing_in_english(client, broker):
    page = make_listing(
        broker,
        0,
        kaufpreis=Decimal("1234567"),
        hausgeld=Decimal("310"),
        aussen_courtage="3,57 % inkl. MwSt.",
        grundstuecksflaeche=Decimal("512"),
    )
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="en"))
    shown = facts(tree)
    assert shown["Purchase price"] == "€1,234,567"
    assert shown["Maintenance fee (Hausgeld)"] == "€310"
    assert shown["Buyer's commission"] == "3,57 % inkl. MwSt."
    assert shown["Plot area"] == "512 m²"
    headline = text(tree.xpath(f"//*[{cls('openimmo-summary__price')}]")[0])
    assert headline == "Purchase price €1,234,567"


def test_purchase_listing_in_german(client, broker):
    page = make_listing(
        broker,
        0,
        kaufpreis=Decimal("1234567"),
        hausgeld=Decimal("310.50"),
        aussen_courtage="3,57 % inkl. MwSt.",
        wohnflaeche=Decimal("120.25"),
        anzahl_zimmer=Decimal("4"),
    )
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    shown = facts(tree)
    assert shown["Kaufpreis"] == "1.234.567 €"
    assert shown["Hausgeld"] == "310,50 €"
    assert shown["Käuferprovision"] == "3,57 % inkl. MwSt."
    assert shown["Wohnfläche"] == "120,25 m²"
    assert shown["Zimmer"] == "4"
    assert "Kaltmiete" not in shown
    headline = text(tree.xpath(f"//*[{cls('openimmo-summary__price')}]")[0])
    assert headline == "Kaufpreis 1.234.567 €"
    second = text(tree.xpath(f"//*[{cls('openimmo-summary__second')}]")[0])
    assert second == "Hausgeld: 310,50 €"  # for a flat for sale, next to the price


def test_price_on_request(client, broker):
    page = make_listing(broker, 0, kaufpreis=None, kaufpreis_auf_anfrage=True)
    shown = facts(parse(client.get(page.url)))
    assert shown["Purchase price"] == "on request"


def test_energy_certificate_shows_what_the_law_requires(client, broker):
    page = make_listing(
        broker,
        1,
        epass_epart="VERBRAUCH",
        epass_energieverbrauchkennwert=Decimal("112.30"),
        epass_endenergiebedarf=None,
        epass_mitwarmwasser=True,
        epass_primaerenergietraeger="FERN",
        epass_baujahr="1974",
        epass_wertklasse="D",
    )
    tree = parse(client.get(page.url))
    section = tree.xpath("//section[@aria-labelledby='openimmo-energy-heading']")[0]
    shown = {text(r.xpath("dt")[0]): text(r.xpath("dd")[0]) for r in section.xpath(".//dl/div")}
    assert shown["Energy certificate"] == "Energy consumption certificate (Verbrauchsausweis)"
    assert shown["Final energy consumption"] == "112.3 kWh/(m²·a) (including hot water)"
    assert shown["Main energy source"] == "District heating"
    assert shown["Year of construction (certificate)"] == "1974"
    assert shown["Energy efficiency class"] == "D"


def test_demand_certificate_in_german_as_the_law_words_it(client, broker):
    """A Bedarfsausweis: Endenergiebedarf instead of -verbrauch, German number format."""
    page = make_listing(
        broker,
        2,
        epass_epart="BEDARF",
        epass_endenergiebedarf=Decimal("85.25"),
        epass_energieverbrauchkennwert=None,
        epass_primaerenergietraeger="GAS",
        epass_baujahr="2003",
        epass_wertklasse="C",
        epass_gueltig_bis="2034-05-31",
    )
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    section = tree.xpath("//section[@aria-labelledby='openimmo-energy-heading']")[0]
    shown = {text(r.xpath("dt")[0]): text(r.xpath("dd")[0]) for r in section.xpath(".//dl/div")}
    assert shown["Energieausweis"] == "Bedarfsausweis"
    assert shown["Endenergiebedarf"] == "85,25 kWh/(m²·a)"
    assert "Endenergieverbrauch" not in shown
    assert shown["Wesentlicher Energieträger"] == "Gas"
    assert shown["Baujahr laut Energieausweis"] == "2003"
    assert shown["Energieeffizienzklasse"] == "C"
    assert shown["Gültig bis"] == "31. Mai 2034"


def test_no_energy_section_without_certificate_data(client, broker):
    page = make_listing(broker, 4)  # a plot: the generator sends no energiepass
    assert page.epass_epart is None
    assert b"openimmo-energy-heading" not in client.get(page.url).content


def test_features_from_the_stored_record(client, broker):
    page = make_listing(
        broker,
        0,
        extra_elements=[
            ausstattung(
                '<kueche EBK="true"/>',
                "<gaestewc>true</gaestewc>",
                '<stellplatzart TIEFGARAGE="true"/>',
            )
        ],
        ausstatt_beschr="Neues Bad 2023",
    )
    tree = parse(client.get(page.url))
    items = [text(li) for li in tree.xpath(f"//ul[{cls('openimmo-features')}]/li")]
    assert items == ["Fitted kitchen", "Guest WC", "Underground parking"]
    assert b"Neues Bad 2023" in client.get(page.url).content


def test_gallery_pictures_have_renditions_lazy_loading_and_alt_texts(client, broker):
    page = make_listing(broker, 0, images=3)
    untitled = page.attachments.get(sort_order=2)
    untitled.titel = ""
    untitled.save()
    tree = parse(client.get(page.url))
    links = tree.xpath("//a[@data-openimmo-lightbox]")
    assert len(links) == 3
    assert all(".max-1600x1200." in a.get("href") for a in links)  # works without JS
    images = [a.xpath(".//img")[0] for a in links]
    assert [i.get("alt") for i in images] == ["Ansicht", "Wohnzimmer", f"{page.title}, picture 3"]
    assert images[0].get("loading") is None  # the title picture loads at once
    assert [i.get("loading") for i in images[1:]] == ["lazy", "lazy"]
    assert all("fill-960x720" in i.get("srcset") for i in images)
    assert tree.xpath("//template[@id='openimmo-lightbox-template']")


def test_title_picture_comes_first_whatever_the_order(client, broker):
    page = make_listing(broker, 0, images=2)
    page.attachments.filter(gruppe="TITELBILD").update(sort_order=5)
    tree = parse(client.get(page.url))
    assert tree.xpath("//a[@data-openimmo-lightbox]//img/@alt")[0] == "Ansicht"


def test_floor_plans_and_documents_are_downloads(client, broker):
    page = make_listing(broker, 0, images=5)  # the fifth picture is a GRUNDRISS
    document = get_document_model().objects.create(
        title="Exposé", file=ContentFile(b"%PDF-1.4 test", name="expose.pdf")
    )
    ListingAttachment.objects.create(
        listing=page,
        kind="document",
        gruppe="DOKUMENTE",
        titel="Exposé als PDF",
        document=document,
        sort_order=9,
    )
    ListingAttachment.objects.create(
        listing=page,
        kind="link",
        gruppe="LINKS",
        titel="Virtueller Rundgang",
        url="https://tour.example/1",
    )
    tree = parse(client.get(page.url))
    section = tree.xpath("//section[@aria-labelledby='openimmo-downloads-heading']")[0]
    links = {text(a): a.get("href") for a in section.xpath(".//a")}
    assert links["Grundriss"].endswith(".jpg")
    assert links["Exposé als PDF"] == document.url
    assert links["Virtueller Rundgang (opens in a new window)"] == "https://tour.example/1"


def test_free_texts_with_broker_html_are_escaped(client, broker):
    page = make_listing(broker, 0, objektbeschreibung="Hell<br/>ruhig<script>alert(1)</script>")
    content = client.get(page.url).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "Hell<br>ruhig" in content


def json_ld(tree):
    scripts = tree.xpath("//script[@type='application/ld+json']/text()")
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_one_meta_description_from_the_search_description_or_the_listing(client, broker):
    """The base template renders a page's search description (as ``wagtail start``'s does);
    ``{% openimmo_head %}`` adds one only for a listing without it: never two."""
    page = make_listing(broker, 0)
    descriptions = parse(client.get(page.url)).xpath("//head/meta[@name='description']/@content")
    assert len(descriptions) == 1 and descriptions[0].startswith("Diese Immobilie")
    page.search_description = "Kurzbeschreibung für Suchmaschinen"
    page.save()
    tree = parse(client.get(page.url))
    assert tree.xpath("//head/meta[@name='description']/@content") == [
        "Kurzbeschreibung für Suchmaschinen"
    ]
    assert tree.xpath("//meta[@property='og:description']/@content") == [
        "Kurzbeschreibung für Suchmaschinen"
    ]
    index = broker.index_page
    index.search_description = "Alle Angebote"
    index.save()
    descriptions = parse(client.get(index.url)).xpath("//head/meta[@name='description']/@content")
    assert descriptions == ["Alle Angebote"]


def test_structured_data_open_graph_and_canonical(client, broker):
    page = make_listing(
        broker,
        0,
        kaufpreis=Decimal("250000"),
        wohnflaeche=Decimal("85.5"),
        anzahl_zimmer=Decimal("3"),
        images=2,
    )
    tree = parse(client.get(page.url))
    full_url = page.get_full_url()
    assert tree.xpath("//link[@rel='canonical']/@href") == [full_url]
    og = {m.get("property"): m.get("content") for m in tree.xpath("//meta[@property]")}
    assert og["og:title"] == page.title
    assert og["og:url"] == full_url
    assert (
        og["og:image"].startswith("http://localhost/media/") and "fill-1200x630" in og["og:image"]
    )
    assert og["og:description"].startswith("Diese Immobilie")
    assert og["og:locale"] == "en_US"  # language_TERRITORY, as Open Graph wants it
    german = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    assert german.xpath("//meta[@property='og:locale']/@content") == ["de_DE"]

    data = json_ld(tree)
    assert data["@type"] == "RealEstateListing"
    assert data["url"] == full_url
    assert data["image"] == [og["og:image"]]
    offer = data["offers"]
    assert (offer["@type"], offer["price"], offer["priceCurrency"]) == ("Offer", 250000, "EUR")
    place = offer["itemOffered"]
    assert place["@type"] == "Apartment"
    assert place["floorSize"] == {"@type": "QuantitativeValue", "value": 85.5, "unitCode": "MTK"}
    assert place["numberOfRooms"] == 3
    assert place["address"]["streetAddress"] == f"{page.strasse} {page.hausnummer}"
    assert place["geo"]["latitude"] == float(page.breitengrad)


def test_structured_data_of_a_house_to_rent(client, broker):
    page = make_listing(
        broker,
        2,
        vermarktungsart="MIETE_PACHT",
        kaufpreis=None,
        kaltmiete=Decimal("1850"),
        waehrung="EUR",
    )
    offer = json_ld(parse(client.get(page.url)))["offers"]
    assert offer["businessFunction"] == "http://purl.org/goodrelations/v1#LeaseOut"
    assert offer["price"] == 1850 and offer["itemOffered"]["@type"] == "House"
    assert offer["priceSpecification"] == {
        "@type": "UnitPriceSpecification",
        "price": 1850,
        "priceCurrency": "EUR",
        "unitCode": "MON",  # per month
    }


def test_json_ld_cannot_be_broken_out_of(client, broker):
    page = make_listing(broker, 0, dreizeiler="</script><script>alert(1)</script>")
    content = client.get(page.url).content.decode()
    assert "</script><script>alert(1)" not in content
    assert json_ld(parse(client.get(page.url)))["description"].startswith("</script>")


def test_address_not_released_hides_street_coordinates_and_map(client, broker, settings):
    settings.WAGTAIL_OPENIMMO = {"MAP_TILE_URL": "https://tiles.example/{z}/{x}/{y}.png"}
    page = make_listing(broker, 0, objektadresse_freigeben=False)
    response = client.get(page.url)
    content = response.content.decode()
    assert page.strasse not in content
    assert "The exact address is given on request." in content
    place = json_ld(parse(response))["offers"]["itemOffered"]
    assert "geo" not in place and "streetAddress" not in place["address"]
    assert "tiles.example" not in content


def test_no_map_without_a_tile_source(client, broker):
    page = make_listing(broker, 0)
    content = client.get(page.url).content
    assert b"openimmo-map" not in content


def test_map_tiles_load_only_after_consent(client, broker, settings):
    settings.WAGTAIL_OPENIMMO = {
        "MAP_TILE_URL": "https://{s}.tiles.example/{z}/{x}/{y}.png",
        "MAP_ATTRIBUTION": "© Example contributors",
    }
    page = make_listing(broker, 0)
    tree = parse(client.get(page.url))
    # Before consent the tiles are only inside an inert <template>: no request is made.
    loaded = [s for s in tree.xpath("//img[not(ancestor::template)]/@src") if "tiles." in s]
    assert loaded == []
    assert tree.xpath("//form[@action='#map']//button")
    assert "a.tiles.example" in text(tree.xpath(f"//*[{cls('openimmo-map__consent')}]/p")[0])

    tree = parse(client.get(f"{page.url}?map=1"))
    tiles = [s for s in tree.xpath("//img[not(ancestor::template)]/@src") if "tiles." in s]
    assert len(tiles) == 6
    assert all(src.startswith("https://a.tiles.example/15/") for src in tiles)
    assert "© Example contributors" in text(
        tree.xpath(f"//*[{cls('openimmo-map__attribution')}]")[0]
    )


def test_tile_position_follows_web_mercator():
    from wagtail_openimmo.frontend.maps import tile_position

    assert tile_position(0, 0, 1) == (1.0, 1.0)  # the centre of the world map
    assert tile_position(0, -180, 15) == (0.0, 16384.0)
    x, y = tile_position(85.0511, 180, 3)
    assert (x, round(y, 3)) == (8.0, 0.0)  # the top right corner
    # North of the equator y shrinks; the southern hemisphere mirrors the northern one.
    north, south = tile_position(50, 8, 10)[1], tile_position(-50, 8, 10)[1]
    assert north < 512 < south and round(north + south, 9) == 1024


@pytest.mark.parametrize("mode", ["gone", "redirect"])
def test_withdrawn_listing_is_gone_or_redirects(client, broker, settings, mode):
    settings.WAGTAIL_OPENIMMO = {"WITHDRAWN_LISTING_RESPONSE": mode}
    page = make_listing(broker, 0)
    url = page.url
    withdraw(page)
    response = client.get(url)
    if mode == "gone":
        assert response.status_code == 410
        tree = parse(response)
        assert text(tree.xpath("//h1")[0]) == "This listing is no longer available"
        assert tree.xpath("//meta[@name='robots']/@content") == ["noindex, follow"]
        assert tree.xpath("//main//a/@href") == [broker.index_page.url]
    else:
        assert response.status_code == 302
        assert response["Location"] == broker.index_page.url


def test_unpublished_draft_and_unknown_slug_are_404(client, broker):
    draft = make_listing(broker, 0, live=False)
    assert client.get(f"{broker.index_page.url}{draft.slug}/").status_code == 404
    assert client.get(f"{broker.index_page.url}no-such-listing/").status_code == 404
    # Deeper paths below a withdrawn listing are not answered as gone.
    gone = withdraw(make_listing(broker, 1))
    assert client.get(f"{broker.index_page.url}{gone.slug}/x/").status_code == 404


def test_withdrawn_listing_of_another_broker_is_not_found_under_this_index(client, broker):
    other = make_listing(make_broker_other(), 0)
    withdraw(other)
    assert client.get(f"{broker.index_page.url}{other.slug}/").status_code == 404


def make_broker_other():
    from tests.helpers import make_broker

    return make_broker("other")


def test_sitemap_lists_live_listings_with_lastmod_and_leaves_out_withdrawn(client, broker):
    live = make_listing(broker, 0)
    gone = withdraw(make_listing(broker, 1))
    draft = make_listing(broker, 2, live=False)
    content = client.get("/sitemap.xml").content.decode()
    assert live.get_full_url() in content
    assert gone.get_full_url() not in content and draft.get_full_url() not in content
    urls = live.get_sitemap_urls()
    assert urls[0]["lastmod"] == live.last_imported_at
    assert f"<lastmod>{live.last_imported_at.date().isoformat()}" in content


def test_the_apps_base_renders_the_wagtail_user_bar_for_editors(client, admin_client, broker):
    """Editors get Wagtail's user bar (edit this page, accessibility checker) on listings
    rendered in the app's own base template; visitors do not."""
    page = make_listing(broker, 1)
    assert "userbar" in admin_client.get(page.url).content.decode()
    assert "userbar" not in client.get(page.url).content.decode()
    head = parse(client.get(page.url)).xpath("/html/head")[0]
    assert head.xpath("link[@rel='stylesheet']/@href") == ["/static/wagtail_openimmo/openimmo.css"]
