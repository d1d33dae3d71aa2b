"""Two sites in one install, in a real browser: the default site with a map and a contact form
linking the privacy page chosen in Settings → OpenImmo website, the second site with both
switched off there; and that settings page in the German admin.

Screenshots: ``docs/screenshots/admin-site-settings-{1366,390}.png`` and
``site-settings-{first,second}-{1366,390}.png`` (``docs_screenshots``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from wagtail.models import Page, Site
from wagtail.users.models import UserProfile

from tests.browser.conftest import docs_screenshots
from tests.frontend.listings import make_listing
from tests.helpers import make_broker
from wagtail_openimmo.models import OpenImmoSiteSettings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def two_sites(example_site_look, settings, live_server):
    settings.WAGTAIL_OPENIMMO = {"PRIVACY_POLICY_URL": "/datenschutz/"}  # no map by default
    first_broker = make_broker("demo", name="Demo Immobilien GmbH")
    second_broker = make_broker("nord", name="Nord Makler")
    fields = {"vermarktungsart": "KAUF", "kaufpreis": Decimal(389_000),
              "kontakt_email": "makler@example.org", "images": 3, "image_size": (800, 600)}
    first = make_listing(first_broker, 0, **fields)
    second = make_listing(second_broker, 1, **fields)
    default_site = Site.objects.get(is_default_site=True)
    privacy = default_site.root_page.add_child(
        instance=Page(title="Datenschutzerklärung", slug="datenschutzerklaerung")
    )
    OpenImmoSiteSettings.objects.create(
        site=default_site,
        privacy_policy_page=privacy,
        map="on",
        map_tile_url="https://tile.example.org/{z}/{x}/{y}.png",
        map_attribution="© Beispiel-Kacheln",
    )
    port = int(live_server.url.rsplit(":", 1)[1])
    second_site = Site.objects.create(
        hostname="127.0.0.1", port=port, root_page=second_broker.index_page,
        site_name="Nord Makler",
    )
    OpenImmoSiteSettings.objects.create(
        site=second_site, contact_form="off", map="off", search_agents="off"
    )
    return {
        "first": f"http://localhost:{port}{first.get_url_parts()[2]}",
        "second": f"http://127.0.0.1:{port}{second.get_url_parts()[2]}",
        "default_site": default_site,
    }


def test_each_site_renders_its_own_settings(chromium, two_sites):
    page = chromium(locale="de-DE").new_page()
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(two_sites["first"])
    privacy = page.locator("#id_contact-privacy_helptext a")
    assert privacy.get_attribute("href") == "/datenschutzerklaerung/"
    assert page.locator("textarea[name='contact-message']").count() == 1
    assert page.locator(".openimmo-map").count() == 1
    page.locator(".openimmo-map").scroll_into_view_if_needed()
    docs_screenshots(page, "site-settings-first")

    page.goto(two_sites["second"])
    assert "Nord Makler" in page.inner_text("body")
    assert page.locator("textarea[name='contact-message']").count() == 0
    assert page.locator(".openimmo-map").count() == 0
    page.get_by_role("heading", name="Lage").scroll_into_view_if_needed()
    docs_screenshots(page, "site-settings-second")


def test_the_settings_page_in_the_german_admin(chromium, two_sites, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "secret-pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    base = two_sites["first"].split("/", 3)
    origin = "/".join(base[:3])
    page = chromium(locale="de-DE").new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{origin}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{origin}/admin/")

    site = two_sites["default_site"]
    page.goto(f"{origin}/admin/settings/wagtail_openimmo/openimmositesettings/{site.pk}/")
    text = page.inner_text("main")
    assert "OpenImmo-Website" in text
    assert "Kontaktformular und Datenschutzerklärung" in text
    assert "Seite der Datenschutzerklärung" in text and "Kachelserver der Karte" in text
    assert "Datenschutzerklärung" in page.inner_text("[data-field-wrapper] .chooser, main")
    docs_screenshots(page, "admin-site-settings")
    page.screenshot(path="test-artifacts/screenshots/admin-site-settings-full.png",
                    full_page=True)  # fmt: skip

    # The menu: Settings → OpenImmo website.
    page.goto(f"{origin}/admin/")
    assert page.locator("a[href*='/admin/settings/wagtail_openimmo/openimmositesettings/']").count()
