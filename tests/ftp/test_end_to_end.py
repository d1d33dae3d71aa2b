"""From an FTP upload to a listing page: the real FTP server and the real importer."""

import io
from pathlib import Path

import pytest
from django_q.models import Task

from tests.helpers import make_broker, wait_for
from tests.inbox_support import ensure_default_site, ftp_login, make_account, zip_bytes
from wagtail_openimmo import tasks
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import ImportRun, ListingPage
from wagtail_openimmo.openimmo import generate

pytest.importorskip("wagtail_openimmo.importing")


@pytest.mark.django_db(transaction=True)
def test_ftp_upload_becomes_a_listing_page(start_ftp, inbox, queued):
    ensure_default_site()
    broker = make_broker("acme")
    make_account("acme", broker)
    server = start_ftp(INBOX_STABLE_SECONDS=3600)  # only the server's own mark counts
    ftp = ftp_login(server, "acme")
    ftp.storbinary(
        "STOR export.zip.tmp",
        io.BytesIO(
            zip_bytes([generate.demo_property(1, images=1, image_size=(32, 24))], anid="ACME-ANID")
        ),
    )
    assert process_inboxes() == []  # a temporary name is never imported
    ftp.rename("export.zip.tmp", "export.zip")
    ftp.quit()
    assert [Path(p).name for p in queued] == ["export.zip"]
    [outcome] = process_inboxes()
    assert outcome.status == "imported", outcome.message
    page = ListingPage.objects.get(broker=broker)
    assert page.live and page.get_parent().id == broker.index_page_id
    assert outcome.path.parent.parent.parent == inbox / ".openimmo" / "archive" / "acme"
    assert list((inbox / "acme").iterdir()) == []
    run = ImportRun.objects.get()
    assert run.created == 1 and run.file_path == str(outcome.path)


# The real ``enqueue_upload`` (the ``queued`` fixture replaces it for the other FTP tests).
REAL_ENQUEUE = tasks.enqueue_upload


@pytest.mark.django_db(transaction=True)
def test_chunked_upload_is_imported_by_the_queued_task_only_once_complete(
    start_ftp, inbox, monkeypatch
):
    """A ZIP sent in pieces: while it arrives nothing takes it; when the transfer ends,
    ``on_file_received`` queues ``import_upload`` (django-q's ORM broker, sync mode in the
    test settings, so it runs at once in the server's session thread) and the listing
    appears without any scan."""
    ensure_default_site()
    broker = make_broker("acme")
    make_account("acme", broker)
    server = start_ftp(INBOX_STABLE_SECONDS=0)  # not even a stability wait protects the file
    monkeypatch.setattr(tasks, "enqueue_upload", REAL_ENQUEUE)
    data = zip_bytes(
        [generate.demo_property(n, images=1, image_size=(32, 24)) for n in (1, 2)],
        anid="ACME-ANID",
    )
    ftp = ftp_login(server, "acme")
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("STOR export.zip")
    path = inbox / "acme" / "export.zip"
    for start in range(0, len(data) - 1024, 1024):
        conn.sendall(data[start : start + 1024])
        if start == 2048:
            assert wait_for(path.exists)  # (its bytes may still sit in the server's buffer)
            # A scan in the middle of the upload (an impatient cron run) leaves it alone.
            assert process_inboxes() == []
            assert path.exists() and not ImportRun.objects.exists()
    conn.sendall(data[start + 1024 :])
    conn.close()
    ftp.voidresp()
    ftp.quit()
    assert wait_for(lambda: ImportRun.objects.filter(status="imported").exists(), timeout=30)
    run = ImportRun.objects.get()
    assert run.file_name == "export.zip" and run.created == 2
    assert ListingPage.objects.filter(broker=broker, live=True).count() == 2
    [task] = Task.objects.filter(func="wagtail_openimmo.tasks.import_upload")
    assert task.success and task.args == (str(path.resolve()),)
    assert archived_names(inbox, "acme") == ["export.zip"]
    assert not path.exists()


def archived_names(inbox, folder):
    return sorted(p.name for p in (inbox / ".openimmo" / "archive" / folder).rglob("*.zip"))
