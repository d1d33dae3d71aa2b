"""One file's error never stops the run for every broker (issue 15, item 3).

Real inbox folders, the real importer and real file-system errors: a file name of 250 bytes
(legal on the disk, too long for ``<name>.txt``) and an archive folder that cannot be made.
"""

import pytest
from django.core import mail

from tests.helpers import make_broker
from tests.inbox_support import make_account, zip_bytes
from wagtail_openimmo.inbox import layout, process_inboxes
from wagtail_openimmo.models import ImportRun, ListingPage
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_wait(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}


def put(inbox, folder, name, data):
    path = inbox / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def good_zip(anid):
    return zip_bytes([generate.demo_property(1, images=0)], anid=anid)


@pytest.fixture
def two_brokers(inbox):
    acme, zeta = make_broker("acme"), make_broker("zeta")
    make_account("acme", acme)
    make_account("zeta", zeta)
    return acme, zeta


def test_a_253_byte_name_goes_to_failed_with_a_short_reason_file(inbox, two_brokers):
    acme, zeta = two_brokers
    long_name = "a" * 249 + ".zip"  # 253 bytes: "<name>.txt" would be 257, too long
    put(inbox, "acme", long_name, b"this is not a zip file")
    put(inbox, "zeta", "export.zip", good_zip("ZETA-ANID"))
    outcomes = {o.folder: o for o in process_inboxes()}
    assert outcomes["zeta"].status == "imported"  # the later broker was not held up
    assert ListingPage.objects.filter(broker=zeta).count() == 1
    bad = outcomes["acme"]
    assert bad.status in ("rejected", "failed")
    failed = inbox / ".openimmo" / "failed" / "acme"
    assert (failed / long_name).exists()
    [reason] = [p for p in failed.iterdir() if p.name.endswith(".txt")]
    assert len(reason.name.encode()) <= 255
    assert reason.read_text().startswith(long_name)  # the reason names the file
    run = ImportRun.objects.get(broker=acme)
    assert run.file_path == str(failed / long_name)
    assert any(m.to == ["acme@example.com"] for m in mail.outbox)  # the broker was told


def test_an_error_moving_one_file_is_caught_and_the_run_goes_on(inbox, two_brokers):
    acme, zeta = two_brokers
    put(inbox, "acme", "export.zip", good_zip("ACME-ANID"))
    put(inbox, "zeta", "export.zip", good_zip("ZETA-ANID"))
    # a plain file where acme's archive folder belongs: moving to archive/ fails (ENOTDIR)
    blocker = inbox / ".openimmo" / "archive" / "acme"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("in the way")
    outcomes = {o.folder: o for o in process_inboxes()}
    assert outcomes["zeta"].status == "imported"
    assert outcomes["acme"].status == "failed"
    assert "NotADirectoryError" in outcomes["acme"].message or "FileExistsError" in (
        outcomes["acme"].message
    )
    failed = inbox / ".openimmo" / "failed" / "acme"
    assert (failed / "export.zip").exists()
    assert layout.reason_path(failed / "export.zip").exists()
    run = ImportRun.objects.get(broker=acme)
    assert run.file_path == str(failed / "export.zip")
    assert "could not be handled" in run.message
    assert not list((inbox / ".openimmo" / "processing" / "acme").glob("*"))
    assert any(m.to == ["acme@example.com"] for m in mail.outbox)
