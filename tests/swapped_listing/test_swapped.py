"""The whole way with the site's own listing model (``MyListingPage``, settings_swapped):
a real feed imports into it, a re-import updates it in place and keeps the site's own
field and content, a withdrawal answers "gone", the export is valid OpenImmo, and the front
end, the API and the admin show it. Nothing is written to the app's own ``ListingPage``."""

import pytest
from wagtail.rich_text import RichText

from tests.exporting.builders import read_zip
from tests.frontend.test_index import titles
from tests.importing.helpers import Prop, small_jpeg, transfer, write_upload
from tests.swapped_listing.models import MyListingPage
from wagtail_openimmo import get_listing_page_model, get_listing_page_model_string
from wagtail_openimmo.checks import check_listing_page_model
from wagtail_openimmo.exporting import export_broker
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ImportRunEntry, ListingAttachment, ListingIndexPage, ListingPage
from wagtail_openimmo.openimmo import read_transfer

pytestmark = pytest.mark.django_db

JUSTIMMO = "justimmo-php-sdk__realty_detail.xml"


def run_import(tmp_path, broker, *props):
    return import_file(write_upload(tmp_path / "upload.xml", transfer(*props)), broker)


@pytest.fixture
def justimmo(tmp_path, file_server):
    """The justimmo sample (a real feed) with its picture URLs pointing at a local server."""
    from tests.helpers import FIXTURES

    text = (FIXTURES / "openimmo" / JUSTIMMO).read_text("utf-8")
    urls = {
        line.split("http://files.justimmo.at", 1)[1].split("<", 1)[0]
        for line in text.splitlines()
        if "http://files.justimmo.at" in line
    }
    for n, path in enumerate(sorted(urls)):
        file_server.files[path] = small_jpeg(n)
    path = tmp_path / "justimmo.xml"
    path.write_text(text.replace("http://files.justimmo.at", file_server.base), "utf-8")
    return path


def test_the_setting_chooses_the_sites_model():
    assert get_listing_page_model_string() == "swapped_listing.MyListingPage"
    assert get_listing_page_model() is MyListingPage
    assert check_listing_page_model() == []
    assert ListingIndexPage.clean_subpage_models() == [MyListingPage]
    assert MyListingPage.clean_parent_page_models() == [ListingIndexPage]
    # the app's own model keeps its table, but takes no new pages
    index = ListingIndexPage(title="x")
    assert not ListingPage.can_create_at(index)


def test_a_real_feed_imports_into_the_sites_model(justimmo):
    from tests.helpers import make_broker

    broker = make_broker("samples", anid="")
    result = import_file(justimmo, broker)
    assert (result.status, result.created) == ("imported", 1), result.as_json()

    page = MyListingPage.objects.get()
    assert page.get_parent().specific == broker.index_page.specific
    assert page.live and page.imported and page.broker == broker
    assert (page.ort, page.vermarktungsart, page.nutzungsart) == ("Wien", "KAUF", "GEWERBE")
    pictures = ListingAttachment.objects.filter(listing=page)
    assert pictures.count() >= 1 and list(page.attachments.all()) == list(pictures)
    assert all(a.image_id for a in pictures if a.kind == "image")
    entry = ImportRunEntry.objects.get(outcome="created")
    assert entry.listing == page and isinstance(entry.listing, MyListingPage)
    assert list(broker.listings.all()) == [page]
    assert not ListingPage.objects.exists()


def test_reimport_updates_in_place_and_keeps_the_sites_field_and_body(broker, tmp_path, client):
    run_import(tmp_path, broker, Prop(kaufpreis="250000"))
    page = MyListingPage.objects.get()
    page.highlight = "Provisionsfrei"
    page.body = [("paragraph", RichText("<p>Unser Tipp: der Garten.</p>"))]
    page.save_revision().publish()

    run_import(tmp_path, broker, Prop(kaufpreis="239000", titel="Neu renoviert"))
    again = MyListingPage.objects.get()
    assert again.pk == page.pk
    assert (again.title, int(again.kaufpreis)) == ("Neu renoviert", 239000)
    assert again.highlight == "Provisionsfrei"
    assert again.body.raw_data[0]["value"] == "<p>Unser Tipp: der Garten.</p>"

    html = client.get(again.url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Neu renoviert" in html and "Unser Tipp: der Garten." in html
    assert titles(client.get(broker.index_page.url)) == ["Neu renoviert"]


def test_withdraw_answers_gone(broker, tmp_path, client):
    run_import(tmp_path, broker, Prop(), Prop(intern="2", extern="E2", titel="Zweite"))
    page = MyListingPage.objects.get(objektnr_extern="E100")
    url = page.url
    run_import(tmp_path, broker, Prop(aktion="DELETE", titel=None, ort=None))
    page.refresh_from_db()
    assert not page.live and page.withdrawn_at is not None
    assert client.get(url).status_code == 410
    assert titles(client.get(broker.index_page.url)) == ["Zweite"]


def test_export_writes_valid_openimmo(broker, tmp_path):
    run_import(tmp_path, broker, Prop(), Prop(intern="2", extern="E2", titel="Zweite"))
    result = export_broker(broker, tmp_path / "out.zip")
    assert result.listings == 2
    xml, _members = read_zip(result.path)
    records = list(read_transfer(xml, strict=True).records())
    assert sorted(r.objektnr for r in records) == ["E100", "E2"]
    for record in records:
        assert [p for p in record.problems if p.severity == "error"] == []


def test_api_lists_the_sites_listings(broker, tmp_path, client):
    run_import(tmp_path, broker, Prop())
    found = client.get("/api/v2/listings/?fields=ort").json()
    assert [item["ort"] for item in found["items"]] == ["Mainz"]
    assert found["items"][0]["meta"]["type"] == "swapped_listing.MyListingPage"


def test_admin_offers_and_edits_the_sites_model(broker, tmp_path, client, django_user_model):
    run_import(tmp_path, broker, Prop())
    page = MyListingPage.objects.get()
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(admin)
    index = broker.index_page
    add = client.get(f"/admin/pages/{index.pk}/add_subpage/")
    # one page type only: Wagtail goes straight to the create form of MyListingPage
    assert add.status_code == 302 and "/swapped_listing/mylistingpage/" in add["Location"]
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200
    html = edit.content.decode()
    assert 'name="highlight"' in html
    assert "Imports never change it." in html  # the body field's help text
    assert '<select name="vermarktungsart"' in html


def test_search_agents_match_and_mail_the_sites_listings(broker, tmp_path):
    from django.core import mail
    from django.utils import timezone

    from wagtail_openimmo.leads import agents
    from wagtail_openimmo.models import SearchAgent

    agent = SearchAgent.objects.create(
        email="a@example.org", index_page=broker.index_page, confirmed_at=timezone.now()
    )
    run_import(tmp_path, broker, Prop(titel="Für den Suchauftrag"))
    page = MyListingPage.objects.get()
    agents.match_listings([page.pk])
    assert list(agent.matches.values_list("listing_id", flat=True)) == [page.pk]
    assert agents.send_due() == 1
    assert "Für den Suchauftrag" in mail.outbox[-1].body


def test_the_portal_search_shows_the_sites_listings(broker, tmp_path):
    from wagtail_openimmo.models import PortalSearchPage

    run_import(tmp_path, broker, Prop())
    portal = PortalSearchPage(title="Alle Angebote")
    assert [p.pk for p in portal.live_listings()] == [MyListingPage.objects.get().pk]
