"""When an upload counts as complete."""

import os
import time

import pytest

from tests.inbox_support import write_upload, zip_bytes
from wagtail_openimmo.inbox import scan


@pytest.fixture
def folder(inbox):
    path = inbox / "acme"
    path.mkdir(parents=True)
    return path


def _ready(inbox, now):
    return {i.name: i.reason for i in scan.scan_folder(inbox, "acme", now=now) if i.ready}


def _waiting(inbox, now):
    return {i.name: i.reason for i in scan.scan_folder(inbox, "acme", now=now) if not i.ready}


def test_stable_size_and_mtime(inbox, folder, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 60}
    t0 = time.time()
    write_upload(folder, "a.zip", zip_bytes(), mtime=t0)
    assert _waiting(inbox, t0 + 30) == {"a.zip": "unstable"}
    assert _ready(inbox, t0 + 61) == {"a.zip": "stable"}


def test_growing_file_restarts_the_wait(inbox, folder, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 60}
    t0 = time.time() - 1000
    path = write_upload(folder, "a.xml", b"<openimmo>", mtime=t0)
    assert _ready(inbox, t0 + 100) == {"a.xml": "stable"}
    # more bytes, but a writer that kept the old mtime: the scan notices the size change
    with path.open("ab") as fh:
        fh.write(b"<uebertragung/>")
    os.utime(path, (t0, t0))
    assert _waiting(inbox, t0 + 110) == {"a.xml": "unstable"}
    assert _ready(inbox, t0 + 171) == {"a.xml": "stable"}


def test_temporary_names_and_markers_are_never_imported(inbox, folder, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    for name in ["a.zip.tmp", "b.zip.part", "c.zip.filepart", ".d.zip", "e.zip.done", "f.ok"]:
        write_upload(folder, name, b"x", mtime=1)
    (folder / "sub").mkdir()
    os.symlink("/etc/hostname", folder / "link.xml")
    assert scan.scan_folder(inbox, "acme", now=time.time()) == []


def test_done_marker_makes_a_file_ready_at_once(inbox, folder, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 3600}
    now = time.time()
    write_upload(folder, "a.zip", zip_bytes(), mtime=now)
    write_upload(folder, "b.zip", zip_bytes(), mtime=now)
    write_upload(folder, "a.zip.done", b"", mtime=now)
    write_upload(folder, "B.OK", b"", mtime=now)
    items = {i.name: i for i in scan.scan_folder(inbox, "acme", now=now)}
    assert items["a.zip"].ready and items["a.zip"].reason == "marker"
    assert items["a.zip"].marker.name == "a.zip.done"
    assert items["b.zip"].ready and items["b.zip"].marker.name == "B.OK"


def test_zip_without_central_directory_waits_longer(inbox, folder, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 60}
    t0 = time.time() - 10000
    data = zip_bytes()
    write_upload(folder, "cut.zip", data[: len(data) // 2], mtime=t0)
    assert _waiting(inbox, t0 + 120) == {"cut.zip": "incomplete_zip"}
    # after ten stable periods it goes to the importer, which refuses it with a reason
    assert _ready(inbox, t0 + 601) == {"cut.zip": "incomplete_zip"}


def test_received_mark_and_uploading_mark(inbox, folder, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 3600}
    now = time.time()
    path = write_upload(folder, "a.zip", zip_bytes(), mtime=now)
    scan.mark_uploading(inbox, "acme", "a.zip")
    assert _waiting(inbox, now + 7200 - 3601) == {"a.zip": "uploading"}
    scan.clear_uploading(inbox, "acme", "a.zip")
    scan.mark_received(inbox, "acme", path)
    assert _ready(inbox, now) == {"a.zip": "received"}
    # a file replaced after the mark is not the file that was received
    path.write_bytes(zip_bytes() + b"")
    os.utime(path, (now + 5, now + 5))
    assert _waiting(inbox, now + 6) == {"a.zip": "unstable"}


def test_stale_uploading_mark_is_ignored(inbox, folder, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 60}
    old = time.time() - 2 * scan.STALE_UPLOAD_SECONDS
    write_upload(folder, "a.zip", zip_bytes(), mtime=old)
    scan.mark_uploading(inbox, "acme", "a.zip")
    mark = inbox / ".openimmo" / "uploading" / "acme" / "a.zip"
    os.utime(mark, (old, old))
    assert _ready(inbox, time.time()) == {"a.zip": "stable"}
