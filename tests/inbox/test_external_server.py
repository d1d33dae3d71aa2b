"""An inbox filled by an external FTP server (vsftpd, ProFTPD, …): the app never sees the
transfer, so a file counts as complete when its size and mtime stayed the same for
``INBOX_STABLE_SECONDS``, or at once with a ``.done``/``.ok`` marker beside it; a temporary
name (``.tmp``, ``.part``) is never taken. Imported files land in
``archive/<folder>/YYYY/MM/`` of the import date."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.utils import timezone

from tests.inbox_support import zip_bytes
from wagtail_openimmo.inbox import process_inboxes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stable_minute(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 60}


def drop(inbox, folder, name, data: bytes, *, mtime: float):
    """What the external server writes into the broker's home directory."""
    path = inbox / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def test_file_still_being_written_waits_until_it_is_stable(inbox, standin, broker):
    data = zip_bytes()
    t0 = time.time()
    path = drop(inbox, "acme", "export.zip", data[:1000], mtime=t0)
    start = dt.datetime.fromtimestamp(t0, tz=dt.UTC)
    # Half-written (no central directory yet) and young: nothing happens.
    assert process_inboxes(now=start + dt.timedelta(seconds=5)) == []
    # The server appends the rest; the mtime moves on.
    path.write_bytes(data)
    os.utime(path, (t0 + 30, t0 + 30))
    # The scan at 70 s sees the new size (whatever the mtime says) and counts from then.
    assert process_inboxes(now=start + dt.timedelta(seconds=70)) == []
    assert process_inboxes(now=start + dt.timedelta(seconds=125)) == []
    assert standin.calls == [] and path.exists()
    [outcome] = process_inboxes(now=start + dt.timedelta(seconds=131))
    assert outcome.status == "imported" and standin.names == ["export.zip"]
    assert outcome.path.read_bytes() == data


def test_marker_and_rename_make_a_file_ready_without_waiting(inbox, standin, broker):
    now = time.time()
    drop(inbox, "acme", "a.zip", zip_bytes(), mtime=now)
    drop(inbox, "acme", "a.zip.ok", b"", mtime=now)
    drop(inbox, "acme", "b.zip.tmp", zip_bytes(), mtime=now)
    assert [o.file for o in process_inboxes()] == ["a.zip"]
    assert not (inbox / "acme" / "a.zip.ok").exists()  # the marker goes with its file
    # The temporary name was never a candidate. An external server's rename is invisible to
    # the app, so the renamed file is taken by the stable rule (the rename keeps the mtime of
    # the last write, so the wait counts from the end of the upload).
    os.rename(inbox / "acme" / "b.zip.tmp", inbox / "acme" / "b.zip")
    assert process_inboxes() == []
    later = timezone.now() + dt.timedelta(seconds=61)
    assert [o.file for o in process_inboxes(now=later)] == ["b.zip"]


def test_archive_is_sorted_by_year_and_month_of_the_import(inbox, standin, broker):
    drop(inbox, "acme", "export.zip", zip_bytes(), mtime=time.time() - 3600)
    when = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # already January in Berlin
    [outcome] = process_inboxes(now=when)
    assert outcome.path == inbox / ".openimmo" / "archive" / "acme" / "2027" / "01" / "export.zip"
    assert not (inbox / ".openimmo" / "processing" / "acme" / "export.zip").exists()
