"""The inbox life cycle, with the stand-in importer (see tests/inbox_support.py)."""

import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections

from tests.helpers import make_broker
from tests.inbox_support import (
    ensure_default_site,
    make_account,
    stamp,
    write_upload,
    zip_bytes,
)
from wagtail_openimmo import tasks
from wagtail_openimmo.inbox import (
    HeldFileError,
    confirm_held,
    discard_held,
    held_files,
    process,
    process_inboxes,
)
from wagtail_openimmo.models import FTPSettings, ImportRun
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_wait(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    settings.ADMINS = [("Operator", "operator@example.com")]


@pytest.fixture
def acme(broker):
    make_account("acme-ftp", broker)
    return broker


def files(directory: Path) -> list[str]:
    if not directory.exists():
        return []
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def upload(inbox, folder, name, minutes=0, **kwargs):
    return write_upload(
        inbox / folder, name, zip_bytes(timestamp=stamp(minutes), **kwargs), mtime=time.time() - 5
    )


def test_imported_file_is_archived(inbox, standin, acme):
    upload(inbox, "acme-ftp", "export.zip", anid="ACME-ANID")
    [outcome] = process_inboxes()
    assert outcome.status == "imported" and outcome.broker == acme
    assert standin.calls == [("export.zip", "acme", False)]
    archived = outcome.path
    assert archived.parent.parent.parent == inbox / ".openimmo" / "archive" / "acme-ftp"
    assert archived.read_bytes().startswith(b"PK")
    assert files(inbox / "acme-ftp") == []
    assert files(inbox / ".openimmo" / "processing") == []
    run = ImportRun.objects.get()
    assert run.broker == acme and run.status == "imported" and run.file_name == "export.zip"
    assert run.file_path == str(archived)
    assert process_inboxes() == [] and len(standin.calls) == 1


def test_files_are_applied_in_the_order_they_were_written(inbox, standin, acme):
    # uploaded (mtime) in a different order than written (header timestamp)
    upload(inbox, "acme-ftp", "c.zip", minutes=3)
    upload(inbox, "acme-ftp", "a.zip", minutes=20)
    upload(inbox, "acme-ftp", "b.zip", minutes=1)
    process_inboxes()
    assert standin.names == ["b.zip", "c.zip", "a.zip"]


def test_same_name_again_never_overwrites_the_archive(inbox, standin, acme):
    upload(inbox, "acme-ftp", "export.zip", minutes=1)
    first = process_inboxes()[0].path
    upload(inbox, "acme-ftp", "export.zip", minutes=2)
    second = process_inboxes()[0].path
    assert first != second and first.exists() and second.exists()
    assert second.name == "export-2.zip"


def test_refused_file_goes_to_failed_with_the_reason(inbox, standin, acme):
    write_upload(inbox / "acme-ftp", "junk.zip", b"this is no zip file at all", mtime=1)
    [outcome] = process_inboxes()
    assert outcome.status == "rejected"
    failed = inbox / ".openimmo" / "failed" / "acme-ftp"
    assert files(failed) == ["junk.zip", "junk.zip.txt"]
    assert "refused" in (failed / "junk.zip.txt").read_text()
    assert ImportRun.objects.get().file_path == str(failed / "junk.zip")


def test_done_marker_is_removed_with_its_file(inbox, standin, acme, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 3600}
    write_upload(inbox / "acme-ftp", "export.zip", zip_bytes(), mtime=time.time())
    write_upload(inbox / "acme-ftp", "export.zip.done", b"")
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
    assert files(inbox / "acme-ftp") == []


def test_crash_keeps_the_file_and_the_next_run_finishes_it(inbox, standin, acme):
    upload(inbox, "acme-ftp", "first.zip", minutes=1)
    upload(inbox, "acme-ftp", "second.zip", minutes=2)
    standin.crash_next = 1
    outcomes = process_inboxes()
    assert [(o.file, o.status) for o in outcomes] == [
        ("first.zip", "crashed"),
        ("second.zip", "waiting"),
    ]
    # nothing lost: the crashed file waits in processing/, the later one in the inbox
    assert files(inbox / ".openimmo" / "processing" / "acme-ftp") == ["first.zip"]
    assert files(inbox / "acme-ftp") == ["second.zip"]
    crashed = ImportRun.objects.get()
    assert crashed.status == "failed" and "injected crash" in crashed.message

    outcomes = process_inboxes()
    assert [(o.file, o.status) for o in outcomes] == [
        ("first.zip", "imported"),
        ("second.zip", "imported"),
    ]
    assert standin.names == ["first.zip", "first.zip", "second.zip"]
    assert files(inbox / ".openimmo" / "processing") == []
    archived = [Path(p).name for p in files(inbox / ".openimmo" / "archive" / "acme-ftp")]
    assert sorted(archived) == ["first.zip", "second.zip"]
    # the crashed attempt points at where the file is now
    crashed.refresh_from_db()
    assert crashed.file_path.startswith(str(inbox / ".openimmo" / "archive"))


def test_run_killed_mid_import_is_taken_again(inbox, standin, acme):
    """A run that died (no exception handler ran) left its file and a 'running' row."""
    leftover = write_upload(inbox / ".openimmo" / "processing" / "acme-ftp", "x.zip", zip_bytes())
    killed = ImportRun.objects.create(
        broker=acme, file_name="x.zip", file_path=str(leftover), status="running"
    )
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
    killed.refresh_from_db()
    assert killed.status == "failed" and "interrupted" in killed.message


def test_a_file_that_keeps_crashing_is_set_aside(inbox, standin, acme, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "INBOX_MAX_ATTEMPTS": 2}
    upload(inbox, "acme-ftp", "bad.zip", minutes=1)
    upload(inbox, "acme-ftp", "good.zip", minutes=2)
    standin.crash_next = 2
    assert process_inboxes()[0].status == "crashed"
    assert process_inboxes()[0].status == "crashed"
    mail.outbox.clear()
    outcomes = process_inboxes()
    assert [(o.file, o.status) for o in outcomes] == [
        ("bad.zip", "failed"),
        ("good.zip", "imported"),
    ]
    failed = inbox / ".openimmo" / "failed" / "acme-ftp"
    assert files(failed) == ["bad.zip", "bad.zip.txt"]
    assert "2 times" in (failed / "bad.zip.txt").read_text()
    assert [m.to for m in mail.outbox] == [["operator@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_import_a_file_twice(inbox, standin, settings, monkeypatch):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    ensure_default_site()
    acme = make_broker("acme")
    make_account("acme-ftp", acme)
    for n in range(6):
        upload(inbox, "acme-ftp", f"f{n}.zip", minutes=n)
    slow_import = standin.import_file

    def slow(*args, **kwargs):
        time.sleep(0.02)
        return slow_import(*args, **kwargs)

    monkeypatch.setattr(process, "import_file", slow)
    errors = []

    def run():
        try:
            process_inboxes()
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)
        finally:
            connections.close_all()  # the thread's own connection (PostgreSQL keeps it)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(standin.names) == [f"f{n}.zip" for n in range(6)]
    assert standin.names == [f"f{n}.zip" for n in range(6)]
    assert ImportRun.objects.filter(status="imported").count() == 6


def test_unapproved_broker_files_wait_untouched_and_broker_is_told_once(inbox, standin):
    waiting = make_broker("slow", approved=False)
    make_account("slow", waiting)
    path = upload(inbox, "slow", "export.zip")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    for _ in range(3):
        [outcome] = process_inboxes()
        assert outcome.status == "awaiting_approval"
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert standin.calls == []
    assert [m.to for m in mail.outbox] == [["slow@example.com"]]
    assert "export.zip" in mail.outbox[0].body
    waiting.refresh_from_db()
    assert waiting.approval_requested_at is not None
    [held] = held_files()
    assert (held.kind, held.broker, held.path) == ("approval", waiting, path)

    waiting.import_approved = True
    waiting.save()
    [outcome] = process_inboxes()
    assert outcome.status == "imported" and standin.names == ["export.zip"]
    waiting.refresh_from_db()
    assert waiting.approval_requested_at is None
    assert held_files() == []


def package_policy(broker):
    """A portal's policy: brokers with a booked package may import."""
    if broker.slug == "booked":
        return True, "Listing package booked."
    if broker.slug == "broken":
        raise RuntimeError("portal API down")
    return False, "No listing package booked."


def test_approval_policy_callable(inbox, standin, settings):
    settings.WAGTAIL_OPENIMMO = {
        "INBOX_STABLE_SECONDS": 0,
        "APPROVAL_POLICY": "tests.inbox.test_process.package_policy",
    }
    for slug in ("booked", "unbooked", "broken"):
        make_account(slug, make_broker(slug, approved=False))
        upload(inbox, slug, f"{slug}.zip")
    outcomes = {o.file: o for o in process_inboxes()}
    assert outcomes["booked.zip"].status == "imported"
    assert outcomes["unbooked.zip"].status == "awaiting_approval"
    assert outcomes["unbooked.zip"].message == "No listing package booked."
    assert outcomes["broken.zip"].status == "awaiting_approval"
    assert standin.names == ["booked.zip"]
    assert (inbox / "unbooked" / "unbooked.zip").exists()


def test_approval_policy_may_return_a_bool(inbox, standin, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "APPROVAL_POLICY": "builtins.bool"}
    make_account("x", make_broker("x", approved=False))
    upload(inbox, "x", "x.zip")
    assert process_inboxes()[0].status == "imported"


def test_shared_account_matches_files_by_identifiers(inbox, standin):
    FTPSettings.objects.create(mode=FTPSettings.MODE_SHARED)
    a = make_broker("a", anbieternr="1001")
    b = make_broker("b")
    make_account("portal")
    upload(inbox, "portal", "from-a.zip", anid="OTHER", anbieternr="1001")
    upload(inbox, "portal", "from-b.zip", anid="B-ANID")
    upload(inbox, "portal", "nobody.zip", anid="UNKNOWN-ANID")
    outcomes = {o.file: o for o in process_inboxes()}
    assert outcomes["from-a.zip"].broker == a and outcomes["from-a.zip"].status == "imported"
    assert outcomes["from-b.zip"].broker == b and outcomes["from-b.zip"].status == "imported"
    lost = outcomes["nobody.zip"]
    assert lost.status == "unmatched" and lost.broker is None
    unmatched = inbox / ".openimmo" / "unmatched" / "portal"
    assert files(unmatched) == ["nobody.zip", "nobody.zip.txt"]
    assert "anbieternr" in (unmatched / "nobody.zip.txt").read_text()
    run = ImportRun.objects.get(broker=None)
    assert run.status == "rejected" and run.file_path == str(unmatched / "nobody.zip")
    assert [m.to for m in mail.outbox] == [["operator@example.com"]]
    assert "nobody.zip" in mail.outbox[0].subject


def test_held_files_of_a_shared_account(inbox, standin):
    FTPSettings.objects.create(mode=FTPSettings.MODE_SHARED)
    waiting = make_broker("waiting", approved=False)
    ready = make_broker("ready")
    make_account("portal")
    path = upload(inbox, "portal", "w.zip", anid="WAITING-ANID")
    upload(inbox, "portal", "r.zip", anid="READY-ANID")
    [held] = held_files()
    assert (held.broker, held.kind, held.path, held.folder) == (waiting, "approval", path, "portal")
    assert held_files(broker=ready) == []
    assert [h.path for h in held_files(broker=waiting)] == [path]


def test_operator_emails_setting(inbox, standin, settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "OPERATOR_EMAILS": ["ops@example.com"]}
    FTPSettings.objects.create(mode=FTPSettings.MODE_SHARED)
    make_account("portal")
    upload(inbox, "portal", "nobody.zip", anid="UNKNOWN")
    process_inboxes()
    assert [m.to for m in mail.outbox] == [["ops@example.com"]]


def test_account_limited_to_some_brokers(inbox, standin, broker, other_broker):
    third = make_broker("third")
    make_account("group", broker, other_broker)
    upload(inbox, "group", "acme.zip", anid="ACME-ANID")
    upload(inbox, "group", "third.zip", anid="THIRD-ANID")
    outcomes = {o.file: o for o in process_inboxes()}
    assert outcomes["acme.zip"].broker == broker
    assert outcomes["third.zip"].status == "unmatched"
    assert third.name in outcomes["third.zip"].message


def test_per_broker_mode_account_without_broker_keeps_files(inbox, standin):
    make_account("orphan")
    upload(inbox, "orphan", "x.zip")
    [outcome] = process_inboxes()
    assert outcome.status == "unmatched" and "not assigned" in outcome.message
    assert (inbox / ".openimmo" / "unmatched" / "orphan" / "x.zip").exists()


def test_slug_folder_for_an_external_ftp_server(inbox, standin, broker):
    upload(inbox, "acme", "export.zip")
    upload(inbox, "stranger", "export.zip")
    [outcome] = process_inboxes()
    assert outcome.broker == broker and outcome.folder == "acme"
    assert (inbox / "stranger" / "export.zip").exists()  # unknown folder: left alone


def test_run_for_one_broker_or_one_folder(inbox, standin, broker, other_broker):
    make_account("acme", broker)
    make_account("other", other_broker)
    upload(inbox, "acme", "a.zip")
    upload(inbox, "other", "o.zip")
    assert [o.file for o in process_inboxes(broker=other_broker)] == ["o.zip"]
    assert tasks.import_upload(str(inbox / "acme" / "a.zip"))[0]["file"] == "a.zip"
    assert standin.names == ["o.zip", "a.zip"]
    assert tasks.import_upload("/elsewhere/x.zip") == []


def test_held_full_transfer_blocks_later_files_until_confirmed(inbox, standin, acme):
    upload(inbox, "acme-ftp", "empty-voll.zip", minutes=1, properties=[])
    upload(inbox, "acme-ftp", "later.zip", minutes=2)
    outcomes = process_inboxes()
    assert [(o.file, o.status) for o in outcomes] == [
        ("empty-voll.zip", "held"),
        ("later.zip", "waiting"),
    ]
    held_dir = inbox / ".openimmo" / "held" / "acme-ftp"
    assert files(held_dir) == ["empty-voll.zip"]
    assert [o.status for o in process_inboxes()] == ["waiting"]
    kinds = {h.name: h.kind for h in held_files()}
    assert kinds == {"empty-voll.zip": "voll_guard", "later.zip": "waiting"}

    run = ImportRun.objects.get(status="held")
    outcome = confirm_held(run)
    assert outcome.status == "imported" and standin.calls[-1] == ("empty-voll.zip", "acme", True)
    run.refresh_from_db()
    assert run.status == "imported" and "archive" in run.file_path
    with pytest.raises(HeldFileError):
        confirm_held(run)
    assert [o.status for o in process_inboxes()] == ["imported"]
    assert standin.names[-1] == "later.zip"


def test_discarding_a_held_file(inbox, standin, acme):
    upload(inbox, "acme-ftp", "empty-voll.zip", properties=[])
    process_inboxes()
    run = ImportRun.objects.get(status="held")
    moved = discard_held(run)
    assert moved.parent == inbox / ".openimmo" / "failed" / "acme-ftp"
    assert "operator" in Path(str(moved) + ".txt").read_text()
    run.refresh_from_db()
    assert run.status == "rejected"


def test_xml_upload_and_non_openimmo_file(inbox, standin, acme):
    write_upload(
        inbox / "acme-ftp",
        "bare.xml",
        generate.xml_bytes([generate.demo_property(1, images=0)]),
        mtime=1,
    )
    write_upload(inbox / "acme-ftp", "photo.jpg", generate.jpeg(1, size=(8, 8)), mtime=2)
    outcomes = {o.file: o.status for o in process_inboxes()}
    assert outcomes == {"bare.xml": "imported", "photo.jpg": "rejected"}
    assert (inbox / ".openimmo" / "failed" / "acme-ftp" / "photo.jpg.txt").exists()
