"""The inbox with the real importer: pages, quota, approval, crash, order, guard."""

import time
from pathlib import Path

import pytest

from tests.helpers import make_broker
from tests.inbox_support import make_account, stamp, zip_bytes
from wagtail_openimmo.inbox import confirm_held, held_files, process, process_inboxes
from wagtail_openimmo.models import FTPSettings, ImportRun, ImportRunEntry, ListingPage
from wagtail_openimmo.openimmo import generate

pytest.importorskip("wagtail_openimmo.importing")


def props(*numbers):
    return [generate.demo_property(n, images=1, image_size=(32, 24)) for n in numbers]


def put(inbox, folder, name, data):
    path = inbox / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def archived(inbox, folder):
    base = inbox / ".openimmo" / "archive" / folder
    return sorted(p.name for p in base.rglob("*") if p.is_file()) if base.exists() else []


@pytest.fixture(autouse=True)
def no_wait(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}


@pytest.mark.django_db
def test_quota_is_honoured_through_the_inbox(inbox, broker):
    broker.live_listing_quota = 2
    broker.save()
    make_account("acme", broker)
    put(inbox, "acme", "three.zip", zip_bytes(props(1, 2, 3), anid="ACME-ANID"))
    [outcome] = process_inboxes()
    assert outcome.status == "partly_imported"
    assert ListingPage.objects.filter(broker=broker, live=True).count() == 2
    [rejected] = ImportRunEntry.objects.filter(outcome="rejected")
    assert "limit of 2 live listings" in str(rejected.messages)
    # partly imported files are archived: what could be applied was applied
    assert archived(inbox, "acme") == ["three.zip"]


@pytest.mark.django_db
def test_unapproved_then_approved(inbox):
    broker = make_broker("later", approved=False)
    make_account("later", broker)
    put(inbox, "later", "export.zip", zip_bytes(props(1), anid="LATER-ANID"))
    for _ in range(2):
        assert [o.status for o in process_inboxes()] == ["awaiting_approval"]
    assert not ListingPage.objects.exists() and not ImportRun.objects.exists()
    broker.import_approved = True
    broker.save()
    assert [o.status for o in process_inboxes()] == ["imported"]
    assert ListingPage.objects.filter(broker=broker).count() == 1


@pytest.mark.django_db
def test_crash_after_the_move_loses_nothing(inbox, broker, monkeypatch):
    make_account("acme", broker)
    put(inbox, "acme", "export.zip", zip_bytes(props(1, 2), anid="ACME-ANID"))
    real = process.import_file
    crashes = []

    def crash_once(path, *args, **kwargs):
        if not crashes:
            crashes.append(path)
            assert Path(path).parent.name == "acme" and "processing" in str(path)
            raise MemoryError("simulated crash after the move to processing/")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(process, "import_file", crash_once)
    [outcome] = process_inboxes()
    assert outcome.status == "crashed"
    assert (inbox / ".openimmo" / "processing" / "acme" / "export.zip").exists()
    assert not ListingPage.objects.exists()
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
    assert ListingPage.objects.filter(broker=broker).count() == 2
    assert archived(inbox, "acme") == ["export.zip"]
    assert list(ImportRun.objects.order_by("pk").values_list("status", flat=True)) == [
        "failed",
        "imported",
    ]


@pytest.mark.django_db
def test_order_full_then_partial(inbox, broker):
    """An older VOLL uploaded after a newer TEIL is still applied first."""
    make_account("acme", broker)
    teil = props(1)
    teil[0].titel = "Changed later"
    put(
        inbox,
        "acme",
        "b.zip",
        zip_bytes(teil, anid="ACME-ANID", umfang="TEIL", timestamp=stamp(10)),
    )
    time.sleep(0.01)
    put(
        inbox,
        "acme",
        "a.zip",
        zip_bytes(props(1, 2), anid="ACME-ANID", umfang="VOLL", timestamp=stamp(0)),
    )
    outcomes = process_inboxes()
    assert [o.file for o in outcomes] == ["a.zip", "b.zip"]
    assert ListingPage.objects.get(objektnr_intern=teil[0].objektnr_intern).title == (
        "Changed later"
    )


@pytest.mark.django_db
def test_account_cannot_import_for_another_broker(inbox, broker, other_broker):
    make_account("acme", broker)
    put(inbox, "acme", "foreign.zip", zip_bytes(props(1), anid="OTHER-ANID"))
    [outcome] = process_inboxes()
    assert outcome.status == "rejected"
    reason = inbox / ".openimmo" / "failed" / "acme" / "foreign.zip.txt"
    assert "another broker" in reason.read_text()
    assert not ListingPage.objects.exists()


@pytest.mark.django_db
def test_shared_account_with_the_real_importer(inbox, broker, other_broker):
    FTPSettings.objects.create(mode=FTPSettings.MODE_SHARED)
    make_account("portal")
    put(inbox, "portal", "a.zip", zip_bytes(props(1), anid="ACME-ANID"))
    put(inbox, "portal", "o.zip", zip_bytes(props(2), anid="OTHER-ANID"))
    put(inbox, "portal", "x.zip", zip_bytes(props(3), anid="NOBODY"))
    outcomes = {o.file: o for o in process_inboxes()}
    assert outcomes["a.zip"].broker == broker and outcomes["o.zip"].broker == other_broker
    assert outcomes["x.zip"].status == "unmatched"
    assert ListingPage.objects.filter(broker=broker).count() == 1
    assert ListingPage.objects.filter(broker=other_broker).count() == 1


@pytest.mark.django_db
def test_voll_guard_hold_and_confirmation(inbox, broker):
    make_account("acme", broker)
    put(inbox, "acme", "1.zip", zip_bytes(props(1, 2, 3, 4), anid="ACME-ANID", timestamp=stamp(0)))
    assert [o.status for o in process_inboxes()] == ["imported"]
    put(inbox, "acme", "2.zip", zip_bytes(props(1), anid="ACME-ANID", timestamp=stamp(1)))
    put(
        inbox,
        "acme",
        "3.zip",
        zip_bytes(props(1), anid="ACME-ANID", umfang="TEIL", timestamp=stamp(2)),
    )
    assert [o.status for o in process_inboxes()] == ["held", "waiting"]
    assert ListingPage.objects.filter(broker=broker, live=True).count() == 4
    held = {h.kind: h for h in held_files()}
    assert held.keys() == {"voll_guard", "waiting"} and held["waiting"].name == "3.zip"
    assert confirm_held(held["voll_guard"].run).status == "imported"
    assert ListingPage.objects.filter(broker=broker, live=True).count() == 1
    assert [o.status for o in process_inboxes()] == ["imported"]
    assert archived(inbox, "acme") == ["1.zip", "2.zip", "3.zip"]


@pytest.mark.django_db
def test_the_broker_gets_the_report_after_an_inbox_run(inbox, broker, mailoutbox):
    make_account("acme", broker)
    put(inbox, "acme", "export.zip", zip_bytes(props(1, 2), anid="ACME-ANID"))
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
    [mail] = [m for m in mailoutbox if broker.email in m.to]
    assert "export.zip" in mail.subject
    assert "Neu: 2" in mail.body  # the broker's language: German by default
    outcome.run.refresh_from_db()
    assert outcome.run.report_sent_at is not None


@pytest.mark.django_db
def test_openimmo_import_without_files_processes_the_inboxes(inbox, broker, mailoutbox):
    import json

    from django.core.management import call_command

    make_account("acme", broker)
    put(inbox, "acme", "export.zip", zip_bytes(props(1, 2, 3), anid="ACME-ANID"))
    out = __import__("io").StringIO()
    call_command("openimmo_import", "--json", stdout=out)
    [line] = out.getvalue().splitlines()
    data = json.loads(line)
    assert data["status"] == "imported" and data["folder"] == "acme"
    assert ListingPage.objects.filter(broker=broker, live=True).count() == 3
    assert archived(inbox, "acme") == ["export.zip"]
    assert any(broker.email in m.to for m in mailoutbox)


@pytest.mark.django_db
def test_openimmo_import_of_a_file_reports_unless_told_not_to(tmp_path, broker, mailoutbox):
    from django.core.management import call_command

    upload = tmp_path / "export.zip"
    upload.write_bytes(zip_bytes(props(1), anid="ACME-ANID"))
    call_command(
        "openimmo_import",
        str(upload),
        "--broker",
        broker.slug,
        "--no-report",
        stdout=__import__("io").StringIO(),
    )
    assert ListingPage.objects.filter(broker=broker).count() == 1
    assert mailoutbox == []
    upload.write_bytes(zip_bytes(props(1, 2), anid="ACME-ANID"))
    call_command(
        "openimmo_import", str(upload), "--broker", broker.slug, stdout=__import__("io").StringIO()
    )
    assert [m.to for m in mailoutbox] == [[broker.email]]


@pytest.mark.django_db
def test_the_command_points_a_held_inbox_file_to_the_admin(inbox, broker):
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_account("acme", broker)
    put(inbox, "acme", "1.zip", zip_bytes(props(1, 2, 3, 4), anid="ACME-ANID", timestamp=stamp(0)))
    call_command("openimmo_import", stdout=StringIO())
    put(inbox, "acme", "2.zip", zip_bytes(props(1), anid="ACME-ANID", timestamp=stamp(1)))
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("openimmo_import", stdout=out)
    assert caught.value.returncode == 1
    text = out.getvalue()
    assert "Held files" in text or "Angehaltene Dateien" in text
    # not the files-mode advice, which the command refuses without FILE arguments
    assert "Run again with --force" not in text and "mit --force erneut" not in text
