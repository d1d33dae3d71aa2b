"""A full disk while the built-in FTP server receives an upload.

The inbox lives on a small tmpfs (when the tests run as root and may mount), and, in a second
run, on a disk emulated as that small: the server's file writes fail with ENOSPC once the
space is used up. An upload
that does not fit is refused with 426 and deleted; the broker's listings stay as they were,
the partial file is never imported, and the server takes the next upload once there is room.
"""

from __future__ import annotations

import errno
import ftplib
import io
import os
import subprocess
import time
import zipfile

import pytest

from tests.helpers import make_broker
from tests.inbox_support import ensure_default_site, ftp_login, make_account, zip_bytes
from wagtail_openimmo.ftp.authorizer import JailedFS
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import ImportRun, ListingPage
from wagtail_openimmo.openimmo import generate

DISK_BYTES = 256 * 1024


class _FullDiskFile:
    """A file object whose writes fail with ENOSPC once the "disk" is full."""

    used = 0

    def __init__(self, raw):
        self._raw = raw

    def write(self, data):
        if _FullDiskFile.used + len(data) > DISK_BYTES:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        _FullDiskFile.used += len(data)
        return self._raw.write(data)

    def __getattr__(self, name):
        return getattr(self._raw, name)


@pytest.fixture(params=["tmpfs", "emulated"])
def small_disk(request, inbox, monkeypatch):
    """The inbox on a DISK_BYTES tmpfs (root only), or on a disk emulated as that small."""
    inbox.mkdir(parents=True, exist_ok=True)
    mounted = False
    if request.param == "tmpfs":
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root; the emulated disk is tested instead")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(inbox)],
            capture_output=True,
        )
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted = True
    else:
        real_open = JailedFS.open

        def open_(self, filename, mode):
            fh = real_open(self, filename, mode)
            return _FullDiskFile(fh) if "w" in mode or "a" in mode else fh

        _FullDiskFile.used = 0
        monkeypatch.setattr(JailedFS, "open", open_)
    try:
        yield "tmpfs" if mounted else "emulated"
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(inbox)], check=False)


def _too_big(properties) -> bytes:
    """A valid OpenImmo ZIP bigger than the disk (an incompressible attachment)."""
    out = io.BytesIO()
    generate.write_zip(out, properties, anid="ACME-ANID", umfang="TEIL")
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("expose.pdf", os.urandom(2 * DISK_BYTES), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _wait_until_queued(queued, count):
    """The client has its 226 a moment before the server has marked the upload received."""
    deadline = time.monotonic() + 10
    while len(queued) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(queued) == count, queued


@pytest.mark.django_db(transaction=True)
def test_full_disk_during_an_upload_keeps_the_stock(start_ftp, inbox, queued, small_disk):
    ensure_default_site()
    broker = make_broker("acme")
    make_account("acme", broker)
    server = start_ftp(INBOX_STABLE_SECONDS=0)
    stock = [generate.demo_property(n, images=1, image_size=(32, 24)) for n in (1, 2)]
    ftp = ftp_login(server, "acme")
    ftp.storbinary("STOR stock.zip", io.BytesIO(zip_bytes(stock, anid="ACME-ANID")))
    _wait_until_queued(queued, 1)
    [outcome] = process_inboxes()
    assert outcome.status == "imported", outcome.message
    titles = dict(ListingPage.objects.values_list("objektnr_extern", "title"))
    assert len(titles) == 2
    runs = ImportRun.objects.count()

    # The next upload changes a listing but does not fit on the disk.
    changed = [generate.demo_property(1, images=1, image_size=(32, 24))]
    changed[0].titel = "Changed by an upload that never arrived"
    # The server stops reading and answers 426; the client may see that, or only its data
    # connection being closed in the middle of sending.
    with pytest.raises((ftplib.error_temp, ConnectionResetError, BrokenPipeError)):
        ftp.storbinary("STOR update.zip", io.BytesIO(_too_big(changed)))
    ftp.close()

    # The partial upload is deleted (with its marks), nothing is imported, the stock is as it
    # was. (The client may see its connection closed a moment before the server is done.)
    deadline = time.monotonic() + 10
    while (inbox / "acme" / "update.zip").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sorted(p.name for p in (inbox / "acme").iterdir()) == []
    assert [os.path.basename(p) for p in queued] == ["stock.zip"]
    assert process_inboxes() == []
    assert dict(ListingPage.objects.values_list("objektnr_extern", "title")) == titles
    assert ImportRun.objects.count() == runs
    leftovers = list((inbox / ".openimmo").rglob("*update*"))
    assert leftovers == []

    # With room again (the partial file was deleted), the broker's next try goes through.
    if small_disk == "emulated":
        _FullDiskFile.used = 0
    ftp = ftp_login(server, "acme")
    ftp.storbinary("STOR update.zip", io.BytesIO(zip_bytes(changed, anid="ACME-ANID",
                                                           umfang="TEIL")))
    ftp.quit()
    _wait_until_queued(queued, 2)
    [outcome] = process_inboxes()
    assert outcome.status == "imported", outcome.message
    assert ListingPage.objects.get(objektnr_extern="W00001").title == changed[0].titel
