"""A broker's pages: FTP access (and sending it), uploading with a preview, plain labels."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.helpers import make_broker
from tests.inbox_support import make_account, zip_bytes
from tests.runs import make_listing, make_run
from wagtail_openimmo.models import FTPAccount, ImportRun, ListingPage
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def inbox(settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"FTP_PUBLIC_HOST": "ftp.example.net", "FTP_PORT": 2121}
    return settings.OPENIMMO_INBOX_DIR


def test_ftp_panel_shows_what_to_enter(client, superuser):
    acme = make_broker("acme")
    make_account("acme-ftp", acme)
    client.force_login(superuser)
    page = client.get(reverse("wagtail_openimmo_broker:ftp", args=[acme.pk])).content.decode()
    assert "ftp.example.net" in page and "2121" in page and "acme-ftp" in page
    assert "FTP (unencrypted)" in page and "Passive mode (PASV)" in page


def test_sending_access_data_sets_a_new_password_shown_once(client, superuser, settings):
    acme = make_broker("acme", language="en")
    account = make_account("acme-ftp", acme)
    old_hash = account.password
    client.force_login(superuser)
    response = client.post(reverse("wagtail_openimmo_broker:ftp_send", args=[acme.pk]), follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    [password] = re.findall(r"is: (\S+) —", text)
    account.refresh_from_db()
    assert account.password != old_hash and account.check_password(password)
    assert password not in account.password  # only the hash is stored
    [message] = mail.outbox
    assert message.to == [acme.email] and password in message.body
    assert "ftp.example.net" in message.body and "Passive mode" in message.body
    # shown once: the FTP page afterwards does not carry it
    page = client.get(reverse("wagtail_openimmo_broker:ftp", args=[acme.pk])).content.decode()
    assert password not in page


def test_access_data_go_out_in_the_brokers_language_and_create_an_account(client, superuser):
    mueller = make_broker("mueller", language="de")
    client.force_login(superuser)
    client.post(reverse("wagtail_openimmo_broker:ftp_send", args=[mueller.pk]))
    account = FTPAccount.objects.get(brokers=mueller)
    assert account.username == "mueller"
    [message] = mail.outbox
    assert "Passiver Modus" in message.body and "Benutzername" in message.body


def test_upload_preview_then_confirm_imports_and_links_to_the_run(client, superuser):
    acme = make_broker("acme")
    make_listing(acme, "OLD-1", "Alte Wohnung")
    properties = [generate.demo_property(i, images=0) for i in range(2)]
    data = zip_bytes(properties, anid="ACME-ANID", umfang="TEIL")
    client.force_login(superuser)
    url = reverse("wagtail_openimmo_broker:upload", args=[acme.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"file": SimpleUploadedFile("feed.zip", data)})
    html = page.content.decode()
    assert "data-openimmo-preview" in html and page.context["result"].created == 2
    assert not ImportRun.objects.exists()  # a dry run writes nothing
    assert ListingPage.objects.filter(broker=acme).count() == 1
    confirm = page.context["confirm_url"]

    response = client.post(confirm, {"confirm": "1"})
    [run] = ImportRun.objects.all()
    assert response.url == reverse(
        "wagtail_openimmo_broker:upload_progress", args=[acme.pk, run.pk]
    )
    # django-q runs in sync mode in the tests: the import has happened
    assert run.status == ImportRun.Status.IMPORTED and run.created == 2
    state = client.get(response.url + "?format=json").json()
    assert state["finished"] and state["created"] == 2
    assert state["run_url"] == reverse("wagtail_openimmo_runs:inspect", args=[run.pk])
    assert "archive" in run.file_path
    # the token is used up
    assert client.post(confirm, {"confirm": "1"}).status_code == 302
    assert ImportRun.objects.count() == 1


def test_upload_of_a_broken_file_is_refused_in_the_preview(client, superuser):
    acme = make_broker("acme")
    client.force_login(superuser)
    url = reverse("wagtail_openimmo_broker:upload", args=[acme.pk])
    page = client.post(url, {"file": SimpleUploadedFile("feed.zip", b"PK\x03\x04broken")})
    assert page.context["result"].refused and not page.context["can_import"]
    assert b"data-openimmo-confirm" not in page.content


def test_only_importers_upload(client, log_viewer, editor):
    acme = make_broker("acme")
    url = reverse("wagtail_openimmo_broker:upload", args=[acme.pk])
    for user in (log_viewer, editor):
        client.force_login(user)
        assert client.get(url).status_code in (302, 403)
        ftp = reverse("wagtail_openimmo_broker:ftp", args=[acme.pk])
        assert client.get(ftp).status_code in (302, 403)


def test_broker_list_and_run_detail_speak_plainly(client, superuser, settings):
    settings.LANGUAGE_CODE = "de"
    acme = make_broker("acme")
    make_broker("newcomer", approved=False)
    client.force_login(superuser)
    listing = client.get(
        reverse("wagtailsnippets_wagtail_openimmo_broker:list"), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert ">Ja<" in re.sub(r"\s+", "", listing).replace("<td>", ">") or "Ja" in listing
    for word in ("True", "False"):
        assert word not in _text(listing), word
    run = make_run(
        acme,
        entries=[
            {
                "objektnr": "W1",
                "title": "Eins",
                "action": "CHANGE",
                "outcome": "created",
                "line": 2,
            },
            {
                "objektnr": "W2",
                "title": "Zwei",
                "action": "CHANGE",
                "outcome": "updated",
                "line": 2,
            },
            {
                "objektnr": "W3",
                "title": "Drei",
                "action": "DELETE",
                "outcome": "withdrawn",
                "line": 2,
            },
        ],
    )
    detail = client.get(
        reverse("wagtail_openimmo_runs:inspect", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    text = _text(detail)
    for word in ("True", "False", "CHANGE", "DELETE", "Zeile"):
        assert word not in text.split("Details")[0], word
    assert "Neu" in text and "Änderung" in text and "Löschung" in text and "Nein" in text
    edit = client.get(reverse("wagtailsnippets_wagtail_openimmo_broker:edit", args=[acme.pk]))
    assert reverse("wagtail_openimmo_export:broker", args=[acme.pk]) in edit.content.decode()


def _text(html: str) -> str:
    """The visible text of a page (tags, scripts and attribute values removed)."""
    html = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_line_numbers_are_shown_for_a_file_of_many_lines(client, superuser):
    acme = make_broker("acme")
    run = make_run(
        acme,
        entries=[
            {
                "objektnr": "W1",
                "title": "Eins",
                "action": "CHANGE",
                "outcome": "created",
                "line": 12,
            },
            {
                "objektnr": "W2",
                "title": "Zwei",
                "action": "CHANGE",
                "outcome": "updated",
                "line": 80,
            },
        ],
    )
    client.force_login(superuser)
    detail = client.get(reverse("wagtail_openimmo_runs:inspect", args=[run.pk])).content.decode()
    log = detail.split("data-openimmo-log", 1)[1].split("</table>", 1)[0]
    assert ">Line<" in log and ">80<" in log
