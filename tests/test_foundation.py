"""The app installs, migrates and creates brokers with their listing index page."""

import json

import pytest
from django.core.management import call_command
from wagtail.models import Site

from wagtail_openimmo.models import Broker, ListingIndexPage, ListingPage
from wagtail_openimmo.models.pages import COLUMN_FOR_FIELD
from wagtail_openimmo.openimmo.fields import FIELDS

pytestmark = pytest.mark.django_db


def test_every_openimmo_field_has_a_column():
    names = {f.name for f in ListingPage._meta.get_fields()}
    missing = [f.name for f in FIELDS if COLUMN_FOR_FIELD.get(f.name, f.name) not in names]
    assert missing == []


def test_broker_create_command_makes_broker_and_index_page(capsys):
    call_command("openimmo_broker", "create", "mueller", "--name", "Müller Immobilien",
                 "--email", "info@mueller.example", "--anbieternr", "4711", "--anid", "MUE1",
                 "--approve")
    broker = Broker.objects.get(slug="mueller")
    assert broker.import_approved and broker.anbieternr == "4711"
    assert (broker.name, broker.email, broker.openimmo_anid) == (
        "Müller Immobilien", "info@mueller.example", "MUE1"
    )
    assert broker.matches_anbieter("4711", None) and broker.matches_anbieter(None, "mue1")
    index = broker.index_page
    assert isinstance(index, ListingIndexPage) and index.live
    root = Site.objects.get(is_default_site=True).root_page
    assert index.get_parent().id == root.id
    assert "mueller" in capsys.readouterr().out


def test_broker_create_refuses_duplicates():
    call_command("openimmo_broker", "create", "a", "--name", "A")
    with pytest.raises(Exception, match="exists already"):
        call_command("openimmo_broker", "create", "a", "--name", "A again")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Müller GmbH", "--name", "M"], "not a valid slug"),
        (["m", "--name", "M", "--email", "not-an-address"], "not a valid e-mail"),
        (["m", "--name", "M", "--anbieternr", "4711"], "anbieternr '4711' already"),
        (["m", "--name", "M", "--anid", "first-anid"], "belongs to broker 'first'"),
    ],
    ids=["slug", "email", "anbieternr", "anid"],
)
def test_broker_create_refuses_what_would_not_work(args, message):
    from django.core.management import CommandError

    call_command("openimmo_broker", "create", "first", "--name", "F", "--anbieternr", "4711",
                 "--anid", "FIRST-ANID")
    pages = ListingIndexPage.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("openimmo_broker", "create", *args)
    assert Broker.objects.count() == 1 and ListingIndexPage.objects.count() == pages


def test_broker_list_human(capsys):
    call_command("openimmo_broker", "list")
    assert "No brokers yet" in capsys.readouterr().out
    call_command("openimmo_broker", "create", "a", "--name", "Alpha", "--anbieternr", "7",
                 "--anid", "X1", "--approve")
    call_command("openimmo_broker", "create", "b", "--name", "Beta")
    capsys.readouterr()
    call_command("openimmo_broker", "list")
    header, alpha, beta = capsys.readouterr().out.splitlines()
    assert header.split()[:5] == ["slug", "name", "approved", "live", "all"]
    assert alpha.split() == ["a", "Alpha", "yes", "0", "0", "7", "/", "X1"]
    assert beta.split() == ["b", "Beta", "no", "0", "0"]


def test_broker_list_json(capsys):
    call_command("openimmo_broker", "create", "a", "--name", "A", "--anid", "X1")
    capsys.readouterr()
    call_command("openimmo_broker", "list", "--json")
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        {"slug": "a", "name": "A", "email": "", "anbieternr": None, "openimmo_anid": "X1",
         "import_approved": False, "live_listings": 0, "listings": 0, "index_page": "/a/"}
    ]


def test_broker_matches_known_anids(broker):
    assert broker.matches_anbieter(None, "acme-anid")  # case-insensitive
    assert not broker.matches_anbieter(None, "ACME-ANID-2")
    assert broker.remember_anid("ACME-ANID-2")
    assert broker.matches_anbieter(None, "acme-anid-2")
    assert not broker.remember_anid("acme-anid-2")


# --- where the listing index page goes -----------------------------------------------------

from django.core.management.base import CommandError  # noqa: E402
from wagtail.models import Page  # noqa: E402


def _section(title: str, slug: str) -> Page:
    root = Site.objects.get(is_default_site=True).root_page
    page = Page(title=title, slug=slug)
    root.add_child(instance=page)
    return page


def test_broker_create_under_a_parent_given_by_id_or_path(capsys):
    section = _section("Immobilien", "immobilien")
    call_command("openimmo_broker", "create", "a", "--name", "A", "--parent", str(section.pk))
    assert Broker.objects.get(slug="a").index_page.get_parent().pk == section.pk
    call_command("openimmo_broker", "create", "b", "--name", "B", "--parent", "/immobilien/")
    index = Broker.objects.get(slug="b").index_page
    assert index.get_parent().pk == section.pk
    assert index.url == "/immobilien/b/"
    # "/" is the site's root page itself.
    call_command("openimmo_broker", "create", "c", "--name", "C", "--parent", "/")
    root = Site.objects.get(is_default_site=True).root_page
    assert Broker.objects.get(slug="c").index_page.get_parent().pk == root.pk


def test_the_default_parent_is_a_setting(settings):
    section = _section("Angebote", "angebote")
    settings.WAGTAIL_OPENIMMO = {"BROKER_PARENT_PAGE": "/angebote"}
    call_command("openimmo_broker", "create", "a", "--name", "A")
    assert Broker.objects.get(slug="a").index_page.get_parent().pk == section.pk
    # --parent wins over the setting.
    call_command("openimmo_broker", "create", "b", "--name", "B", "--parent", "/")
    root = Site.objects.get(is_default_site=True).root_page
    assert Broker.objects.get(slug="b").index_page.get_parent().pk == root.pk


def test_unknown_parents_are_refused_and_nothing_is_created():
    for wrong, message in [
        ("999999", "no page with the id 999999"),
        ("/nowhere/", "no page at '/nowhere/'"),
        ("immobilien", "neither a page id nor a URL path"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("openimmo_broker", "create", "a", "--name", "A", "--parent", wrong)
    assert not Broker.objects.exists() and not ListingIndexPage.objects.exists()


def test_page_type_rules_are_respected():
    """A listing index never goes under a listing index or a listing (their subpage_types),
    as in the admin's "Add child page"."""
    call_command("openimmo_broker", "create", "a", "--name", "A")
    broker = Broker.objects.get(slug="a")
    index = broker.index_page
    listing = ListingPage(title="Haus", slug="haus", broker=broker)
    index.add_child(instance=listing)
    for parent in [index, listing]:
        with pytest.raises(CommandError, match="cannot be created under"):
            call_command("openimmo_broker", "create", "b", "--name", "B", "--parent",
                         str(parent.pk))
    assert list(Broker.objects.values_list("slug", flat=True)) == ["a"]
    assert ListingIndexPage.objects.count() == 1


def test_listing_index_parent_page_types_setting(settings):
    root = Site.objects.get(is_default_site=True).root_page
    assert ListingIndexPage.can_create_at(root)
    only_under_listings = ["wagtail_openimmo.ListingPage"]
    settings.WAGTAIL_OPENIMMO = {"LISTING_INDEX_PARENT_PAGE_TYPES": only_under_listings}
    assert not ListingIndexPage.can_create_at(root)
    with pytest.raises(CommandError, match="cannot be created under"):
        call_command("openimmo_broker", "create", "a", "--name", "A")
    settings.WAGTAIL_OPENIMMO = {"LISTING_INDEX_PARENT_PAGE_TYPES": ["wagtailcore.Page"]}
    assert ListingIndexPage.can_create_at(root)
    call_command("openimmo_broker", "create", "a", "--name", "A")
    assert Broker.objects.filter(slug="a").exists()
