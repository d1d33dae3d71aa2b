"""The listing pages as the real importer leaves them: withdrawn, back again, a reference.

The other front-end tests build pages by hand (``tests.frontend.listings``) and withdraw
them as the importer is meant to; this one runs the importer itself, so that the two
cannot drift apart.
"""

from decimal import Decimal

import pytest

from tests.frontend.html import parse
from tests.frontend.listings import make_listing
from tests.frontend.test_index import titles
from tests.importing.helpers import Prop, openimmo_settings, transfer, write_upload
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import DeletedListing, ListingPage

pytestmark = pytest.mark.django_db


def run_import(tmp_path, broker, *props):
    return import_file(write_upload(tmp_path / "upload.xml", transfer(*props)), broker)


def test_withdrawn_by_the_importer_is_gone_and_comes_back_fresh(client, broker, tmp_path):
    index = broker.index_page
    run_import(tmp_path, broker, Prop(kaufpreis="250000"), Prop(intern="2", extern="E2"))
    page = ListingPage.objects.get(objektnr_extern="E100")
    url, full_url = page.url, page.get_full_url()
    assert client.get(url).status_code == 200
    assert full_url in client.get("/sitemap.xml").content.decode()

    run_import(tmp_path, broker, Prop(aktion="DELETE", titel=None, ort=None))
    gone = client.get(url)
    assert gone.status_code == 410
    assert parse(gone).xpath("//meta[@name='robots']/@content") == ["noindex, follow"]
    assert titles(client.get(index.url)) == ["Schöne Wohnung"]  # only E2 is left
    assert full_url not in client.get("/sitemap.xml").content.decode()

    # Sent again with a new price: the same URL, live, with the new price (not stale).
    run_import(tmp_path, broker, Prop(kaufpreis="239000"))
    back = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert back.status_code == 200
    assert "239.000\u00a0€" in back.content.decode()  # a no-break space before €
    assert ListingPage.objects.get(objektnr_extern="E100").kaufpreis == Decimal("239000")
    assert len(titles(client.get(index.url))) == 2
    assert full_url in client.get("/sitemap.xml").content.decode()


def test_a_reference_sent_by_the_broker_is_shown_apart(client, broker, tmp_path):
    run_import(tmp_path, broker, Prop(), Prop(intern="2", extern="E2", titel="Verkauft"))
    run_import(tmp_path, broker, Prop(intern="2", extern="E2", titel="Verkauft", aktion="REFERENZ"))
    response = client.get(broker.index_page.url)
    assert titles(response) == ["Schöne Wohnung"]
    assert titles(response, "openimmo-references") == ["Verkauft"]


@pytest.mark.parametrize("response", ["gone", "redirect"])
def test_a_listing_deleted_by_the_importer_is_gone_too(client, broker, tmp_path, response):
    """``WITHDRAW_MODE = "delete"``: the page is deleted, its address still answers."""
    run_import(tmp_path, broker, Prop(), Prop(intern="2", extern="E2"))
    page = ListingPage.objects.get(objektnr_extern="E100")
    url, full_url = page.url, page.get_full_url()
    with openimmo_settings(WITHDRAW_MODE="delete", WITHDRAWN_LISTING_RESPONSE=response):
        run_import(tmp_path, broker, Prop(aktion="DELETE", titel=None, ort=None))
        assert not ListingPage.objects.filter(pk=page.pk).exists()
        answer = client.get(url)
    if response == "gone":
        assert answer.status_code == 410
        assert "“Schöne Wohnung” has been sold, rented" in answer.content.decode()
    else:
        assert (answer.status_code, answer["Location"]) == (302, broker.index_page.url)
    assert full_url not in client.get("/sitemap.xml").content.decode()
    assert client.get(f"{broker.index_page.url}no-such-listing/").status_code == 404

    # Sent again later, it is a new page at the same address: live, not gone.
    run_import(tmp_path, broker, Prop(kaufpreis="199000"))
    assert ListingPage.objects.get(objektnr_extern="E100").url == url
    assert client.get(url).status_code == 200


def test_listings_deleted_in_the_admin_are_gone_drafts_and_whole_indexes_leave_nothing(
    client, broker, other_broker
):
    live = make_listing(broker, 0)
    draft = make_listing(broker, 1, live=False)
    draft.first_published_at = None
    draft.save()
    live_url, draft_url = live.url, f"{broker.index_page.url}{draft.slug}/"
    live.delete()
    draft.delete()
    assert client.get(live_url).status_code == 410
    assert client.get(draft_url).status_code == 404  # never public: nobody has a link
    (row,) = DeletedListing.objects.all()
    assert (row.index_id, row.slug, row.objektnr_extern) == (
        broker.index_page.pk,
        live.slug,
        live.objektnr_extern,
    )
    # Deleting a whole index with its listings works (rows without a database constraint).
    index = other_broker.index_page
    make_listing(other_broker, 2)
    index.delete()
    assert not ListingPage.objects.filter(broker=other_broker).exists()
