"""A visitor saves a search agent in a real browser (German, desktop and phone), confirms it
from the mail, and the withdrawal button where a broker switched it on."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.conftest import screenshot
from tests.frontend.listings import make_listing
from tests.helpers import make_broker
from wagtail_openimmo.models import SearchAgent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def stock(example_site_look, settings):
    settings.WAGTAIL_OPENIMMO = {"CONTACT_MIN_SECONDS": 1}
    broker = make_broker("demo", name="Demo Immobilien GmbH")
    for n in range(4):
        make_listing(broker, n, images=1)
    return broker


@pytest.mark.parametrize("size", SIZES)
def test_subscribe_and_confirm_in_german(live_server, chromium, stock, size):
    broker = stock
    context = chromium(locale="de-DE")
    page = context.new_page()
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}{broker.index_page.url}?vermarktungsart=kauf")

    form = page.locator("form.openimmo-agent__form")
    form.scroll_into_view_if_needed()
    assert "zum Kauf" in page.locator(".openimmo-agent__filters").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"leads-agent-form-{size}")
    form.get_by_label("Ihre E-Mail-Adresse").fill("suche@example.org")
    form.get_by_label("Ich bin einverstanden").check()
    page.wait_for_timeout(1100)  # CONTACT_MIN_SECONDS
    form.get_by_role("button", name="Suchauftrag speichern").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Bitte sehen Sie in Ihr Postfach"
    screenshot(page, f"leads-agent-sent-{size}")

    (opt_in,) = mail.outbox
    assert opt_in.subject == "Bitte bestätigen Sie Ihren Suchauftrag"
    assert "zum Kauf" in opt_in.body
    link = next(u for u in re.findall(r"https?://\S+", opt_in.body) if "/confirm/" in u)
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
    assert page.get_by_role("heading", level=1).inner_text() == "Ihr Suchauftrag ist aktiv"
    assert SearchAgent.objects.get().confirmed_at is not None
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"leads-agent-confirmed-{size}")


def test_withdrawal_button_and_form(live_server, chromium, settings, example_site_look):
    settings.WAGTAIL_OPENIMMO = {"CONTACT_MIN_SECONDS": 1}
    broker = make_broker("demo", name="Demo Immobilien GmbH")
    broker.withdrawal_button = True
    broker.save()
    listing = make_listing(broker, 0, images=1, kontakt_email="makler@example.org")
    context = chromium(locale="de-DE")
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + listing.url)
    page.get_by_role("link", name="Vertrag widerrufen").click()
    page.get_by_label("Ihr Name").fill("Erika Mustermann")
    page.get_by_label("Ihre E-Mail-Adresse").fill("erika@example.org")
    page.get_by_label("Welcher Vertrag").fill(listing.objektnr_extern)
    page.wait_for_timeout(1100)
    screenshot(page, "leads-withdrawal-form-phone")
    page.get_by_role("button", name="Widerruf bestätigen").click()
    assert "Ihr Widerruf ist eingegangen" in page.get_by_role("status").inner_text()
    assert [m.to for m in mail.outbox] == [[broker.email], ["erika@example.org"]]


@pytest.mark.parametrize("size", SIZES)
def test_admin_lists_search_agents_and_the_broker_enquiry_settings_in_german(
    live_server, chromium, django_user_model, size
):
    from django.utils import timezone
    from wagtail.users.models import UserProfile

    broker = make_broker("demo", name="Demo Immobilien GmbH")
    for n, filters in enumerate([{"vermarktungsart": "miete", "ort": "Mainz"}, {}]):
        SearchAgent.objects.create(
            email=f"suche{n}@example.org", index_page=broker.index_page, broker=broker,
            filters=filters, confirmed_at=timezone.now() if n == 0 else None,
        )
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw-123456")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    context = chromium(locale="de-DE")
    page = context.new_page()
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/openimmo/search-agents/")
    table = page.locator("table.listing")
    assert "suche0@example.org" in table.inner_text()
    assert "zur Miete, in Mainz" in table.inner_text()
    assert "True" not in table.inner_text() and "False" not in table.inner_text()
    screenshot(page, f"leads-admin-search-agents-{size}", full_page=True)

    page.goto(f"{live_server.url}/admin/snippets/wagtail_openimmo/broker/edit/{broker.pk}/")
    panel = page.get_by_text("Anfragen über die Website")
    panel.scroll_into_view_if_needed()
    assert page.get_by_label("OpenImmo-Feedback anhängen").is_checked()
    screenshot(page, f"leads-admin-broker-enquiries-{size}")
