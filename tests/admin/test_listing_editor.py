"""The editor's view of a listing: coded OpenImmo values as choices (in German for a German
editor), a stored value outside OpenImmo's codes kept and offered as it is; the agency's own
content (``body``) shown below the description and never touched by an import."""

import re

import pytest
from django.test import Client
from wagtail.rich_text import RichText
from wagtail.users.models import UserProfile

from tests.importing.helpers import Prop, transfer, write_upload
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.listing_form import ListingPageForm
from wagtail_openimmo.models import ListingPage

pytestmark = pytest.mark.django_db


def run_import(tmp_path, broker, *props, currency=None):
    xml = transfer(*props)
    if currency:  # <waehrung> is the last element of <preise>
        xml = xml.replace(b"</preise>", f'<waehrung iso_waehrung="{currency}"/></preise>'.encode())
    return import_file(write_upload(tmp_path / "upload.xml", xml), broker)


def select(html: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {name}"
    return found.group(1)


def test_an_unknown_code_from_a_file_is_kept_and_offered_as_it_is(
    broker, tmp_path, client, superuser
):
    result = run_import(tmp_path, broker, Prop(), currency="ATS")  # the Schilling, before 2002
    assert result.status == "imported", result.as_json()
    page = ListingPage.objects.get()
    assert page.waehrung == "ATS"

    profile = UserProfile.get_for_user(superuser)
    profile.preferred_language = "de"
    profile.save()
    client.force_login(superuser)
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    currencies = select(html, "waehrung")
    assert re.search(r'<option value="ATS" selected>\s*unbekannter Code \(ATS\)', currencies)
    assert re.search(r'<option value="EUR">\s*Euro \(EUR\)', currencies)
    marketing = select(html, "vermarktungsart")
    assert re.search(r'<option value="KAUF" selected>\s*Kaufen \(KAUF\)', marketing)
    assert re.search(r'<option value="MIETE_PACHT">\s*Mieten \(MIETE_PACHT\)', marketing)
    kinds = select(html, "objektart")
    assert re.search(r'<option value="wohnung" selected>\s*Wohnung \(wohnung\)', kinds)
    uses = select(html, "nutzungsart")
    assert re.search(r'<option value="WOHNEN" selected>\s*Wohnen \(WOHNEN\)', uses)

    # The form accepts the stored value and OpenImmo's codes, nothing else.
    form_class = ListingPage.get_edit_handler().get_form_class()
    assert issubclass(form_class, ListingPageForm)
    form = form_class(instance=page, for_user=superuser)
    assert form.fields["waehrung"].valid_value("ATS")
    assert form.fields["waehrung"].valid_value("CHF")
    assert not form.fields["waehrung"].valid_value("XYZ")
    assert not form.fields["vermarktungsart"].valid_value("VERSCHENKEN")


def test_a_new_listing_offers_only_openimmos_codes(broker, superuser):
    form_class = ListingPage.get_edit_handler().get_form_class()
    form = form_class(instance=ListingPage(broker=broker), for_user=superuser)
    assert [code for code, _label in form.fields["objektart"].choices][:3] == [
        "",
        "zimmer",
        "wohnung",
    ]
    assert not form.fields["waehrung"].valid_value("ATS")


def test_the_body_is_kept_across_imports_and_shown_below_the_description(
    broker, tmp_path, client
):
    props = Prop(kaufpreis="250000")
    run_import(tmp_path, broker, props)
    page = ListingPage.objects.get()
    page.objektbeschreibung = "Helle Räume mit Blick."
    page.body = [
        ("heading", "Unser Tipp"),
        ("paragraph", RichText("<p>Der Garten ist ein <b>Traum</b>.</p>")),
    ]
    page.save_revision().publish()

    # A re-import with changed data: the broker's values change, the body does not.
    run_import(tmp_path, broker, Prop(kaufpreis="239000", titel="Neu renoviert", ort="Wiesbaden"))
    page.refresh_from_db()
    assert (page.title, page.ort, int(page.kaufpreis)) == ("Neu renoviert", "Wiesbaden", 239000)
    assert [block.block_type for block in page.body] == ["heading", "paragraph"]
    assert page.body[1].value.source == "<p>Der Garten ist ein <b>Traum</b>.</p>"
    assert page.get_latest_revision_as_object().body.raw_data == page.body.raw_data

    html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    description = html.index("Helle Räume mit Blick.")
    heading = html.index("<h2>Unser Tipp</h2>")
    assert description < heading < html.index("Der Garten ist ein <b>Traum</b>.")
    assert 'class="openimmo-body"' in html


def test_no_body_no_section(broker, tmp_path, client):
    run_import(tmp_path, broker, Prop())
    page = ListingPage.objects.get()
    assert 'class="openimmo-body"' not in client.get(page.url).content.decode()


def test_a_picture_in_the_body_is_not_cleaned_up_as_unused(broker, tmp_path):
    """``remove_unused`` deletes the broker's imported pictures no attachment uses; one that
    an editor put into a listing's body is in use."""
    from tests.exporting.builders import make_image
    from tests.importing.helpers import small_jpeg
    from wagtail_openimmo.importing.attachments import broker_collection, remove_unused

    run_import(tmp_path, broker, Prop())
    page = ListingPage.objects.get()
    collection = broker_collection(broker, create=True)
    in_body, unused = make_image(small_jpeg(1)), make_image(small_jpeg(2), name="b.jpg")
    for image in (in_body, unused):
        image.collection = collection
        image.save()
    page.body = [("image", {"image": in_body, "alt_text": "Garten", "decorative": False})]
    page.save_revision().publish()

    assert remove_unused(broker) == 1
    images = type(in_body).objects.filter(pk__in=[in_body.pk, unused.pk])
    assert list(images.values_list("pk", flat=True)) == [in_body.pk]
    html = Client().get(page.url).content.decode()
    assert 'alt="Garten"' in html
