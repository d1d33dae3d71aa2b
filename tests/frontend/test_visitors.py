"""What visitors get beyond the basics: the portal search over many brokers, the watchlist,
similar listings for a withdrawn one, the PDF exposé, the energy scale, badges, the rent a
visitor compares and the plain map link."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import Page

from tests.frontend.html import cls, parse, text
from tests.frontend.listings import ausstattung, make_listing, withdraw
from tests.helpers import make_broker
from wagtail_openimmo.frontend import filters, presentation
from wagtail_openimmo.frontend.filters import ListingFilterForm
from wagtail_openimmo.models import ListingPage, PortalSearchPage, WatchlistPage
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db


def flat(broker, n, title, *, miete=False, price=300_000, **fields):
    values = {
        "title": title,
        "vermarktungsart": "MIETE_PACHT" if miete else "KAUF",
        "kaufpreis": None if miete else Decimal(price),
        "kaltmiete": Decimal(price) if miete else None,
        "objektart": "wohnung",
    }
    values.update(fields)
    return make_listing(broker, n, images=0, **values)


def titles(response):
    assert response.status_code == 200
    return [text(a) for a in parse(response).xpath(f"//*[{cls('openimmo-card__title')}]/a")]


def add_page(page):
    root = Page.get_first_root_node().get_children().first()
    root.add_child(instance=page)
    return page


# --- the portal ------------------------------------------------------------------------


def test_portal_lists_the_listings_of_all_or_chosen_brokers_with_a_broker_filter(client, broker):
    other = make_broker("other", name="Other Makler")
    third = make_broker("third", name="Third Makler")
    flat(broker, 1, "Acme flat")
    flat(other, 2, "Other flat")
    flat(third, 3, "Third flat")
    flat(other, 4, "Other rental", miete=True, price=800)
    flat(broker, 5, "Acme sold", is_reference=True)
    portal = add_page(PortalSearchPage(title="Alle Angebote", slug="angebote"))

    assert set(titles(client.get(portal.url))) == {"Acme flat", "Other flat", "Third flat"}
    assert titles(client.get(f"{portal.url}?vermarktungsart=miete")) == ["Other rental"]
    assert titles(client.get(f"{portal.url}?anbieter=other")) == ["Other flat"]
    tree = parse(client.get(portal.url))
    options = [o.get("value") for o in tree.xpath("//select[@id='id_anbieter']/option")]
    assert options == ["", "acme", "other", "third"]
    assert "Other Makler" in text(tree.xpath(f"//*[{cls('openimmo-card__broker')}]")[1]) or any(
        "Other Makler" in text(x) for x in tree.xpath(f"//*[{cls('openimmo-card__broker')}]")
    )

    portal.brokers.set([broker, other])
    portal.save()
    assert set(titles(client.get(portal.url))) == {"Acme flat", "Other flat"}
    options = [o.get("value") for o in parse(client.get(portal.url)).xpath(
        "//select[@id='id_anbieter']/option")]
    assert options == ["", "acme", "other"]


def test_portal_query_count_does_not_grow_with_the_listings(client, django_assert_num_queries):
    """Constant queries for 10 and for 60 listings of several brokers (the same count)."""
    brokers = [make_broker(f"b{i}") for i in range(3)]
    portal = add_page(PortalSearchPage(title="Portal", slug="portal", page_size=100))

    def count_for(total):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(portal.url)  # renditions are made on the first view
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{portal.url}?sort=preis&ort=Mainz")
        assert len(titles(response)) == total
        return len(queries)

    for n in range(10):
        make_listing(brokers[n % 3], n, images=1, image_size=(48, 32), ort="Mainz",
                     vermarktungsart="KAUF", kaufpreis=Decimal(100_000 + n))
    few = count_for(10)
    for n in range(10, 60):
        make_listing(brokers[n % 3], n, images=1, image_size=(48, 32), ort="Mainz",
                     vermarktungsart="KAUF", kaufpreis=Decimal(100_000 + n))
    assert count_for(60) == few


# --- the python twin of the filters ------------------------------------------------------


def test_listing_matches_agrees_with_the_queryset_filter(broker):
    pages = [
        flat(broker, 1, "Cheap flat", price=150_000, anzahl_zimmer=Decimal(2), ort="Mainz",
             plz="55116"),
        flat(broker, 2, "Big flat", price=450_000, anzahl_zimmer=Decimal(5), ort="Mainz",
             plz="55118", extra_elements=[ausstattung('<fahrstuhl PERSONEN="true"/>')]),
        flat(broker, 3, "Rental", miete=True, price=900, ort="Wiesbaden", plz="65183"),
    ]
    queries = [
        {}, {"vermarktungsart": "miete"}, {"preis_max": "200000"}, {"zimmer_min": "3"},
        {"ort": "551"}, {"merkmal": ["aufzug"]}, {"vermarktungsart": "miete", "ort": "wies"},
        {"preis_min": "1000", "vermarktungsart": "miete"},
    ]
    for query in queries:
        form = ListingFilterForm(query)
        expected = set(form.filter(ListingPage.objects.all()).values_list("pk", flat=True))
        criteria = form.criteria()
        matched = {p.pk for p in pages if filters.listing_matches(p, criteria)}
        assert matched == expected, query


# --- watchlist and withdrawn listings ----------------------------------------------------


def test_watchlist_page_shows_the_saved_live_listings_from_the_cookie(client, broker):
    one = flat(broker, 1, "Saved one")
    two = flat(broker, 2, "Saved two")
    gone = withdraw(flat(broker, 3, "Saved but gone"))
    page = add_page(WatchlistPage(title="Merkzettel", slug="merkzettel"))
    assert titles(client.get(page.url)) == []
    client.cookies["openimmo_merkzettel"] = f"{two.pk}.{gone.pk}.x.{one.pk}"
    response = client.get(page.url)
    assert titles(response) == ["Saved two", "Saved one"]
    assert b"noindex" in response.content


def test_withdrawn_listing_offers_similar_listings(client, broker):
    gone = withdraw(flat(broker, 1, "Gone flat", price=300_000))
    flat(broker, 2, "Close in price", price=310_000)
    flat(broker, 3, "Far in price", price=900_000)
    flat(broker, 4, "A rental", miete=True, price=900)
    response = client.get(f"{broker.index_page.url}{gone.slug}/")
    assert response.status_code == 410
    similar = parse(response).xpath(
        f"//section[{cls('openimmo-similar')}]//*[{cls('openimmo-card__title')}]/a"
    )
    assert [text(a) for a in similar] == ["Close in price", "Far in price"]


# --- the listing page ------------------------------------------------------------------


def test_badges_new_reserved_and_commission_free(broker, settings):
    settings.WAGTAIL_OPENIMMO = {"NEW_LISTING_DAYS": 7}
    page = flat(broker, 1, "Fresh", published_at=timezone.now() - dt.timedelta(days=2),
                provisionspflichtig=False)
    assert [b.code for b in presentation.badges(page)] == ["neu", "provisionsfrei"]
    old = flat(broker, 2, "Old", published_at=timezone.now() - dt.timedelta(days=30),
               aussen_courtage="provisionsfrei")
    assert [b.code for b in presentation.badges(old)] == ["provisionsfrei"]
    old.verkaufstatus = "RESERVIERT"
    assert [b.code for b in presentation.badges(old)][0] == "reserviert"
    sold = flat(broker, 3, "Sold", is_reference=True, provisionspflichtig=False)
    assert [b.code for b in presentation.badges(sold)] == ["verkauft"]


def test_rent_shows_warmmiete_or_gesamtmiete(client, broker):
    page = flat(broker, 1, "Rental", miete=True, price=1000, nebenkosten=Decimal(200),
                heizkosten=Decimal(80), heizkosten_enthalten=False, warmmiete=None)
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    assert text(tree.xpath(f"//*[{cls('openimmo-summary__second')}]")[0]) == (
        "Gesamtmiete: 1.280 €"
    )
    page.warmmiete = Decimal(1250)
    page.save()
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    assert text(tree.xpath(f"//*[{cls('openimmo-summary__second')}]")[0]) == (
        "Warmmiete: 1.250 €"
    )


def test_energy_scale_marks_the_value_and_has_a_text_alternative(client, broker):
    page = flat(broker, 1, "Flat", epass_endenergiebedarf=Decimal("85.5"), epass_wertklasse="C",
                epass_epart="BEDARF")
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    svg = tree.xpath("//figure[contains(@class,'openimmo-energy-scale')]//svg")[0]
    assert svg.get("role") == "img"
    label = tree.get_element_by_id(svg.get("aria-labelledby"))
    assert "85,5 kWh/(m²·a)" in text(label) and "Effizienzklasse C" in text(label)
    assert [t.text for t in svg.xpath(".//text")][:9] == [
        "A+", "A", "B", "C", "D", "E", "F", "G", "H"
    ]


@pytest.mark.parametrize(
    ("value", "klasse"),
    [("29.9", "A+"), ("30", "A"), ("74.9", "B"), ("99", "C"), ("129.5", "D"), ("159", "E"),
     ("169.5", "F"), ("249", "G"), ("250", "H")],
)
def test_energy_classes_follow_geg(value, klasse):
    assert presentation.energy_class(Decimal(value)) == klasse
    assert generate.energy_class(Decimal(value)) == klasse


def test_demo_data_values_and_classes_agree():
    for n in range(40):
        energie = generate.demo_property(n, images=0).energie
        if not energie:
            continue
        value = next(v for k, v in energie.items() if k.endswith(("bedarf", "kennwert")))
        assert energie["wertklasse"] == presentation.energy_class(Decimal(value)), n


def test_key_features_checklist_and_osm_link(client, broker):
    page = flat(broker, 1, "Flat", extra_elements=[
        ausstattung('<kueche EBK="true"/>', '<fahrstuhl PERSONEN="true"/>',
                    "<gartennutzung>true</gartennutzung>")
    ])
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    checklist = [text(li) for li in tree.xpath(f"//ul[{cls('openimmo-checklist')}]/li")]
    assert checklist == ["Einbauküche", "Aufzug", "Garten"]
    link = tree.xpath(f"//*[{cls('openimmo-osm-link')}]/a")[0]
    assert link.get("href").startswith("https://www.openstreetmap.org/?mlat=")
    assert text(link).startswith("Auf OpenStreetMap ansehen")

    page.objektadresse_freigeben = False
    page.save()
    tree = parse(client.get(page.url))
    assert not tree.xpath(f"//*[{cls('openimmo-osm-link')}]")


def test_gallery_shows_a_hero_a_strip_and_more_pictures(client, broker):
    page = make_listing(broker, 1, images=12)  # every fifth is a floor plan
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    assert len(tree.xpath(f"//figure[{cls('openimmo-gallery__hero')}]//img")) == 1
    assert len(tree.xpath(f"//ul[{cls('openimmo-gallery__strip')}]//img")) == 4
    more = tree.xpath(f"//a[{cls('openimmo-gallery__more')}]")[0]
    assert more.get("href") == "?bilder=alle#openimmo-gallery"
    assert "5 weitere Bilder" in text(more)  # 12 pictures, 2 floor plans, 5 shown
    floor_plans = tree.xpath(f"//section[{cls('openimmo-floor-plans')}]//img")
    assert len(floor_plans) == 2
    all_ = parse(client.get(f"{page.url}?bilder=alle"))
    assert len(all_.xpath(f"//ul[{cls('openimmo-gallery__strip')}]//img")) == 9


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_expose_has_the_title_and_the_price(client, broker, tmp_path):
    pytest.importorskip("weasyprint")
    page = make_listing(broker, 1, images=3, title="Helle Wohnung am Rhein",
                        vermarktungsart="KAUF", kaufpreis=Decimal(345_000))
    tree = parse(client.get(page.url, HTTP_ACCEPT_LANGUAGE="de"))
    href = tree.xpath(f"//a[{cls('openimmo-summary__expose')}]")[0].get("href")
    response = client.get(href, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "expose.pdf"
    pdf.write_bytes(response.content)
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "Helle Wohnung am Rhein" in out
    assert "345.000 €" in out
    pages = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert len(pages) >= 2  # the pictures are in it


def test_pdf_expose_is_off_when_disabled(client, broker, settings):
    settings.WAGTAIL_OPENIMMO = {"PDF_EXPOSE_ENABLED": False}
    page = flat(broker, 1, "Flat")
    assert client.get(f"{page.url}expose/").status_code == 404
    assert b"expose/" not in client.get(page.url).content
