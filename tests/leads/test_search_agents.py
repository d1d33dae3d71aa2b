"""Search agents: subscribe → confirm → import → one digest → unsubscribe → no more mail."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from tests.frontend.html import parse, text
from tests.frontend.listings import make_listing
from tests.importing.helpers import Prop, transfer, write_upload
from tests.leads.forms import agent_post
from wagtail_openimmo.frontend.filters import ListingFilterForm
from wagtail_openimmo.importing.importer import import_file
from wagtail_openimmo.leads import agents
from wagtail_openimmo.models import ListingPage, SearchAgent, SearchAgentMatch

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")
# An agent without filters gets what its index shows first: purchases (see frontend.filters).
FOR_SALE = {"vermarktungsart": "KAUF", "kaufpreis": Decimal("250000")}


def links(message) -> list[str]:
    return LINK.findall(message.body)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def subscribe(client, index, **filters):
    response = client.post(f"{index.url}search-agent/", agent_post(**filters))
    assert response.status_code == 200, response.content[:2000]
    return response


def test_the_whole_cycle(client, broker, tmp_path, django_capture_on_commit_callbacks):
    index = broker.index_page
    page = subscribe(client, index, vermarktungsart="kauf", ort="Mainz", preis_max="300000")
    assert "Please check your mailbox" in text(parse(page).xpath("//h1")[0])
    agent = SearchAgent.objects.get()
    assert agent.confirmed_at is None and agent.consent_ip_hash
    assert agent.filters == {"vermarktungsart": "kauf", "ort": "Mainz", "preis_max": "300000"}
    (opt_in,) = mail.outbox
    assert opt_in.to == ["suche@example.org"]
    confirm_url = next(u for u in links(opt_in) if "/confirm/" in u)

    # Before confirmation nothing is matched or sent.
    import_file(write_upload(tmp_path / "a.zip", transfer(Prop(intern="1", extern="A1"))), broker)
    assert SearchAgentMatch.objects.count() == 0

    response = client.get(path_of(confirm_url))
    assert response.status_code == 200
    assert "Your search agent is active" in response.content.decode()
    agent.refresh_from_db()
    assert agent.confirmed_at is not None
    mail.outbox.clear()

    # An import with one matching and two non-matching listings: one digest with the one.
    upload = transfer(
        Prop(intern="2", extern="B2", titel="Helle Wohnung am Rhein", kaufpreis="280000.00"),
        Prop(intern="3", extern="C3", titel="Teure Villa", kaufpreis="900000.00"),
        Prop(intern="4", extern="D4", titel="Wohnung in Wiesbaden", ort="Wiesbaden", plz="65183"),
    )
    # Matching waits for the import's transaction to commit (then runs in django-q, which
    # the tests run synchronously).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_file(write_upload(tmp_path / "b.zip", upload), broker)
    assert len(callbacks) == 1
    (digest,) = mail.outbox
    assert digest.to == ["suche@example.org"]
    assert "Helle Wohnung am Rhein" in digest.body
    assert "Teure Villa" not in digest.body and "Wiesbaden" not in digest.body
    listing = ListingPage.objects.get(objektnr_extern="B2")
    assert listing.get_full_url() in digest.body
    unsubscribe_url = next(u for u in links(digest) if "/unsubscribe/" in u)
    assert digest.extra_headers["List-Unsubscribe"] == (
        f"<{agents.agent_urls(SearchAgent.objects.get())['one_click']}>"
    )
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Re-importing the same file finds nothing new: no second mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        import_file(write_upload(tmp_path / "c.zip", upload), broker)
    agents.send_due(timezone.now() + dt.timedelta(days=2))
    assert mail.outbox == []

    # The unsubscribe link shows a button (link scanners must not unsubscribe anybody);
    # pressing it deletes the agent and all about it.
    page = client.get(path_of(unsubscribe_url))
    assert page.status_code == 200 and SearchAgent.objects.count() == 1
    form = parse(page).xpath("//form[@method='post']")[0]
    assert form.xpath(".//button")
    assert client.post(path_of(unsubscribe_url)).status_code == 200
    assert SearchAgent.objects.count() == 0 and SearchAgentMatch.objects.count() == 0

    # A new matching listing later: nobody is mailed.
    with django_capture_on_commit_callbacks(execute=True):
        import_file(
            write_upload(tmp_path / "d.zip", transfer(Prop(intern="5", extern="E5",
                                                           kaufpreis="199000.00"))),
            broker,
        )
    assert mail.outbox == []


def test_one_click_unsubscribe_by_a_mail_program(broker):
    """RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" to the header's URL,
    from its own servers, without a CSRF cookie."""
    from django.test import Client

    agent = SearchAgent.objects.create(
        email="a@example.org", index_page=broker.index_page, confirmed_at=timezone.now()
    )
    header = agents.agent_urls(agent)["one_click"]
    assert header.endswith(f"/openimmo/search-agent/unsubscribe/{agent.token}/")
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.get(path_of(header)).status_code == 405  # GETs change nothing
    response = csrf_client.post(
        path_of(header),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not SearchAgent.objects.exists()


def test_digest_is_at_most_daily_unless_immediate(broker):
    agent = SearchAgent.objects.create(
        email="a@example.org", index_page=broker.index_page, confirmed_at=timezone.now()
    )
    first = make_listing(broker, 0, **FOR_SALE)
    agents.match_listings([first.pk])
    assert agents.send_due() == 1
    second = make_listing(broker, 1, **FOR_SALE)
    agents.match_listings([second.pk])
    assert agents.send_due() == 0  # the day's mail went out already
    assert agents.send_due(timezone.now() + dt.timedelta(hours=25)) == 1
    assert [m.subject for m in mail.outbox][-1]
    assert second.title in mail.outbox[-1].body and first.title not in mail.outbox[-1].body
    agent.refresh_from_db()
    with override_settings(WAGTAIL_OPENIMMO={"SEARCH_AGENT_MODE": "immediate"}):
        third = make_listing(broker, 2, **FOR_SALE)
        agents.match_listings([third.pk])
        assert agents.send_due() == 1


def test_unconfirmed_agents_are_deleted_after_48_hours(broker):
    old = SearchAgent.objects.create(email="old@example.org", index_page=broker.index_page)
    SearchAgent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=49)
    )
    fresh = SearchAgent.objects.create(email="new@example.org", index_page=broker.index_page)
    confirmed = SearchAgent.objects.create(
        email="ok@example.org", index_page=broker.index_page, confirmed_at=timezone.now()
    )
    SearchAgent.objects.filter(pk=confirmed.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    assert agents.purge_unconfirmed() == 1
    assert set(SearchAgent.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}


def test_unconfirmed_and_bounced_agents_get_nothing(broker):
    unconfirmed = SearchAgent.objects.create(email="u@example.org", index_page=broker.index_page)
    bounced = SearchAgent.objects.create(
        email="b@example.org", index_page=broker.index_page, confirmed_at=timezone.now()
    )
    for _ in range(3):
        agents.record_bounce("B@example.org")
    bounced.refresh_from_db()
    assert bounced.bounces == 3 and not bounced.active
    agents.match_listings([make_listing(broker, 0).pk])
    assert agents.send_due() == 0 and mail.outbox == []
    assert unconfirmed.matches.count() == 0


def test_agents_see_only_their_own_index(broker, other_broker):
    mine = SearchAgent.objects.create(
        email="a@example.org", index_page=broker.index_page, confirmed_at=timezone.now()
    )
    theirs = make_listing(other_broker, 0)
    agents.match_listings([theirs.pk])
    assert mine.matches.count() == 0


def test_invalid_filters_are_dropped_and_a_bad_address_is_refused(client, broker):
    response = client.post(
        f"{broker.index_page.url}search-agent/",
        agent_post(email="not-an-address", preis_max="billig"),
    )
    assert response.status_code == 400
    assert not SearchAgent.objects.exists() and mail.outbox == []
    subscribe(client, broker.index_page, preis_max="billig", ort="Mainz")
    assert SearchAgent.objects.get().filters == {"vermarktungsart": "kauf", "ort": "Mainz"}


def test_a_confirmed_twin_is_not_duplicated(client, broker):
    for _ in range(2):
        subscribe(client, broker.index_page, ort="Mainz")
    first, second = SearchAgent.objects.order_by("pk")
    assert agents.confirm(first.token) == first
    assert agents.confirm(second.token) == first
    assert SearchAgent.objects.count() == 1


def test_the_index_offers_the_form_with_the_current_filters(client, broker):
    make_listing(broker, 0)
    tree = parse(client.get(f"{broker.index_page.url}?vermarktungsart=kauf&ort=Mainz"))
    form = tree.xpath("//form[contains(@class, 'openimmo-agent__form')]")[0]
    assert form.get("action") == f"{broker.index_page.url}search-agent/"
    assert form.xpath(".//input[@name='agent-ort']/@value") == ["Mainz"]
    assert form.xpath(".//input[@name='agent-vermarktungsart']/@value") == ["kauf"]
    with override_settings(WAGTAIL_OPENIMMO={"SEARCH_AGENTS_ENABLED": False}):
        tree = parse(client.get(broker.index_page.url))
        assert not tree.xpath("//form[contains(@class, 'openimmo-agent__form')]")
        assert client.post(f"{broker.index_page.url}search-agent/",
                           agent_post()).status_code == 404


FILTER_SETS = [
    {},
    {"vermarktungsart": "kauf"},
    {"vermarktungsart": "miete"},
    {"ort": "mainz"},
    {"ort": "551"},
    {"preis_min": "1000", "preis_max": "400000"},
    {"zimmer_min": "3"},
    {"flaeche_min": "90"},
    {"objektart": "haus"},
    {"vermarktungsart": "kauf", "zimmer_min": "2", "flaeche_min": "50"},
    {"vermarktungsart": "miete", "merkmal": ["balkon_terrasse"], "ohne_reserviert": "on"},
]


@pytest.mark.parametrize("filters", FILTER_SETS)
def test_agents_match_exactly_what_the_index_shows(broker, filters):
    """An agent saved from the index's filters, stored as JSON and matched in memory,
    finds exactly the listings the index shows with those filters."""
    from django.http import QueryDict

    pages = [make_listing(broker, n, images=0) for n in range(12)]
    query = QueryDict(mutable=True)
    for key, value in filters.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    form = ListingFilterForm(query)
    shown = set(form.filter(broker.index_page.live_listings()).values_list("pk", flat=True))
    stored = json.loads(json.dumps(agents.agent_filters(form)))
    assert stored["vermarktungsart"] in ("kauf", "miete")  # always explicit
    listings = ListingPage.objects.filter(pk__in=[p.pk for p in pages]).select_related("broker")
    matched = {listing.pk for listing in listings if agents.listing_matches(stored, listing)}
    assert matched == shown
    # and the agent's list link shows the same
    again = ListingFilterForm(QueryDict(agents.filters_query(stored)))
    listed = again.filter(broker.index_page.live_listings()).values_list("pk", flat=True)
    assert set(listed) == shown


def test_matching_uses_a_constant_number_of_queries(broker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(30):
        SearchAgent.objects.create(
            email=f"a{n}@example.org", index_page=broker.index_page,
            confirmed_at=timezone.now(), filters={"zimmer_min": str(n % 4)},
        )
    few = [make_listing(broker, n, images=0).pk for n in range(3)]
    many = [make_listing(broker, n, images=0).pk for n in range(3, 15)]
    with CaptureQueriesContext(connection) as first:
        found_few = agents.match_listings(few)
    with CaptureQueriesContext(connection) as second:
        found_many = agents.match_listings(many)
    assert 0 < found_few < found_many
    # listings, agents, which agents' pages are portals (and their brokers), known matches,
    # then one INSERT in a savepoint
    assert len(first.captured_queries) == len(second.captured_queries) <= 8
    assert SearchAgentMatch.objects.count() == found_few + found_many


def test_gdpr_export_and_delete(broker, capsys):
    agent = SearchAgent.objects.create(
        email="Erika@Example.org", index_page=broker.index_page, broker=broker,
        confirmed_at=timezone.now(), filters={"ort": "Mainz"}, consent_ip_hash="abc",
    )
    call_command("openimmo_search_agents", "export", "--email", "erika@example.org")
    out = capsys.readouterr().out
    assert '"filters": {\n      "ort": "Mainz"\n    }' in out and '"consent_ip_hash": "abc"' in out
    call_command("openimmo_search_agents", "delete", "--email", "erika@example.org")
    assert not SearchAgent.objects.filter(pk=agent.pk).exists()


def test_prices_in_the_filters_are_decimal_strings(broker):
    form = ListingFilterForm({"preis_max": "1.234,5", "zimmer_min": "2.5"})
    assert agents.agent_filters(form) == {"vermarktungsart": "kauf", "zimmer_min": "2.5"}


def test_a_check_warns_when_the_one_click_url_is_missing(settings):
    from wagtail_openimmo.checks import check_leads_urls

    assert check_leads_urls() == []
    settings.ROOT_URLCONF = "tests.leads.urls_without_app"
    (warning,) = check_leads_urls()
    assert warning.id == "wagtail_openimmo.W101"
    settings.WAGTAIL_OPENIMMO = {"SEARCH_AGENTS_ENABLED": False}
    assert check_leads_urls() == []


def test_agents_on_the_portal_search_watch_every_chosen_broker(client, broker, other_broker):
    from wagtail.models import Page

    from wagtail_openimmo.models import PortalSearchPage

    home = Page.get_first_root_node().get_children().first()
    portal = home.add_child(instance=PortalSearchPage(title="Alle Angebote", slug="angebote"))
    page = parse(client.get(portal.url))
    form = page.xpath("//form[contains(@class, 'openimmo-agent__form')]")[0]
    assert form.get("action") == f"{portal.url}search-agent/"
    response = client.post(f"{portal.url}search-agent/",
                           agent_post(vermarktungsart="kauf", anbieter=other_broker.slug))
    assert response.status_code == 200
    agent = SearchAgent.objects.get()
    assert agent.filters == {"vermarktungsart": "kauf", "anbieter": other_broker.slug}
    confirm_url = next(u for u in links(mail.outbox[0]) if "/confirm/" in u)
    assert client.get(path_of(confirm_url)).status_code == 200

    mine = make_listing(broker, 0, **FOR_SALE)
    theirs = make_listing(other_broker, 1, **FOR_SALE)
    assert agents.match_listings([mine.pk, theirs.pk]) == 1
    assert list(agent.matches.values_list("listing_id", flat=True)) == [theirs.pk]

    # A portal of chosen brokers only: the other broker's listings are not its business.
    portal.brokers.set([broker])
    portal.save()
    later = make_listing(other_broker, 2, **FOR_SALE)
    assert agents.match_listings([later.pk]) == 0
