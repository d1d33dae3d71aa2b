"""The inbox overview: every file waiting or in flight, with its state, read without writing.

Real inbox folders on disk and the real importer; no import runs in the first tests.
"""

from __future__ import annotations

import os
import time

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.helpers import make_broker
from tests.inbox_support import make_account, write_upload, zip_bytes
from wagtail_openimmo.inbox import layout, overview, process_inboxes, scan
from wagtail_openimmo.models import ImportRun
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db

INDEX = "wagtail_openimmo_inbox:index"


@pytest.fixture
def inbox(settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 60}
    return settings.OPENIMMO_INBOX_DIR


def _tree(root):
    return sorted(
        (str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
    )


def _states(folders):
    return {f.name: f.state for inbox in folders for f in inbox.files}


def test_waiting_settling_and_damaged_files_show_at_once_without_writing(inbox):
    acme = make_broker("acme")
    make_account("acme", acme)
    folder = inbox / "acme"
    old = time.time() - 600
    write_upload(folder, "complete.zip", zip_bytes(), mtime=old)
    write_upload(folder, "fresh.zip", zip_bytes())
    # An upload that broke off: the start of a ZIP, no central directory, quiet for 10 min.
    write_upload(folder, "broken.zip", zip_bytes()[:200], mtime=old)
    write_upload(folder, "partial.zip.part", b"PK")  # temporary name: not shown
    before = _tree(inbox)

    folders = overview.inbox_overview()

    assert _tree(inbox) == before  # nothing written: no state file, no marks
    assert _states(folders) == {
        "complete.zip": "queued",
        "fresh.zip": "settling",
        "broken.zip": "damaged",
    }
    [broken] = [f for f in folders[0].files if f.name == "broken.zip"]
    # retried (handed to the importer, which refuses it) after ten stable periods
    assert broken.retry_at.timestamp() == pytest.approx(old + 600, abs=1)
    assert folders[0].broker == acme and not ImportRun.objects.exists()


def test_upload_in_progress_on_the_built_in_server_is_uploading(inbox):
    acme = make_broker("acme")
    make_account("acme", acme)
    write_upload(inbox / "acme", "big.zip", b"PK\x03\x04")
    scan.mark_uploading(inbox, "acme", "big.zip")
    assert _states(overview.inbox_overview()) == {"big.zip": "uploading"}


def test_failed_file_shows_its_reason_and_moves_back(client, superuser, inbox):
    acme = make_broker("acme")
    make_account("acme", acme)
    write_upload(inbox / "acme", "notes.zip", b"this is no zip", mtime=time.time() - 3600)
    [outcome] = process_inboxes()
    assert outcome.status == "rejected"
    [failed] = [f for i in overview.inbox_overview() for f in i.files]
    assert failed.state == "failed" and failed.place == "failed"
    assert failed.reason  # the importer's reason, from notes.zip.txt

    client.force_login(superuser)
    page = client.get(reverse(INDEX)).content.decode()
    assert 'data-openimmo-file="notes.zip"' in page
    assert escape(failed.reason.splitlines()[0]) in page
    download = client.get(
        reverse("wagtail_openimmo_inbox:download", args=["acme", "failed", "notes.zip"])
    )
    assert b"".join(download.streaming_content) == b"this is no zip"

    response = client.post(reverse("wagtail_openimmo_inbox:requeue", args=["acme", "notes.zip"]))
    assert response.status_code == 302
    assert (inbox / "acme" / "notes.zip").read_bytes() == b"this is no zip"
    assert not list((layout.app_dir(inbox) / "failed" / "acme").iterdir())


def test_downloads_stay_inside_the_inbox(client, superuser, inbox):
    acme = make_broker("acme")
    make_account("acme", acme)
    write_upload(inbox / "acme", "a.zip", b"x")
    (inbox / "secret.txt").write_text("no")
    client.force_login(superuser)
    url = reverse("wagtail_openimmo_inbox:download", args=["acme", "inbox", "a.zip"])
    assert client.get(url).status_code == 200
    for args in (
        ["acme", "inbox", "..%2Fsecret.txt"],
        ["acme", "nowhere", "a.zip"],
        [".openimmo", "inbox", "a.zip"],
    ):
        url = reverse("wagtail_openimmo_inbox:download", args=args)
        assert client.get(url).status_code == 404


def test_importing_file_shows_its_progress(client, superuser, inbox):
    acme = make_broker("acme")
    make_account("acme", acme)
    path = write_upload(layout.state_dir(inbox, layout.PROCESSING, "acme"), "feed.zip", b"PK")
    run = ImportRun.objects.create(
        broker=acme,
        file_name="feed.zip",
        file_path=str(path),
        status=ImportRun.Status.RUNNING,
        progress_done=3,
        progress_total=12,
    )
    [item] = [f for i in overview.inbox_overview() for f in i.files]
    assert (item.state, item.progress, item.run) == ("importing", (3, 12), run)
    client.force_login(superuser)
    page = client.get(reverse(INDEX)).content.decode()
    assert 'max="12" value="3"' in page
    status = client.get(reverse("wagtail_openimmo_inbox:status")).json()
    assert status["files"][0]["state"] == "importing" and status["files"][0]["done"] == 3
    run.status = ImportRun.Status.IMPORTED
    run.save()
    assert _states(overview.inbox_overview()) == {"feed.zip": "interrupted"}


def test_inbox_import_writes_progress_to_its_run(inbox, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    acme = make_broker("acme")
    make_account("acme", acme)
    properties = [generate.demo_property(i, images=0) for i in range(3)]
    write_upload(
        inbox / "acme", "three.zip", zip_bytes(properties, anid="ACME-ANID"), mtime=time.time() - 10
    )
    [outcome] = process_inboxes()
    run = outcome.run
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total) == (3, 3) and run.progress_at


def test_unapproved_broker_files_are_held(inbox):
    newcomer = make_broker("newcomer", approved=False)
    make_account("newcomer", newcomer)
    write_upload(inbox / "newcomer", "first.zip", zip_bytes(), mtime=time.time() - 600)
    [item] = [f for i in overview.inbox_overview() for f in i.files]
    assert (item.state, item.held_kind) == ("held", "approval")


def test_only_log_viewers_see_the_overview(client, editor, log_viewer, inbox):
    client.force_login(editor)
    assert client.get(reverse(INDEX)).status_code in (302, 403)
    client.force_login(log_viewer)
    assert client.get(reverse(INDEX)).status_code == 200
    # moving back needs run_import
    make_broker("acme")
    os.makedirs(layout.state_dir(inbox, layout.FAILED, "acme"))
    response = client.post(reverse("wagtail_openimmo_inbox:requeue", args=["acme", "x.zip"]))
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "login" in response.url or response.url == "/admin/"


def test_dashboard_counts_damaged_and_waiting_files(client, superuser, inbox):
    acme = make_broker("acme")
    make_account("acme", acme)
    old = time.time() - 600
    write_upload(inbox / "acme", "good.zip", zip_bytes(), mtime=old)
    write_upload(inbox / "acme", "broken.zip", zip_bytes()[:200], mtime=old)
    client.force_login(superuser)
    page = client.get("/admin/").content.decode()
    line = page.split("data-openimmo-dashboard-inbox", 1)[1].split("</p>", 1)[0]
    assert "1 damaged file" in line and "1 waiting" in line


# --- files uploaded in the admin (Upload a file, with a preview) ---------------------------


def _upload_in_the_admin(client, broker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    properties = [generate.demo_property(i, images=0) for i in range(2)]
    data = zip_bytes(properties, anid=f"{broker.slug.upper()}-ANID", umfang="TEIL")
    url = reverse("wagtail_openimmo_broker:upload", args=[broker.pk])
    page = client.post(url, {"file": SimpleUploadedFile("vom-makler.zip", data)})
    assert page.status_code == 200 and page.context["result"].created == 2
    return page.context["confirm_url"]


def _admin_rows(html):
    import lxml.html

    tree = lxml.html.fromstring(html)
    return {
        row.get("data-openimmo-file"): (row.get("data-state"), row.text_content())
        for row in tree.xpath("//section[@data-openimmo-admin-uploads]//tbody/tr")
    }


def test_admin_uploads_are_shown_with_their_state(client, superuser, inbox):
    from wagtail_openimmo.importing import staged

    acme = make_broker("acme")
    other = make_broker("other")
    client.force_login(superuser)
    confirm = _upload_in_the_admin(client, acme)

    # Previewed, not confirmed: shown with the broker, who uploaded it and when it goes.
    [item] = overview.admin_uploads()
    assert (item.name, item.state, item.broker, item.uploaded_by) == (
        "vom-makler.zip", overview.PREVIEWED, acme, "admin"
    )
    assert item.retry_at.timestamp() == pytest.approx(time.time() + staged.KEEP_SECONDS, abs=60)
    assert overview.admin_uploads(broker=other) == []
    html = client.get(reverse(INDEX)).content.decode()
    state, text = _admin_rows(html)["vom-makler.zip"]
    assert state == "previewed"
    assert "Previewed, not imported" in text and "Acme" in text and "by admin" in text
    assert confirm in html  # "Import" and "Discard" post to the preview's confirmation
    download = reverse("wagtail_openimmo_inbox:download", args=[item.folder, "upload", item.name])
    assert download in html
    assert client.get(download).getvalue() == item_bytes(item)
    notes = reverse("wagtail_openimmo_inbox:download", args=[item.folder, "upload", staged.META])
    assert client.get(notes).status_code == 404

    # Confirmed, waiting for a worker; then being imported, with its progress.
    upload = staged.find(item.folder)
    run = staged.start(upload, acme)
    [item] = overview.admin_uploads()
    assert item.state == overview.QUEUED and item.run == run
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, progress_done=1, progress_total=2
    )
    [item] = overview.admin_uploads()
    assert item.state == overview.IMPORTING and item.progress == (1, 2)
    status = client.get(reverse("wagtail_openimmo_inbox:status")).json()
    assert {"folder": item.folder, "name": "vom-makler.zip", "state": "importing"}.items() <= {
        **next(f for f in status["files"] if f["name"] == "vom-makler.zip")
    }.items()
    html = client.get(reverse(INDEX)).content.decode()
    assert _admin_rows(html)["vom-makler.zip"][0] == "importing"

    # Imported (the import archives the file): no longer among the uploads.
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
    staged.import_run(ImportRun.objects.get(pk=run.pk))
    assert overview.admin_uploads() == []
    assert "data-openimmo-admin-uploads" not in client.get(reverse(INDEX)).content.decode()


def test_an_admin_upload_is_imported_or_discarded_from_the_overview(client, superuser, inbox):
    acme = make_broker("acme")
    client.force_login(superuser)
    confirm = _upload_in_the_admin(client, acme)
    response = client.post(confirm, {"cancel": "1"})
    assert response.status_code == 302 and overview.admin_uploads() == []

    confirm = _upload_in_the_admin(client, acme)
    client.post(confirm, {"confirm": "1"})  # django-q runs in sync mode in the tests
    [run] = ImportRun.objects.all()
    assert run.status == ImportRun.Status.IMPORTED and run.created == 2
    assert overview.admin_uploads() == []


def item_bytes(item) -> bytes:
    return overview.locate(item.folder, "upload", item.name).read_bytes()
