"""The broker's e-mail report: content, language, when it is sent, and retries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_q.models import Schedule

from tests.runs import KAUFPREIS_DE, KAUFPREIS_EN, make_listing, make_run, reader_findings
from wagtail_openimmo.messages import render_message
from wagtail_openimmo.models import ImportRun
from wagtail_openimmo.reports import render_run_report, send_pending_reports, send_run_report

pytestmark = pytest.mark.django_db

FAILING = "tests.mail_backends.FailingBackend"


def partly_imported_run(broker):
    """One new listing, one rejected property (no purchase price), one warning."""
    page = make_listing(broker, "W00001", "Helle Wohnung in Hamburg")
    rejected = reader_findings(0, drop=("kaufpreis",))
    warned = reader_findings(1)  # generated without pictures: "no pictures" warning
    assert [m["code"] for m in rejected] == ["kaufpreis_missing", "no_images"]
    return make_run(
        broker,
        status=ImportRun.Status.PARTLY,
        file_name="acme-20261101.zip",
        entries=[
            {"objektnr": "W00000", "title": "Wohnung in Berlin, mit Balkon", "action": "CHANGE",
             "outcome": "rejected", "line": 2, "messages": rejected},
            {"objektnr": "W00001", "title": page.title, "action": "CHANGE",
             "outcome": "created", "line": 40, "listing": page, "messages": warned},
        ],
    )


def test_english_report_names_the_rejected_property_and_what_to_correct(broker):
    broker.language = "en"
    broker.save()
    run = partly_imported_run(broker)
    subject, text, html = render_run_report(run)
    assert subject == "Tests: acme-20261101.zip imported, 1 property rejected"
    assert "Hello Acme," in text
    assert "1 property was rejected" in text
    assert "W00000 – Wohnung in Berlin, mit Balkon (line 2)" in text
    assert KAUFPREIS_EN in text
    assert "Note: The property has no pictures (anhaenge/anhang" in text
    assert "New: 1" in text and "Rejected: 1" in text and "Warnings: 1" in text
    page = run.entries.get(outcome="created").listing
    assert page.full_url and page.full_url in text
    assert f'href="{page.full_url}"' in html
    assert "The purchase price is missing: a property for sale" in html


def test_german_report_uses_the_brokers_language(broker):
    assert broker.language == "de"
    run = partly_imported_run(broker)
    subject, text, html = render_run_report(run)
    assert subject == "Tests: acme-20261101.zip importiert, 1 Objekt abgelehnt"
    assert "Hallo Acme," in text
    assert KAUFPREIS_DE in text
    assert "Hinweis: Das Objekt hat keine Bilder (anhaenge/anhang" in text
    assert "Neu: 1" in text and "Abgelehnt: 1" in text
    assert KAUFPREIS_DE in html
    assert 'lang="de"' in html
    # An explicit language wins over the broker's.
    assert "Hello Acme," in render_run_report(run, language="en")[1]


def test_send_uses_email_api_with_html_and_marks_the_run(broker):
    run = partly_imported_run(broker)
    with override_settings(WAGTAIL_OPENIMMO={"REPORT_REPLY_TO": "ops@example.com"}):
        assert send_run_report(run) is True
    (message,) = mail.outbox
    assert message.to == ["acme@example.com"]
    assert message.reply_to == ["ops@example.com"]
    assert message.from_email == "portal@example.com"
    assert "Pflichtfeld preise/kaufpreis fehlt" in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html" and "<ul" in html
    run.refresh_from_db()
    assert run.report_sent_at is not None
    assert (run.report_attempts, run.report_error) == (1, "")
    # Sent once only.
    assert send_run_report(run) is False
    assert len(mail.outbox) == 1


def test_techn_email_gets_a_copy_only_when_configured(broker):
    run = partly_imported_run(broker)
    run.techn_email = "it@acme.example"
    run.save()
    send_run_report(run)
    assert mail.outbox[-1].to == ["acme@example.com"]
    run2 = partly_imported_run_again(broker)
    run2.techn_email = "it@acme.example"
    run2.save()
    with override_settings(WAGTAIL_OPENIMMO={"REPORT_TO_TECHN_EMAIL": True}):
        send_run_report(run2)
    assert mail.outbox[-1].to == ["acme@example.com", "it@acme.example"]


def partly_imported_run_again(broker):
    return make_run(broker, status=ImportRun.Status.PARTLY, entries=[
        {"objektnr": "X1", "outcome": "rejected",
         "messages": reader_findings(0, drop=("kaufpreis",))},
    ])


def test_nothing_changed_sends_nothing_unless_configured(broker):
    quiet = make_run(broker, entries=[{"objektnr": "W1", "outcome": "unchanged"}])
    assert send_run_report(quiet) is False
    assert mail.outbox == []
    with override_settings(WAGTAIL_OPENIMMO={"REPORT_UNCHANGED": True}):
        assert send_run_report(quiet) is True
    assert "Unverändert: 1" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("status", "phrase"),
    [
        (ImportRun.Status.REJECTED, "konnte nicht importiert werden"),
        (ImportRun.Status.HELD, "bis der Betreiber der Website sie bestätigt"),
        (ImportRun.Status.FAILED, "technischen Problems"),
    ],
)
def test_refused_held_and_failed_files_are_always_reported(broker, status, phrase):
    run = make_run(broker, status=status, message="")
    assert send_run_report(run) is True
    assert phrase in mail.outbox[0].body


def test_file_level_findings_are_translated(broker):
    run = make_run(broker, status=ImportRun.Status.REJECTED, problems=[
        {"code": "not_openimmo", "severity": "error", "line": 1, "path": None,
         "template": "This is not an OpenImmo file: its root element is <{root}>, not "
                     "<openimmo>.", "params": {"root": "html"}},
    ], message="The file was refused.")
    broker.language = "en"
    broker.save()
    _, text, html = render_run_report(run)
    assert "This is not an OpenImmo file: its root element is <html>, not <openimmo>. (line 1)" \
        in text
    assert "its root element is &lt;html&gt;" in html
    assert "The file was refused." not in text  # the findings say it better


def test_html_escapes_what_brokers_sent(broker):
    run = make_run(broker, status=ImportRun.Status.PARTLY, entries=[
        {"objektnr": "<b>1</b>", "title": "<script>alert(1)</script>", "outcome": "rejected",
         "messages": reader_findings(0, drop=("kaufpreis",))},
    ])
    _, text, html = render_run_report(run)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in text  # plain text is not HTML


def test_failing_mail_server_never_raises_and_the_report_is_retried(broker):
    run = partly_imported_run(broker)
    with override_settings(EMAIL_BACKEND=FAILING):
        assert send_run_report(run) is False
    run.refresh_from_db()
    assert run.report_sent_at is None
    assert run.report_attempts == 1
    assert "SMTPServerDisconnected" in run.report_error
    assert run.status == ImportRun.Status.PARTLY  # the import itself stands
    assert send_pending_reports() == 1
    run.refresh_from_db()
    assert run.report_sent_at is not None and run.report_error == ""
    assert len(mail.outbox) == 1
    assert send_pending_reports() == 0


def test_retries_stop_after_the_maximum(broker):
    run = partly_imported_run(broker)
    with override_settings(EMAIL_BACKEND=FAILING,
                           WAGTAIL_OPENIMMO={"REPORT_MAX_ATTEMPTS": 3}):
        send_run_report(run)
        assert send_pending_reports() == 0
        assert send_pending_reports() == 0
        assert send_pending_reports() == 0
    run.refresh_from_db()
    assert run.report_attempts == 3
    with override_settings(WAGTAIL_OPENIMMO={"REPORT_MAX_ATTEMPTS": 3}):
        assert send_pending_reports() == 0
    assert mail.outbox == []


def test_pending_reports_skip_fresh_untried_and_stale_runs(broker):
    partly_imported_run(broker)
    # Just finished and not tried yet: the task that ran the import sends it.
    assert send_pending_reports() == 0
    later = timezone.now() + dt.timedelta(minutes=5)
    assert send_pending_reports(now=later) == 1
    stale = partly_imported_run_again(broker)
    ImportRun.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3),
        finished_at=timezone.now() - dt.timedelta(days=3),
    )
    assert send_pending_reports(now=later) == 0


def test_broker_without_address_is_not_retried(broker):
    broker.email = ""
    broker.save()
    run = partly_imported_run(broker)
    assert send_run_report(run) is False
    run.refresh_from_db()
    assert "no report e-mail address" in run.report_error
    assert send_pending_reports(now=timezone.now() + dt.timedelta(hours=1)) == 0


def test_the_clusters_scheduler_runs_the_retry_schedule(broker):
    """django-q's own scheduler (sync mode in the test settings) runs the retry task."""
    from django_q.scheduler import scheduler

    from wagtail_openimmo.schedules import ensure_schedules

    run = partly_imported_run(broker)
    with override_settings(EMAIL_BACKEND=FAILING):
        send_run_report(run)
    ensure_schedules()
    Schedule.objects.filter(name__startswith="wagtail_openimmo:").update(
        next_run=timezone.now() - dt.timedelta(minutes=1)
    )
    scheduler()
    run.refresh_from_db()
    assert run.report_sent_at is not None
    assert len(mail.outbox) == 1


def test_render_message_translates_labels_and_survives_broken_translations():
    record = {"template": "{label}: the value is longer than {max_length} characters and was "
              "shortened.", "params": {"label": "Title", "max_length": 255}}
    upper = {"Title": "TITEL"}
    assert render_message(record, lambda s: upper.get(s, s)).startswith("TITEL: the value")
    broken = lambda s: "Kaputt {nope}" if s.startswith("{label}") else s  # noqa: E731
    assert render_message(record, broken).startswith("Title: the value is longer than 255")
    assert render_message({"code": "x", "message": "plain"}) == "plain"


def test_report_links_come_from_the_listings_site_record(broker):
    """One base address for report links: the Wagtail Site the listing is served under."""
    from wagtail.models import Site

    run = partly_imported_run(broker)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "immobilien.example.org", 443
    site.save()
    page = run.entries.get(outcome="created").listing
    url = page.get_full_url()
    assert url.startswith("https://immobilien.example.org/")
    _, text, html = render_run_report(run, language="en")
    [line] = [line for line in text.splitlines() if line.startswith("  - W00001")]
    assert line.endswith(f"): {url}")
    assert f'href="{url}"' in html
    # A listing under no Site is not served anywhere: no guessed link.
    site.delete()
    _, text, html = render_run_report(run, language="en")
    [line] = [line for line in text.splitlines() if line.startswith("  - W00001")]
    assert line.endswith(")")
    assert "immobilien.example.org" not in text and "href" not in html.split("W00001")[-1]
