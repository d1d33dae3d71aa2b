"""The listing pages as the real importer leaves them: withdrawn, back again, a reference.

The other front-end tests build pages by hand (``tests.frontend.listings``) and withdraw
them as the importer is meant to; this one runs the importer itself, so that the two
cannot drift apart.
"""

from decimal import Decimal

import pytest

from tests.frontend.html import parse
from tests.frontend.test_index import titles
from tests.importing.helpers import Prop, transfer, write_upload
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ListingPage

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
