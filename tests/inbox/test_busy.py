"""Several runs at once: a busy broker is skipped, and the run holding it takes what arrives."""

import errno
import threading
import time

import pytest

from tests.inbox_support import make_account, stamp, write_upload, zip_bytes
from wagtail_openimmo.inbox import process, process_inboxes
from wagtail_openimmo.locks import broker_lock
from wagtail_openimmo.models import ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_wait(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}


def upload(inbox, folder, name, minutes=0):
    return write_upload(
        inbox / folder, name, zip_bytes(timestamp=stamp(minutes)), mtime=time.time() - 5
    )


def test_uploads_arriving_during_an_import_are_taken_by_the_same_run(
    inbox, standin, broker, monkeypatch
):
    make_account("acme-ftp", broker)
    upload(inbox, "acme-ftp", "first.zip", minutes=1)
    imported = standin.import_file

    def import_and_receive_more(path, *args, **kwargs):
        # While the first file is imported, the broker uploads two more (newest first).
        if path.name == "first.zip":
            upload(inbox, "acme-ftp", "third.zip", minutes=3)
            upload(inbox, "acme-ftp", "second.zip", minutes=2)
        return imported(path, *args, **kwargs)

    monkeypatch.setattr(process, "import_file", import_and_receive_more)
    outcomes = process_inboxes()
    assert [(o.file, o.status) for o in outcomes] == [
        ("first.zip", "imported"),
        ("second.zip", "imported"),
        ("third.zip", "imported"),
    ]
    assert standin.names == ["first.zip", "second.zip", "third.zip"]


def test_arrivals_are_judged_by_the_time_they_are_looked_at(inbox, standin, broker, monkeypatch):
    """An upload written after the run began (an external FTP server's file, no receipt) is
    complete for the rescan although it is newer than the run's start."""
    make_account("acme-ftp", broker)
    upload(inbox, "acme-ftp", "first.zip", minutes=1)
    imported = standin.import_file

    def import_and_receive_more(path, *args, **kwargs):
        if path.name == "first.zip":
            time.sleep(0.05)  # the new file's modification time is after the run's start
            write_upload(inbox / "acme-ftp", "second.zip", zip_bytes(timestamp=stamp(2)))
        return imported(path, *args, **kwargs)

    monkeypatch.setattr(process, "import_file", import_and_receive_more)
    outcomes = process_inboxes()
    assert [(o.file, o.status) for o in outcomes] == [
        ("first.zip", "imported"),
        ("second.zip", "imported"),
    ]


def test_a_broker_another_run_is_importing_is_skipped_quickly(
    inbox, broker, other_broker, monkeypatch
):
    """Workers do not queue up behind one broker: they go on to the next one."""
    monkeypatch.setattr(process, "BUSY_WAIT_SECONDS", 0.3)
    (inbox / "acme").mkdir(parents=True)
    (inbox / "other").mkdir(parents=True)
    upload(inbox, "acme", "acme.zip")
    upload(inbox, "other", "other.zip")
    calls = []
    monkeypatch.setattr(
        process, "import_file", lambda path, broker, **kw: calls.append(path.name) or 1 / 0
    )
    held, release = threading.Event(), threading.Event()

    def other_worker():  # is importing acme's files
        with broker_lock(broker.pk):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        outcomes = {o.file: o for o in process_inboxes()}
    finally:
        release.set()
        thread.join(10)
    assert time.monotonic() - started < 10
    assert outcomes["acme.zip"].status == process.BUSY
    assert (inbox / "acme" / "acme.zip").exists()  # left for the run holding the lock
    # the other broker was not held up: its file was taken (and crashed in the stand-in)
    assert calls == ["other.zip"]
    assert ImportRun.objects.filter(broker=other_broker).count() == 1


def test_a_full_disk_does_not_stop_the_scan(inbox, standin, broker, monkeypatch):
    """The scan's bookkeeping cannot be saved; the uploads are imported all the same."""
    from wagtail_openimmo.inbox import layout

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(layout, "write_json", no_space)
    (inbox / "acme").mkdir(parents=True)
    upload(inbox, "acme", "export.zip")
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
