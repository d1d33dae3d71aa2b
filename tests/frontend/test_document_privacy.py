"""Documents of listings that are not live are not served to visitors (issue 15, item 5).

An exposé can carry personal data. Wagtail's document serve view (``/documents/<id>/<name>``)
runs the app's ``before_serve_document`` hook: a document attached only to listings that are
withdrawn or unpublished answers 404 to visitors and to users without permission, and is
served to editors who may change it or edit its listing. Real pages, real documents, real
files."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.models import Collection, GroupPagePermission

from tests.frontend.listings import make_listing, withdraw
from wagtail_openimmo.models import ListingAttachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% Expose: Eigentuemer Max Mustermann, Tel. 0171 1234567\n%%EOF\n"


def attach_document(page, name="expose.pdf"):
    document = get_document_model().objects.create(
        title="Exposé", file=ContentFile(PDF, name=name)
    )
    ListingAttachment.objects.create(
        listing=page, kind=ListingAttachment.KIND_DOCUMENT, gruppe="DOKUMENTE",
        titel="Exposé", document=document,
    )
    return document


def fetch(client, document):
    response = client.get(document.url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


@pytest.fixture
def listing(broker):
    return make_listing(broker, 1, images=0)


def test_a_live_listings_document_is_served_through_the_serve_view(client, listing):
    document = attach_document(listing)
    assert document.url.startswith("/documents/")  # the serve view, not the media URL
    status, body = fetch(client, document)
    assert status == 200 and body == PDF
    # the listing page links it by that address
    html = client.get(listing.url).content.decode()
    assert document.url in html


def test_a_withdrawn_listings_document_is_not_served_to_visitors(client, listing):
    document = attach_document(listing)
    withdraw(listing)
    status, body = fetch(client, document)
    assert status == 404 and b"Mustermann" not in body


def test_an_unpublished_listings_document_is_not_served(client, listing):
    document = attach_document(listing)
    listing.unpublish()
    assert fetch(client, document)[0] == 404


def test_a_document_also_attached_to_a_live_listing_is_served(client, broker, listing):
    document = attach_document(listing)
    other = make_listing(broker, 2, images=0)
    ListingAttachment.objects.create(
        listing=other, kind=ListingAttachment.KIND_DOCUMENT, document=document
    )
    withdraw(listing)
    assert fetch(client, document)[0] == 200


def test_documents_of_no_listing_are_served_as_ever(client):
    document = get_document_model().objects.create(
        title="Impressum", file=ContentFile(b"%PDF-1.4\n", name="impressum.pdf")
    )
    assert fetch(client, document)[0] == 200


def test_admins_and_editors_of_the_listing_still_get_it(
    broker, listing, django_user_model
):
    document = attach_document(listing)
    withdraw(listing)
    admin = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    # an editor who may edit the broker's listings, but has no document permissions
    editors = Group.objects.create(name="Listing editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=editors, page=broker.index_page,
        permission=Permission.objects.get(codename="change_page"),
    )
    editor = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    editor.groups.add(editors)
    # a user of the admin with rights elsewhere only
    others = Group.objects.create(name="Others")
    others.permissions.add(Permission.objects.get(codename="access_admin"))
    stranger = django_user_model.objects.create_user("stranger", "s@example.com", "pw")
    stranger.groups.add(others)
    for user, expected in ((admin, 200), (editor, 200), (stranger, 404)):
        client = Client()
        client.force_login(user)
        assert fetch(client, document)[0] == expected, user.username
    # a document editor of its collection may get it as well
    doc_editors = Group.objects.create(name="Documents")
    from wagtail.models import GroupCollectionPermission

    GroupCollectionPermission.objects.create(
        group=doc_editors, collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(codename="change_document"),
    )
    stranger.groups.add(doc_editors)
    client = Client()
    client.force_login(stranger)
    assert fetch(client, document)[0] == 200


def test_the_example_site_does_not_serve_documents_by_their_media_url(settings):
    """In development the example site serves MEDIA_ROOT itself, but not documents/: they
    go through the serve view, whose check a media URL would bypass."""
    import importlib

    from django.urls import Resolver404, get_resolver

    settings.DEBUG = True
    settings.MEDIA_URL = "/media/"
    import example_site.urls as example_urls

    module = importlib.reload(example_urls)
    try:
        resolver = get_resolver(module)
        assert resolver.resolve("/media/original_images/house.jpg").kwargs == {
            "path": "original_images/house.jpg", "document_root": settings.MEDIA_ROOT,
        }
        with pytest.raises(Resolver404):
            resolver.resolve("/media/documents/expose.pdf")
        assert resolver.resolve("/documents/5/expose.pdf").url_name == "wagtaildocs_serve"
    finally:
        settings.DEBUG = False
        importlib.reload(example_urls)
