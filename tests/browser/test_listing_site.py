"""A visitor in a real browser: filter the index, open a listing, flip through the gallery
with the keyboard, load the map after consent and send an enquiry — and the same pages
without JavaScript."""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal

import pytest
from django.core import mail

from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.frontend.listings import ausstattung, make_listing
from tests.helpers import make_broker
from wagtail_openimmo.openimmo import generate

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the live server needs committed data; afterwards the migrations'
    # rows (default site, root page) are restored for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TILES = "https://tiles.invalid/"


def in_mainz(n: int) -> dict:
    """Move the generator's n-th property to Mainz (title, texts, address, coordinates)."""
    prop = generate.demo_property(n, images=0)
    plz, ort, land, strasse, lat, lon = next(c for c in generate.CITIES if c[1] == "Mainz")
    return {
        "title": prop.titel.replace(prop.ort, ort),
        "objektbeschreibung": prop.beschreibung.replace(prop.ort, ort),
        "lage": prop.lage.replace(prop.ort, ort),
        "plz": plz,
        "ort": ort,
        "bundesland": land,
        "strasse": strasse,
        "breitengrad": Decimal(str(lat)),
        "laengengrad": Decimal(str(lon)),
    }


@pytest.fixture
def stock(example_site_look, settings):
    settings.WAGTAIL_OPENIMMO = {
        "CONTACT_MIN_SECONDS": 1,
        "MAP_TILE_URL": TILES + "{z}/{x}/{y}.png",
        "MAP_ATTRIBUTION": "© Test tiles",
    }
    broker = make_broker("demo", name="Demo Immobilien GmbH")
    extras = [
        ausstattung(
            '<kueche EBK="true"/>',
            '<heizungsart FUSSBODEN="true"/>',
            '<fahrstuhl PERSONEN="true"/>',
            "<gaestewc>true</gaestewc>",
        )
    ]
    pages = {}
    for n in range(8):
        # Two flats to rent in Mainz (n = 1, 7) and a plot for sale there (n = 4).
        fields = in_mainz(n) if n in (1, 4, 7) else {}
        pages[n] = make_listing(
            broker, n, images=4, image_size=(800, 600), extra_elements=extras, **fields
        )
    return broker, pages


def tile_png(x: int, y: int) -> bytes:
    """A plausible map tile: paper colour with a few "streets"."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    for i in range(4):
        offset = (x * 37 + y * 53 + i * 71) % 256
        draw.line([(0, offset), (256, (offset + 90) % 256)], fill=(255, 255, 255), width=6)
        draw.line([(offset, 0), ((offset + 40) % 256, 256)], fill=(255, 255, 255), width=4)
    draw.rectangle([20, 160, 90, 230], fill=(200, 225, 190))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def guard_network(context, live_server_url: str) -> dict:
    """Serve tiles locally, let the live server through, refuse everything else."""
    seen = {"tiles": [], "refused": []}

    def handle(route):
        url = route.request.url
        if url.startswith(live_server_url) or url.startswith("data:"):
            route.continue_()
        elif url.startswith(TILES):
            seen["tiles"].append(url)
            x, y = (int(v) for v in re.findall(r"/(\d+)/(\d+)\.png$", url)[0])
            route.fulfill(status=200, content_type="image/png", body=tile_png(x, y))
        else:
            seen["refused"].append(url)
            route.abort()

    context.route("**/*", handle)
    return seen


# A few of the checks a Lighthouse audit makes, run in the page: problems as strings.
AUDIT_JS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push('html without lang');
  if (!document.title.trim()) problems.push('no title');
  if (!document.querySelector('meta[name=viewport]')) problems.push('no viewport');
  if (document.querySelectorAll('h1').length !== 1) problems.push('not one h1');
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('img without alt: ' + img.src);
    // (the lightbox's <img> has no src until it opens)
    if (img.getAttribute('src') && img.complete && img.naturalWidth === 0
        && img.getAttribute('loading') !== 'lazy')
      problems.push('broken img: ' + img.src);
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.closest('[aria-hidden=true]')) continue;
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      problems.push('control without label: ' + el.name);
  }
  for (const a of document.querySelectorAll('a, button')) {
    if (!a.textContent.trim() && !a.getAttribute('aria-label') && !a.querySelector('img[alt]'))
      problems.push('link or button without a name: ' + a.outerHTML.slice(0, 80));
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) problems.push('duplicate ids: ' + twice.join(', '));
  return problems;
}"""


def test_visitor_filters_opens_a_listing_flips_the_gallery_and_sends_an_enquiry(
    live_server, chromium, stock
):
    broker, pages = stock
    started = time.time() - 1
    context = chromium()
    network = guard_network(context, live_server.url)
    page = context.new_page()
    errors = []  # JavaScript errors and console errors, on every page visited
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    # 1. The index: what most of the stock is (6 for sale; 2 flats to rent).
    page.goto(live_server.url + broker.index_page.url)
    assert page.locator(".openimmo-results .openimmo-card").count() == 6
    assert page.evaluate(AUDIT_JS) == []
    screenshot(page, "01-index")

    # 2. Filter: flats to rent in Mainz. The filters end up in the query string.
    page.get_by_role("link", name="Rent").click()
    page.wait_for_url(re.compile(r"vermarktungsart=miete"))
    page.get_by_label("City or postcode").fill("Mainz")
    page.get_by_role("button", name="Show listings").click()
    page.wait_for_url(re.compile(r"vermarktungsart=miete.*ort=Mainz"))
    cards = page.locator(".openimmo-results .openimmo-card__title a")
    assert sorted(cards.all_inner_texts()) == sorted([pages[1].title, pages[7].title])
    assert page.get_by_role("heading", name="2 listings").is_visible()
    screenshot(page, "02-filtered")

    # 3. Open the newest of them.
    cards.first.click()
    page.wait_for_url("**" + pages[7].url)
    assert page.get_by_role("heading", level=1).inner_text() == pages[7].title
    page.wait_for_load_state("load")
    assert page.evaluate(AUDIT_JS) == []
    screenshot(page, "03-listing")

    # 4. The gallery with the keyboard: Enter opens, arrows flip, Escape closes.
    links = page.locator("[data-openimmo-lightbox]")
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    assert len(hrefs) == 4
    links.first.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog.openimmo-lightbox")
    assert dialog.evaluate("d => d.open")
    counter = dialog.locator("[data-lightbox-counter]")
    image = dialog.locator("[data-lightbox-image]")
    assert counter.inner_text() == "1 / 4"
    page.keyboard.press("ArrowRight")
    assert counter.inner_text() == "2 / 4"
    assert image.evaluate("i => i.src") == hrefs[1]
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-lightbox-image]');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert image.get_attribute("alt") == "Wohnzimmer"
    screenshot(page, "04-lightbox")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert counter.inner_text() == "4 / 4"  # wraps around
    # Focus stays inside the modal dialog while it is open.
    for _ in range(5):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.href") == links.first.evaluate("a => a.href")
    # Space opens it too.
    links.nth(2).focus()
    page.keyboard.press(" ")
    assert dialog.evaluate("d => d.open") and counter.inner_text() == "3 / 4"
    page.keyboard.press("Escape")

    # 5. The map: nothing is fetched from the tile server before the visitor asks.
    assert network["tiles"] == []
    page.get_by_role("button", name="Load map").click()
    tiles = page.locator(".openimmo-map__tiles img")
    tiles.first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.openimmo-map__tiles img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert tiles.count() == 6 and len(network["tiles"]) == 6
    assert "map=1" not in page.url  # JavaScript swapped the tiles in without a reload

    # 6. The enquiry.
    form = page.locator("form.openimmo-contact__form")
    form.get_by_label("Your name").fill("Max Interessent")
    form.get_by_label("Your e-mail address").fill("max@example.org")
    form.get_by_label("Your message").fill("Ist die Wohnung noch frei? Ich würde sie gern sehen.")
    form.get_by_label("I agree").check()
    page.wait_for_timeout(1100)  # CONTACT_MIN_SECONDS
    form.get_by_role("button", name="Send enquiry").click()
    page.wait_for_url(re.compile(r"\?contact=sent#contact$"))
    status = page.get_by_role("status")
    assert "Thank you!" in status.inner_text()
    status.scroll_into_view_if_needed()
    screenshot(page, "05-enquiry-sent")

    # The enquiry to the broker, then the confirmation to the enquirer.
    assert [m.to for m in mail.outbox] == [[pages[7].kontakt_email], ["max@example.org"]]
    message = mail.outbox[0]
    assert message.to == [pages[7].kontakt_email]
    assert message.reply_to == ["max@example.org"]
    assert "Ich würde sie gern sehen." in message.body
    assert network["refused"] == []  # no third-party request at any time
    assert errors == []
    # The screenshots are kept as artefacts (CI uploads test-artifacts/).
    for name in ("01-index", "02-filtered", "03-listing", "04-lightbox", "05-enquiry-sent"):
        shot = SCREENSHOTS / f"{name}.png"
        assert shot.stat().st_size > 10_000 and shot.stat().st_mtime >= started, name


def test_the_pages_work_without_javascript(live_server, chromium, stock):
    broker, pages = stock
    context = chromium(javascript=False)
    network = guard_network(context, live_server.url)
    page = context.new_page()

    page.goto(live_server.url + broker.index_page.url)
    page.get_by_text("Filter", exact=True).click()  # collapsed until asked for
    page.get_by_label("Property type").select_option("grundstueck")
    page.get_by_role("button", name="Show listings").click()
    page.wait_for_url(re.compile(r"objektart=grundstueck"))
    plots = page.locator(".openimmo-results .openimmo-card__title a")
    assert plots.all_inner_texts() == [pages[4].title]
    plots.first.click()
    page.wait_for_load_state()

    # A gallery link opens the large picture itself.
    large = page.locator("[data-openimmo-lightbox]").first.get_attribute("href")
    assert ".max-1600x1200." in large

    # "Load map" reloads the page with ?map=1 and the tiles.
    assert network["tiles"] == []
    page.get_by_role("button", name="Load map").click()
    page.wait_for_url(re.compile(r"map=1#map$"))
    assert page.locator(".openimmo-map__tiles img").count() == 6

    # The enquiry form is a plain form: it works without JavaScript too.
    form = page.locator("form.openimmo-contact__form")
    form.get_by_label("Your name").fill("Erika Ohne-Skript")
    form.get_by_label("Your e-mail address").fill("erika@example.org")
    form.get_by_label("Your message").fill("Ist das Grundstück erschlossen?")
    form.get_by_label("I agree").check()
    page.wait_for_timeout(1100)  # CONTACT_MIN_SECONDS
    form.get_by_role("button", name="Send enquiry").click()
    page.wait_for_url(re.compile(r"\?contact=sent#contact$"))
    assert "Thank you!" in page.get_by_role("status").inner_text()
    screenshot(page, "06-no-javascript-enquiry-sent")
    message, confirmation = mail.outbox
    assert confirmation.to == ["erika@example.org"]
    assert message.to == [pages[4].kontakt_email] and message.reply_to == ["erika@example.org"]
    assert "Ist das Grundstück erschlossen?" in message.body
    assert network["refused"] == []
