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
