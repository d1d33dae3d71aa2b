"""A full disk under ``MEDIA_ROOT`` in the middle of an import (issue 15, item 12).

``MEDIA_ROOT`` is a small tmpfs (the tests run as root in CI; without root or the right to
mount, the test skips): the pictures of the first properties fit, then writing one fails
with ENOSPC. The import must fail cleanly -- the upload kept for the next run, no listing
without its pictures, no image row without its file, no half-written file left behind --
and the next run, once there is room, completes it without duplicates. The real inbox, the
real importer, real Wagtail images and real files.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.images import get_image_model

from tests.helpers import make_broker
from tests.inbox_support import make_account, zip_bytes
from wagtail_openimmo.inbox import layout, process_inboxes
from wagtail_openimmo.models import ImportRun, ListingAttachment, ListingPage
from wagtail_openimmo.openimmo import generate
from wagtail_openimmo.reports.send import pending_reports

pytestmark = pytest.mark.django_db

DISK_BYTES = 256 * 1024  # the pictures of the upload take about 700 KB
PROPERTIES = 20


def mount(path: Path, size: int) -> None:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def small_media(settings, tmp_path):
    """``MEDIA_ROOT`` on a tmpfs of DISK_BYTES (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    media = tmp_path / "media"
    media.mkdir()
    mount(media, DISK_BYTES)
    settings.MEDIA_ROOT = str(media)
    try:
        yield media
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)


@pytest.fixture(autouse=True)
def inbox(settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    return settings.OPENIMMO_INBOX_DIR


def files_on_disk(media: Path) -> set[str]:
    return {
        str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()
    }


def assert_consistent(media: Path) -> None:
    """No listing without all its pictures, no image row without its whole file, and no file
    that no row points to."""
    images = list(get_image_model().objects.all())
    for image in images:
        path = media / image.file.name
        assert path.exists(), image.file.name
        assert path.stat().st_size == image.file_size, image.file.name
    for page in ListingPage.objects.all():
        attached = ListingAttachment.objects.filter(listing=page, image__isnull=False)
        assert attached.count() == 2, page.title
    rows = {image.file.name for image in images}
    renditions = {
        r.file.name for image in images for r in image.renditions.all()
    }
    assert files_on_disk(media) <= rows | renditions


def test_a_full_media_disk_fails_the_import_cleanly_and_the_next_run_completes_it(
    small_media, inbox
):
    broker = make_broker("acme")
    make_account("acme", broker)
    folder = inbox / "acme"
    folder.mkdir(parents=True)
    (folder / "stock.zip").write_bytes(
        zip_bytes(
            [generate.demo_property(n, images=2) for n in range(PROPERTIES)], anid="ACME-ANID"
        )
    )
    [outcome] = process_inboxes()
    # the import failed, and said so; the file waits in processing/ for the next run
    assert outcome.status == "crashed", outcome.message
    assert "No space left on device" in str(outcome.message)
    processing = layout.state_dir(inbox, layout.PROCESSING, "acme")
    assert [p.name for p in processing.iterdir()] == ["stock.zip"]
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    # some properties fitted, not all; nothing is half there
    assert 0 < ListingPage.objects.count() < PROPERTIES
    assert_consistent(small_media)
    # room again (the operator grew the volume): the next run completes the file
    subprocess.run(
        ["mount", "-o", "remount,size=64m", str(small_media)], check=True, capture_output=True
    )
    [again] = process_inboxes()
    assert again.status == "imported", again.message
    assert ListingPage.objects.filter(broker=broker).count() == PROPERTIES
    assert get_image_model().objects.count() == 2 * PROPERTIES  # no duplicates
    assert_consistent(small_media)
    last = ImportRun.objects.order_by("-pk").first()
    assert (last.created, last.unchanged) == (PROPERTIES, 0)  # all new to the broker
    assert not list(processing.iterdir())
    assert any(m.to == ["acme@example.com"] for m in mail.outbox)
    # the failed attempt's own report ("could not be imported") is not sent after that
    later = timezone.now() + dt.timedelta(minutes=10)
    assert [r.pk for r in pending_reports(now=later)] == []
