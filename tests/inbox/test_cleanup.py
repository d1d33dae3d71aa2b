"""Archived files are deleted after ARCHIVE_DAYS; files waiting for a decision never are."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.inbox_support import make_account, write_upload, zip_bytes
from wagtail_openimmo.inbox import clean_archive, process_inboxes, scan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settings_(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "ARCHIVE_DAYS": 90}


def test_old_archive_and_failed_files_are_deleted(inbox, standin, broker):
    make_account("acme", broker)
    write_upload(inbox / "acme", "good.zip", zip_bytes(), mtime=1)
    write_upload(inbox / "acme", "bad.zip", b"not a zip", mtime=1)
    imported_at = timezone.now()
    outcomes = {o.file: o.path for o in process_inboxes(now=imported_at)}
    archived, failed = outcomes["good.zip"], outcomes["bad.zip"]
    reason = failed.with_name("bad.zip.txt")
    waiting = [
        write_upload(inbox / ".openimmo" / kind / "acme", "keep.zip", b"x", mtime=1)
        for kind in ("held", "unmatched", "processing")
    ]
    waiting.append(write_upload(inbox / "acme", "new-upload.zip", b"x", mtime=1))

    assert clean_archive(now=imported_at + dt.timedelta(days=89)) == 0
    assert archived.exists() and failed.exists()
    assert clean_archive(now=imported_at + dt.timedelta(days=91)) == 3
    assert not archived.exists() and not failed.exists() and not reason.exists()
    assert not archived.parent.exists()  # the emptied YYYY/MM folders go too
    assert (inbox / ".openimmo" / "archive" / "acme").is_dir()
    assert all(p.exists() for p in waiting)


def test_keep_forever(inbox, standin, broker, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "ARCHIVE_DAYS": None}
    make_account("acme", broker)
    write_upload(inbox / "acme", "good.zip", zip_bytes(), mtime=1)
    [outcome] = process_inboxes()
    assert clean_archive(now=timezone.now() + dt.timedelta(days=10000)) == 0
    assert outcome.path.exists()


def test_stale_received_marks_are_dropped(inbox, broker):
    path = write_upload(inbox / "acme", "gone.zip", b"x")
    scan.mark_received(inbox, "acme", path)
    path.unlink()
    clean_archive()
    assert not (inbox / ".openimmo" / "received" / "acme" / "gone.zip").exists()
