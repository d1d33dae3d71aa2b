"""What visitors get, in a real browser at 1366×900 and 390×844, in German: a 30-picture
listing with price and facts in the first desktop screen, no sideways scroll, the filters
collapsed on phones, rent and purchase never interleaved, badges, the PDF exposé, and
axe-core with no violations on the index, a listing, the portal search and the watchlist.

axe-core is the npm package pinned in ``tests/browser/js`` (``npm ci --prefix
tests/browser/js``; ``.ci/run`` does it). Screenshots for the README go to
``docs/screenshots/`` when ``OPENIMMO_DOCS_SCREENSHOTS=1``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from wagtail.models import Page

from tests.browser.conftest import ROOT, screenshot
from tests.frontend.listings import ausstattung, make_listing
from tests.helpers import make_broker
from wagtail_openimmo.models import PortalSearchPage, WatchlistPage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = ROOT / "tests" / "browser" / "js" / "node_modules" / "axe-core" / "axe.min.js"
DOCS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def axe_path() -> Path:
    if not AXE.exists():
        reason = "axe-core is not installed (npm ci --prefix tests/browser/js)"
        if os.environ.get("OPENIMMO_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(axe_path()))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return result


def overflow(page) -> int:
    """How many pixels the page scrolls sideways (0: none)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def too_wide(page) -> list[str]:
    """The elements that reach beyond the viewport's right edge: for the failure message."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .slice(0, 8)
            .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right);
        }"""
    )


def shot(page, name: str, *, full_page: bool = False):
    screenshot(page, name, full_page=full_page)
    if os.environ.get("OPENIMMO_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def site(example_site_look, settings):
    settings.WAGTAIL_OPENIMMO = {"NEW_LISTING_DAYS": 14}
    broker = make_broker("demo", name="Demo Immobilien GmbH")
    other = make_broker("nord", name="Nord Makler")
    now = timezone.now()
    rich = make_listing(
        broker, 0, images=30, image_size=(800, 600),
        title="Helle 4-Zimmer-Wohnung mit Balkon und sehr langem Titel am Rheinufer in Mainz",
        vermarktungsart="KAUF", kaufpreis=Decimal(489_000), hausgeld=Decimal(390),
        published_at=now - dt.timedelta(days=2),
        extra_elements=[ausstattung('<kueche EBK="true"/>', '<fahrstuhl PERSONEN="true"/>')],
    )
    pages = {"rich": rich}
    for n in range(1, 8):
        pages[n] = make_listing(broker, n, images=3, image_size=(800, 600),
                                published_at=now - dt.timedelta(days=30 + n))
    reserved = pages[3]
    reserved.openimmo_data["children"].append(
        {"tag": "zustand_angaben", "children": [
            {"tag": "verkaufstatus", "attrs": {"stand": "RESERVIERT"}}]}
    )
    reserved.save()
    make_listing(other, 9, images=2, image_size=(800, 600), published_at=now)
    home = Page.get_first_root_node().get_children().first()
    portal = home.add_child(instance=PortalSearchPage(title="Immobiliensuche", slug="suche"))
    watchlist = home.add_child(instance=WatchlistPage(title="Merkzettel", slug="merkzettel"))
    return broker, pages, portal, watchlist


def german(chromium, viewport):
    context = chromium(locale="de-DE")
    page = context.new_page()
    page.set_viewport_size(viewport)
    return page


def test_thirty_pictures_price_and_facts_in_the_first_desktop_screen(live_server, chromium, site):
    broker, pages, _portal, _watchlist = site
    page = german(chromium, DESKTOP)
    page.goto(live_server.url + pages["rich"].url)
    price = page.locator(".openimmo-summary__price")
    assert "489.000\u00a0€" in price.inner_text()
    for locator in (price, page.locator(".openimmo-summary__facts")):
        box = locator.bounding_box()
        assert box["y"] + box["height"] <= DESKTOP["height"]
    assert page.locator(".openimmo-gallery__strip img").count() == 4
    more = page.locator(".openimmo-gallery__more")
    assert "weitere Bilder" in more.inner_text()
    assert overflow(page) == 0
    shot(page, "listing-desktop")
    # "+N Bilder" opens the lightbox at the first picture not shown; 24 pictures are photos.
    more.click()
    counter = page.locator("dialog[open] [data-lightbox-counter]")
    assert counter.inner_text() == "6 / 24"
    page.keyboard.press("ArrowRight")
    assert counter.inner_text() == "7 / 24"
    page.keyboard.press("Escape")


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.mark.parametrize("width", [360, 390, 414])
def test_no_sideways_scroll_on_phones(live_server, chromium, site, width):
    broker, pages, portal, watchlist = site
    page = german(chromium, {"width": width, "height": 844})
    for url in (broker.index_page.url, pages["rich"].url, portal.url, watchlist.url):
        page.goto(live_server.url + url)
        assert overflow(page) == 0, (url, too_wide(page))
        if url == portal.url and width == 390:
            page.screenshot(path=str(ARTIFACTS / "portal-390.png"), full_page=True)


def test_phone_filters_collapsed_and_a_contact_bar(live_server, chromium, site):
    broker, pages, _portal, _watchlist = site
    page = german(chromium, PHONE)
    page.goto(live_server.url + broker.index_page.url)
    summary = page.locator(".openimmo-filters__summary")
    assert summary.is_visible()
    assert "Angebote" in summary.inner_text()
    assert not page.get_by_label("Ort oder PLZ").is_visible()
    shot(page, "index-mobile")
    summary.click()
    assert page.get_by_label("Ort oder PLZ").is_visible()

    page.goto(live_server.url + pages["rich"].url)
    bar = page.locator(".openimmo-action-bar")
    assert bar.is_visible()
    assert bar.get_by_role("link", name="Anrufen").get_attribute("href").startswith("tel:")
    assert bar.get_by_role("link", name="Anfrage").get_attribute("href") == "#contact"
    shot(page, "listing-mobile")

    desktop = german(chromium, DESKTOP)
    desktop.goto(live_server.url + broker.index_page.url)
    assert desktop.get_by_label("Ort oder PLZ").is_visible()  # open on wide screens
    assert desktop.locator(".openimmo-filters__details").get_attribute("open") is not None
    shot(desktop, "index-desktop")


def test_sorting_never_interleaves_rent_and_purchase(live_server, chromium, site):
    broker, _pages, _portal, _watchlist = site
    page = german(chromium, DESKTOP)
    page.goto(live_server.url + broker.index_page.url + "?sort=preis")
    labels = page.locator(".openimmo-card__price dt").all_inner_texts()
    assert labels and set(labels) == {"Kaufpreis"}
    page.get_by_role("link", name="Mieten").click()
    page.wait_for_url("**vermarktungsart=miete**")
    labels = page.locator(".openimmo-card__price dt").all_inner_texts()
    assert labels and set(labels) <= {"Kaltmiete", "Warmmiete", "Nettokaltmiete"}


def test_badges_on_cards(live_server, chromium, site):
    broker, pages, _portal, _watchlist = site
    page = german(chromium, DESKTOP)
    page.goto(live_server.url + broker.index_page.url)
    card = page.locator(".openimmo-card", has=page.get_by_role("link", name=pages[3].title))
    assert "Reserviert" in card.locator(".openimmo-badge").all_inner_texts()
    card = page.locator(".openimmo-card", has=page.get_by_role("link", name=pages["rich"].title))
    assert "Neu" in card.locator(".openimmo-badge").all_inner_texts()
    page.get_by_text("Reservierte ausblenden").click()
    page.get_by_role("button", name="Angebote anzeigen").click()
    page.wait_for_url("**ohne_reserviert=on**")
    assert page.get_by_role("link", name=pages[3].title).count() == 0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_expose_downloads_with_title_and_price(live_server, chromium, site, tmp_path):
    pytest.importorskip("weasyprint")
    _broker, pages, _portal, _watchlist = site
    page = german(chromium, DESKTOP)
    page.goto(live_server.url + pages["rich"].url)
    href = page.get_by_role("link", name="Exposé (PDF)").get_attribute("href")
    response = page.request.get(live_server.url + href, headers={"Accept-Language": "de"})
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "expose.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Helle 4-Zimmer-Wohnung" in text and "489.000 €" in text


def test_watchlist_saves_in_the_browser_and_lists_on_the_page(live_server, chromium, site):
    _broker, pages, _portal, watchlist = site
    page = german(chromium, DESKTOP)
    page.goto(live_server.url + pages["rich"].url)
    save = page.get_by_role("button", name="Merken")
    save.click()
    assert save.get_attribute("aria-pressed") == "true"
    page.goto(live_server.url + pages[2].url)
    page.get_by_role("button", name="Merken").click()
    page.goto(live_server.url + watchlist.url)
    titles = page.locator(".openimmo-card__title a").all_inner_texts()
    assert titles == [pages[2].title, pages["rich"].title]
    shot(page, "watchlist-desktop")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_violations(live_server, chromium, site, viewport):
    broker, pages, portal, watchlist = site
    page = german(chromium, viewport)
    page.goto(live_server.url + pages["rich"].url)
    page.get_by_role("button", name="Merken").click()  # so the watchlist has a card
    for url in (broker.index_page.url, pages["rich"].url, portal.url, watchlist.url):
        page.goto(live_server.url + url)
        assert axe_violations(page) == [], url
    if viewport is DESKTOP:
        page.goto(live_server.url + portal.url)
        shot(page, "portal-desktop")
