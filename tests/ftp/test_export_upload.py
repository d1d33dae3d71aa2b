"""An export pushed to the project's own FTP server and imported from there (issue 6).

The push feature uploads to the real pyftpdlib server on 127.0.0.1 with a broker's FTP
account (as ``.tmp``, then renamed, which queues the file), the inbox imports it with the
real importer: into the same site nothing changes, into an empty site the same listings
come back.
"""

from pathlib import Path

import pytest
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from tests.exporting.test_round_trip import assert_same, site_view
from tests.helpers import make_broker
from tests.importing.helpers import count_writes
from tests.inbox_support import PASSWORD, ensure_default_site, ftp_login, make_account
from wagtail_openimmo.exporting import export_broker, push
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import Broker, ExportTarget, FTPAccount, ListingIndexPage, ListingPage
from wagtail_openimmo.openimmo import generate


@pytest.mark.django_db(transaction=True)
def test_an_export_pushed_to_our_own_ftp_server_imports_back(start_ftp, inbox, queued, tmp_path):
    ensure_default_site()
    broker = make_broker("acme")
    make_account("acme", broker)
    props = [generate.demo_property(n, images=1, image_size=(48, 36)) for n in range(3)]
    generate.write_zip(tmp_path / "feed.zip", props, umfang="VOLL", anid="ACME-ANID")
    assert import_file(tmp_path / "feed.zip", broker).created == 3
    before = site_view(broker)
    server = start_ftp(INBOX_STABLE_SECONDS=3600)  # only the server's own mark counts

    # 1. the push: to the broker's own account on our server, as .tmp then renamed
    target = ExportTarget.objects.create(
        broker=broker,
        name="Own server",
        host=server.host,
        port=server.port,
        username="acme",
        password=PASSWORD,
        folder="",
        umfang="VOLL",
    )
    pushed = push.push_export(target)
    assert pushed.status == push.PUSHED, pushed.error
    assert [Path(p).name for p in queued] == [pushed.file_name]  # the rename queued it
    with count_writes() as writes:
        [outcome] = process_inboxes()
    assert outcome.status == "imported", outcome.message
    assert (outcome.run.unchanged, outcome.run.created, outcome.run.updated) == (3, 0, 0)
    # nothing but the inbox's own bookkeeping (run log, the import lock) was written
    assert writes.queries == []  # but the run log
    assert site_view(broker) == before

    # 2. into an empty site: the same listings, uploaded with ftplib
    export = export_broker(broker, tmp_path / "stock.zip")
    for index in ListingIndexPage.objects.all():
        index.delete()
    ExportTarget.objects.all().delete()
    FTPAccount.objects.all().delete()
    Broker.objects.all().delete()
    for model in (get_image_model(), get_document_model()):
        model.objects.all().delete()
    fresh = make_broker("acme", anid="")
    make_account("acme", fresh)
    ftp = ftp_login(server, "acme")
    with open(export.path, "rb") as fh:
        ftp.storbinary("STOR stock.zip.tmp", fh)
    ftp.rename("stock.zip.tmp", "stock.zip")
    ftp.quit()
    [outcome] = process_inboxes()
    assert outcome.status == "imported", outcome.message
    assert outcome.run.created == 3
    assert ListingPage.objects.filter(broker=fresh, live=True).count() == 3
    assert_same(before, site_view(fresh))
