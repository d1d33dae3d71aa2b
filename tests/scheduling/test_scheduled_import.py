"""The scheduled inbox scan end to end: django-q's scheduler with the ORM broker in sync mode
(``Q_CLUSTER`` in the test settings) runs ``wagtail_openimmo.tasks.process_inboxes`` from the
``Schedule`` row that ``openimmo_schedule`` writes; the real importer makes the pages, the
``ImportRun`` rows keep the counts, and the brokers' reports land in ``mail.outbox``.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_q.models import Schedule, Task
from django_q.scheduler import scheduler
from lxml import etree

from tests.inbox_support import make_account
from tests.runs import KAUFPREIS_DE, KAUFPREIS_EN
from wagtail_openimmo.models import ImportRun, ImportRunEntry, ListingPage
from wagtail_openimmo.openimmo import generate
from wagtail_openimmo.schedules import PREFIX, ensure_schedules

pytest.importorskip("wagtail_openimmo.importing")
pytestmark = pytest.mark.django_db

FAILING = "tests.mail_backends.FailingBackend"


@pytest.fixture(autouse=True)
def inbox(settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    # strict: a property for sale without a price is rejected (lenient mode imports it)
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "STRICT_VALIDATION": True}
    return settings.OPENIMMO_INBOX_DIR


def upload(inbox, folder, name, numbers, *, anid, without_price=()):
    """A ZIP as broker software uploads it; the properties numbered in ``without_price`` are
    for sale but lack ``preise/kaufpreis``."""
    props = [generate.demo_property(n, images=1, image_size=(32, 24)) for n in numbers]
    root = etree.fromstring(generate.xml_bytes(props, anid=anid))
    for immobilie in root.iter("immobilie"):
        if immobilie.findtext("verwaltung_techn/objektnr_extern") in {
            f"W{n:05d}" for n in without_price
        }:
            for price in immobilie.iter("kaufpreis"):
                price.getparent().remove(price)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("openimmo.xml", etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        for prop in props:
            for picture in prop.pictures:
                zf.writestr(picture.name, picture.data)
    path = inbox / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def fire(job: str) -> Task:
    """Make the ``wagtail_openimmo:<job>`` schedule due and let django-q's scheduler run it;
    the task row it left."""
    ensure_schedules()
    # New MINUTES rows are due at once; only the job under test may run now.
    Schedule.objects.filter(name__startswith=PREFIX).update(
        next_run=timezone.now() + dt.timedelta(days=1)
    )
    Schedule.objects.filter(name=PREFIX + job).update(
        next_run=timezone.now() - dt.timedelta(seconds=1)
    )
    before = set(Task.objects.values_list("id", flat=True))
    scheduler()
    [task] = Task.objects.exclude(id__in=before)
    return task


def reports_to(address):
    return [m for m in mail.outbox if address in m.to]


def archived(inbox, folder):
    base = inbox / ".openimmo" / "archive" / folder
    return sorted(p.name for p in base.rglob("*") if p.is_file())


def test_scheduled_scan_imports_records_and_reports_in_each_brokers_language(
    inbox, broker, other_broker
):
    other_broker.language = "en"
    other_broker.save()
    make_account("acme", broker)
    make_account("other", other_broker)
    # W00000 and W00002 are for sale; W00000 comes without its price.
    upload(inbox, "acme", "acme-1.zip", [0, 2], anid="ACME-ANID", without_price=[0])
    upload(inbox, "other", "other-1.zip", [0, 2], anid="OTHER-ANID", without_price=[0])

    task = fire("inbox-scan")

    assert task.func == "wagtail_openimmo.tasks.process_inboxes" and task.success
    assert sorted((r["file"], r["status"]) for r in task.result) == [
        ("acme-1.zip", "partly_imported"),
        ("other-1.zip", "partly_imported"),
    ]
    for b, name in ((broker, "acme-1.zip"), (other_broker, "other-1.zip")):
        run = ImportRun.objects.get(broker=b)
        assert run.file_name == name and run.status == ImportRun.Status.PARTLY
        assert (run.created, run.updated, run.unchanged, run.withdrawn, run.rejected) == (
            1,
            0,
            0,
            0,
            1,
        )
        assert run.finished_at is not None and run.checksum
        rejected = run.entries.get(outcome="rejected")
        assert rejected.objektnr == "W00000" and rejected.line
        assert "kaufpreis_missing" in [m["code"] for m in rejected.messages]
        assert run.report_sent_at is not None and run.report_attempts == 1
        assert archived(inbox, b.slug) == [name]
        assert ListingPage.objects.filter(broker=b, live=True).count() == 1

    [german] = reports_to(broker.email)
    assert "acme-1.zip importiert, 1 Objekt abgelehnt" in german.subject
    assert "Neu: 1" in german.body and "Abgelehnt: 1" in german.body
    assert KAUFPREIS_DE in german.body
    assert KAUFPREIS_DE in german.alternatives[0][0]
    page = ListingPage.objects.get(broker=broker)
    assert page.full_url and page.full_url in german.body  # link to the published listing

    [english] = reports_to(other_broker.email)
    assert "other-1.zip imported, 1 property rejected" in english.subject
    assert "New: 1" in english.body and "Rejected: 1" in english.body
    assert KAUFPREIS_EN in english.body and KAUFPREIS_DE not in english.body
    assert "W00000" in english.body
    page = ListingPage.objects.get(broker=other_broker)
    assert page.full_url in english.body
    assert f'href="{page.full_url}"' in english.alternatives[0][0]

    # The next scan finds nothing new: no run, no mail.
    mail.outbox.clear()
    assert fire("inbox-scan").result == []
    assert ImportRun.objects.count() == 2 and mail.outbox == []


def test_mail_server_down_neither_fails_nor_repeats_the_import(inbox, broker):
    make_account("acme", broker)
    upload(inbox, "acme", "acme-1.zip", [0, 2], anid="ACME-ANID", without_price=[0])

    with override_settings(EMAIL_BACKEND=FAILING):
        task = fire("inbox-scan")
        assert task.success and [r["status"] for r in task.result] == ["partly_imported"]
        run = ImportRun.objects.get()
        assert run.status == ImportRun.Status.PARTLY and run.created == 1
        assert run.report_sent_at is None and run.report_attempts == 1
        assert "SMTPServerDisconnected" in run.report_error
        # The file is archived, not put back: the next scan does not import it again.
        assert archived(inbox, "acme") == ["acme-1.zip"]
        assert fire("inbox-scan").result == []
        # The retry job tries again while the server is still down...
        assert fire("report-retry").result == 0
    assert ImportRun.objects.count() == 1
    assert ListingPage.objects.filter(broker=broker).count() == 1
    assert mail.outbox == []

    # ...and delivers once it is back.
    assert fire("report-retry").result == 1
    [report] = mail.outbox
    assert report.to == [broker.email] and KAUFPREIS_DE in report.body
    run.refresh_from_db()
    assert run.report_sent_at is not None and run.report_error == ""
    assert run.report_attempts == 3
    assert fire("report-retry").result == 0 and len(mail.outbox) == 1


def test_unchanged_file_sends_no_report_unless_configured(inbox, broker, settings):
    make_account("acme", broker)
    upload(inbox, "acme", "first.zip", [0, 2], anid="ACME-ANID")
    fire("inbox-scan")
    assert len(reports_to(broker.email)) == 1

    mail.outbox.clear()
    upload(inbox, "acme", "second.zip", [0, 2], anid="ACME-ANID")
    fire("inbox-scan")
    run = ImportRun.objects.get(file_name="second.zip")
    assert run.status == ImportRun.Status.IMPORTED
    assert (run.created, run.updated, run.unchanged) == (0, 0, 2)
    assert mail.outbox == [] and run.report_sent_at is None
    assert fire("report-retry").result == 0  # nothing due either

    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "REPORT_UNCHANGED": True}
    upload(inbox, "acme", "third.zip", [0, 2], anid="ACME-ANID")
    fire("inbox-scan")
    [report] = reports_to(broker.email)
    assert "third.zip" in report.subject and "Unverändert: 2" in report.body


def test_quota_rejections_are_in_the_brokers_report(inbox, broker):
    broker.language = "en"
    broker.live_listing_quota = 1
    broker.save()
    make_account("acme", broker)
    upload(inbox, "acme", "acme-1.zip", [0, 2], anid="ACME-ANID")
    fire("inbox-scan")
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.rejected) == (ImportRun.Status.PARTLY, 1, 1)
    [entry] = ImportRunEntry.objects.filter(run=run, outcome="rejected")
    [report] = reports_to(broker.email)
    assert f"{entry.objektnr} – {entry.title}" in report.body
    assert "Your limit of 1 live listings is reached" in report.body
