"""From an FTP upload to a listing page: the real FTP server and the real importer."""

import io
from pathlib import Path

import pytest

from tests.helpers import make_broker
from tests.inbox_support import ensure_default_site, ftp_login, make_account, zip_bytes
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
