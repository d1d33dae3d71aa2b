"""The admin: export buttons and downloads, the page bulk action, export targets."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailTestUtils

from tests.exporting.builders import imported_listing, make_listing, read_zip
from wagtail_openimmo.models import ExportTarget
from wagtail_openimmo.openimmo import read_transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    # the superuser Wagtail's own admin tests use
    client.force_login(WagtailTestUtils.create_test_user())
    return client


@pytest.fixture
def editor_client(client, django_user_model):
    """An editor with admin access but no right to change brokers."""
    user = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    group = Group.objects.create(name="Listing viewers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    client.force_login(user)
    return client


def download(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="openimmo-acme-')
    return b"".join(response.streaming_content)


def test_broker_listing_offers_the_export_and_it_downloads(admin_client, broker):
    imported_listing(broker, 1, images=1)
    url = reverse("wagtail_openimmo_export:broker", args=[broker.pk])
    listing_page = admin_client.get(reverse("wagtailsnippets_wagtail_openimmo_broker:list"))
    assert url in listing_page.content.decode()
    xml, members = read_zip(io.BytesIO(download(admin_client.get(url))))
    transfer = read_transfer(xml)
    assert transfer.umfang == "VOLL"
    assert [r.objektnr for r in transfer.records()] == ["W00001"]
    assert list(members) == ["W00001_1.jpg"]


def test_export_needs_the_right_to_change_brokers(editor_client, broker):
    for pk in (broker.pk, 999):
        response = editor_client.get(reverse("wagtail_openimmo_export:broker", args=[pk]))
        # Wagtail's admin turns PermissionDenied into a redirect with a message
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert "Content-Disposition" not in response


def bulk_url(*pages, next_url="/admin/pages/"):
    ids = "&".join(f"id={p.pk}" for p in pages)
    base = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "export_openimmo"))
    return f"{base}?{ids}&next={next_url}"


def test_bulk_action_exports_the_selected_listings(admin_client, broker):
    chosen = imported_listing(broker, 1, images=0)
    other = imported_listing(broker, 2, images=0)
    root = Page.objects.get(depth=2)
    url = bulk_url(chosen, other, root)
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Export 2 listings as OpenImmo" in text
    assert "These page is not" not in text and "not a listing you may export" in text
    xml, _members = read_zip(io.BytesIO(download(admin_client.post(url))))
    transfer = read_transfer(xml)
    assert transfer.umfang == "TEIL"
    assert [r.objektnr for r in transfer.records()] == ["W00001", "W00002"]


def test_bulk_action_refuses_listings_of_two_brokers(admin_client, broker, other_broker):
    a = imported_listing(broker, 1, images=0)
    b = imported_listing(other_broker, 2, images=0)
    response = admin_client.post(bulk_url(a, b), follow=True)
    assert response.status_code == 200
    assert "Select listings of one broker" in response.content.decode()


def test_bulk_action_is_not_for_editors_without_the_right(editor_client, broker):
    listing = make_listing(broker, title="X", objektnr_extern="1")
    response = editor_client.post(bulk_url(listing), follow=True)
    assert response.status_code == 200
    assert "Content-Disposition" not in response


def test_export_target_password_is_write_only(admin_client, broker):
    add = reverse("wagtailsnippets_wagtail_openimmo_exporttarget:add")
    form = {
        "broker": broker.pk,
        "name": "Portal",
        "host": "ftp.example.com",
        "port": 21,
        "username": "acme",
        "folder": "in",
        "passive": "on",
        "umfang": "VOLL",
        "active": "on",
    }
    response = admin_client.post(add, {**form, "password": ""})
    assert response.status_code == 200 and not ExportTarget.objects.exists()
    admin_client.post(add, {**form, "password": "geheim-123"})
    target = ExportTarget.objects.get()
    assert target.password == "geheim-123"

    edit = reverse("wagtailsnippets_wagtail_openimmo_exporttarget:edit", args=[target.pk])
    page = admin_client.get(edit).content.decode()
    assert "geheim-123" not in page and 'name="password"' in page
    admin_client.post(edit, {**form, "password": "", "folder": "neu"})
    target.refresh_from_db()
    assert (target.folder, target.password) == ("neu", "geheim-123")
    admin_client.post(edit, {**form, "password": "anders-456"})
    target.refresh_from_db()
    assert target.password == "anders-456"
    listing_html = admin_client.get(
        reverse("wagtailsnippets_wagtail_openimmo_exporttarget:list")
    ).content.decode()
    assert "anders-456" not in listing_html and "ftp.example.com" in listing_html


def test_zip_download_is_a_valid_zip(admin_client, broker):
    make_listing(broker, title="Haus", objektnr_extern="E-1")
    body = download(admin_client.get(reverse("wagtail_openimmo_export:broker", args=[broker.pk])))
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None


def test_the_page_explorer_offers_the_bulk_action(admin_client, broker):
    imported_listing(broker, 1, images=0)
    html = admin_client.get(reverse("wagtailadmin_explore", args=[broker.index_page_id]))
    text = html.content.decode()
    action = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "export_openimmo"))
    assert f'href="{action}' in text  # Wagtail 7 appends ?next=
    assert 'aria-label="Export selected listings as OpenImmo"' in text
