"""Per-site settings (Settings → OpenImmo website): two sites in one install, each with its
own contact form, map, privacy policy and search agents; the Python setting is the default."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.users.models import UserProfile

from tests.frontend.html import cls, parse, text
from tests.frontend.listings import make_listing
from tests.leads.forms import agent_post, enquiry
from wagtail_openimmo.checks import check_privacy_policy
from wagtail_openimmo.frontend.site_config import site_config
from wagtail_openimmo.leads import agents
from wagtail_openimmo.models import OpenImmoSiteSettings, SearchAgent

pytestmark = pytest.mark.django_db

SECOND = "zweite.example"
TILES = "https://{s}.tiles.example/{z}/{x}/{y}.png"
DEFAULTS = {
    "MAP_TILE_URL": TILES,
    "MAP_ATTRIBUTION": "© Default tiles",
    "PRIVACY_POLICY_URL": "/datenschutz/",
}
FOR_SALE = {"vermarktungsart": "KAUF", "kaufpreis": 250000, "kontakt_email": "m@makler.example"}


@pytest.fixture
def second_site(other_broker):
    """A second homepage whose root is the other broker's listing index."""
    return Site.objects.create(hostname=SECOND, port=80, root_page=other_broker.index_page)


def path(page) -> str:
    """The page's path on its own site."""
    return page.get_url_parts()[2]


def get(client, page, host=None, **query):
    extra = {"HTTP_HOST": host} if host else {}
    return client.get(path(page), query, **extra)


def has_contact_form(tree) -> bool:
    return bool(tree.xpath("//textarea[@name='contact-message']"))


def has_map(tree) -> bool:
    return bool(tree.xpath(f"//*[{cls('openimmo-map')}]"))


def privacy_links(tree, prefix="contact") -> list[str]:
    return tree.xpath(f"//div[@id='id_{prefix}-privacy_helptext']/a/@href")


def test_two_sites_render_their_own_switches(client, settings, broker, other_broker, second_site):
    settings.WAGTAIL_OPENIMMO = DEFAULTS
    first = make_listing(broker, 0, **FOR_SALE)
    second = make_listing(other_broker, 1, **FOR_SALE)
    OpenImmoSiteSettings.objects.create(
        site=second_site, contact_form="off", map="off", search_agents="off", pdf_expose="off"
    )

    # The default site has no settings row: the Python settings, as before.
    tree = parse(get(client, first, map="1"))
    assert has_contact_form(tree) and has_map(tree)
    assert privacy_links(tree) == ["/datenschutz/"]
    assert "© Default tiles" in text(tree.xpath(f"//*[{cls('openimmo-map__attribution')}]")[0])
    index = parse(get(client, broker.index_page))
    assert index.xpath("//input[@name='agent-email']")

    # The second site switched the form, the map and search agents off.
    response = get(client, second, SECOND, map="1")
    assert response.status_code == 200 and second.title in response.content.decode()
    tree = parse(response)
    assert not has_contact_form(tree) and not has_map(tree)
    assert "tiles.example" not in response.content.decode()
    assert tree.xpath("//a[contains(@href, 'openstreetmap.org')]")  # the plain link stays
    index = parse(get(client, other_broker.index_page, SECOND))
    assert not index.xpath("//input[@name='agent-email']")


def test_a_contact_form_posted_to_a_site_where_it_is_off_is_refused(
    client, settings, broker, other_broker, second_site
):
    settings.WAGTAIL_OPENIMMO = DEFAULTS
    OpenImmoSiteSettings.objects.create(site=second_site, contact_form="off")
    second = make_listing(other_broker, 1, **FOR_SALE)
    response = client.post(path(second), enquiry(second), HTTP_HOST=SECOND)
    assert response.status_code == 405
    assert mail.outbox == []

    # The same form on the default site goes out.
    first = make_listing(broker, 0, **FOR_SALE)
    response = client.post(path(first), enquiry(first))
    assert response.status_code == 302
    assert mail.outbox[0].to == ["m@makler.example"]


def test_a_search_agent_posted_to_a_site_where_they_are_off_is_not_found(
    client, settings, other_broker, second_site
):
    settings.WAGTAIL_OPENIMMO = DEFAULTS
    OpenImmoSiteSettings.objects.create(site=second_site, search_agents="off")
    url = f"{path(other_broker.index_page)}search-agent/"
    assert client.post(url, agent_post(), HTTP_HOST=SECOND).status_code == 404
    assert not SearchAgent.objects.exists() and mail.outbox == []


def test_privacy_policy_as_a_page_or_an_address(
    client, settings, broker, other_broker, second_site
):
    settings.WAGTAIL_OPENIMMO = DEFAULTS
    default_site = Site.objects.get(is_default_site=True)
    privacy = other_broker.index_page.add_child(instance=Page(title="Datenschutz", slug="ds"))
    OpenImmoSiteSettings.objects.create(site=second_site, privacy_policy_page=privacy,
                                        privacy_policy_url="/unused/")  # fmt: skip
    OpenImmoSiteSettings.objects.create(
        site=default_site, privacy_policy_url="https://erste.example/privacy"
    )
    first = make_listing(broker, 0, **FOR_SALE)
    second = make_listing(other_broker, 1, **FOR_SALE)

    tree = parse(get(client, first))
    assert privacy_links(tree) == ["https://erste.example/privacy"]
    assert privacy_links(parse(get(client, broker.index_page)), "agent") == [
        "https://erste.example/privacy"
    ]
    tree = parse(get(client, second, SECOND))
    assert privacy_links(tree) == ["/ds/"]  # the chosen page, on its own site
    assert privacy_links(parse(get(client, other_broker.index_page, SECOND)), "agent") == ["/ds/"]

    # A privacy page that is not live is not linked: the address, then the Python default.
    privacy.unpublish()
    assert privacy_links(parse(get(client, second, SECOND))) == ["/unused/"]
    OpenImmoSiteSettings.objects.filter(site=second_site).update(privacy_policy_url="")
    assert privacy_links(parse(get(client, second, SECOND))) == ["/datenschutz/"]


def test_a_site_may_have_a_map_of_its_own(client, settings, broker, other_broker, second_site):
    settings.WAGTAIL_OPENIMMO = {"PRIVACY_POLICY_URL": "/datenschutz/"}  # no map by default
    OpenImmoSiteSettings.objects.create(
        site=second_site,
        map="on",
        map_tile_url="https://karte.example/{z}/{x}/{y}.png",
        map_attribution="© Karte",
        map_zoom=12,
        map_link="off",
    )
    first = make_listing(broker, 0, **FOR_SALE)
    second = make_listing(other_broker, 1, **FOR_SALE)
    assert not has_map(parse(get(client, first, map="1")))
    tree = parse(get(client, second, SECOND, map="1"))
    tiles = [s for s in tree.xpath("//img[not(ancestor::template)]/@src") if "karte." in s]
    assert len(tiles) == 6 and all(t.startswith("https://karte.example/12/") for t in tiles)
    assert "© Karte" in text(tree.xpath(f"//*[{cls('openimmo-map__attribution')}]")[0])
    assert not tree.xpath("//a[contains(@href, 'openstreetmap.org')]")


def test_fields_left_at_default_follow_the_python_setting(rf, settings, broker, second_site):
    row = OpenImmoSiteSettings.objects.create(site=second_site)  # every field "default"
    request = rf.get("/", HTTP_HOST=SECOND)
    settings.WAGTAIL_OPENIMMO = {}
    config = site_config(request)
    assert config.contact_form and config.search_agents and config.pdf_expose
    assert config.map_tile_url is None and config.privacy_policy_url is None
    assert config.map_zoom == 15

    settings.WAGTAIL_OPENIMMO = {**DEFAULTS, "CONTACT_FORM_ENABLED": False, "MAP_ZOOM": 9}
    config = site_config(rf.get("/", HTTP_HOST=SECOND))
    assert not config.contact_form and config.map_tile_url == TILES and config.map_zoom == 9
    assert config.privacy_policy_url == "/datenschutz/"
    # A site without a row gets the same.
    assert site_config(rf.get("/")) == config
    # Set, a field wins over the default.
    row.contact_form = "on"
    row.save()
    assert site_config(rf.get("/", HTTP_HOST=SECOND)).contact_form


def test_the_privacy_check_looks_at_each_site(settings, broker, other_broker, second_site):
    settings.WAGTAIL_OPENIMMO = {}  # contact form on, no privacy policy by default
    OpenImmoSiteSettings.objects.create(site=second_site, privacy_policy_url="/datenschutz/")
    default_site = Site.objects.get(is_default_site=True)
    (warning,) = check_privacy_policy(databases=["default"])
    assert warning.id == "wagtail_openimmo.W011" and warning.obj == default_site

    OpenImmoSiteSettings.objects.create(site=default_site, contact_form="off")
    assert check_privacy_policy(databases=["default"]) == []
    # Without a database only the Python defaults can be checked.
    assert [m.id for m in check_privacy_policy()] == ["wagtail_openimmo.W011"]


def test_agents_of_a_site_with_search_agents_off_get_no_mail(
    settings, broker, other_broker, second_site
):
    settings.WAGTAIL_OPENIMMO = DEFAULTS
    mine = SearchAgent.objects.create(
        email="a@example.org", index_page=broker.index_page, confirmed_at=timezone.now()
    )
    theirs = SearchAgent.objects.create(
        email="b@example.org", index_page=other_broker.index_page, confirmed_at=timezone.now()
    )
    row = OpenImmoSiteSettings.objects.create(site=second_site, search_agents="off")
    listings = [
        make_listing(broker, 0, **FOR_SALE).pk,
        make_listing(other_broker, 1, **FOR_SALE).pk,
    ]
    agents.match_listings(listings)
    assert mine.matches.count() == 1 and theirs.matches.count() == 0
    assert agents.send_due() == 1 and [m.to for m in mail.outbox] == [["a@example.org"]]

    # Search agents off by default, on for one site: that site's agents are served.
    settings.WAGTAIL_OPENIMMO = {**DEFAULTS, "SEARCH_AGENTS_ENABLED": False}
    row.search_agents = "on"
    row.save()
    agents.match_listings(listings)
    assert theirs.matches.count() == 1 and mine.matches.count() == 1


def test_the_settings_page_in_the_german_admin(client, django_user_model, settings, second_site):
    settings.WAGTAIL_OPENIMMO = DEFAULTS
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "de"
    profile.save()
    client.force_login(admin)
    url = reverse("wagtailsettings:edit", args=["wagtail_openimmo", "openimmositesettings",
                                                 second_site.pk])  # fmt: skip
    html = client.get(url).content.decode()
    assert "Kontaktformular" in html and "Datenschutzerklärung" in html
    assert "Voreinstellung: an" in html

    data = {
        "contact_form": "off",
        "privacy_policy_url": "/datenschutz-zwei/",
        "search_agents": "",
        "map": "on",
        "map_tile_url": "https://karte.example/{z}/{x}/{y}.png",
        "map_attribution": "",
        "map_zoom": "",
        "map_link": "",
        "pdf_expose": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = OpenImmoSiteSettings.objects.get(site=second_site)
    assert row.contact_form == "off" and row.map_tile_url.startswith("https://karte.example/")

    # A tile address without its placeholders is refused.
    response = client.post(url, {**data, "map_tile_url": "https://karte.example/tile.png"})
    assert response.status_code == 200
    assert "{z}" in response.content.decode()
