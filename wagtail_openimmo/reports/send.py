"""Sending run reports, and trying again when the mail server was not there.

A report never fails an import: every error while rendering or sending is caught, written to
the run (``report_error``, ``report_attempts``) and logged; the ``report-retry`` schedule
(``send_pending_reports``) tries again until ``REPORT_MAX_ATTEMPTS`` tries were made.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone

from ..conf import get_setting
from ..models import ImportRun
from .render import needs_report, render_run_report

logger = logging.getLogger(__name__)

# Runs older than this are not reported any more: after a long outage of the mail server,
# a pile of stale reports helps nobody.
RETRY_WINDOW = dt.timedelta(days=2)
# A run that has just finished is being reported by the task that ran it; the retry job
# leaves it alone for this long.
SETTLE_TIME = dt.timedelta(minutes=2)


def _addresses(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    out = []
    for item in value:
        # settings.MANAGERS / ADMINS hold (name, address) pairs.
        address = item[1] if isinstance(item, list | tuple) else item
        if address and address not in out:
            out.append(address)
    return out


def report_recipients(run: ImportRun) -> list[str]:
    """The broker's report address, plus the transfer's ``techn_email`` if so configured."""
    recipients = _addresses(run.broker.email if run.broker else None)
    if get_setting("REPORT_TO_TECHN_EMAIL") and run.techn_email:
        recipients += [a for a in _addresses(run.techn_email) if a not in recipients]
    return recipients


def operator_addresses() -> list[str]:
    """Where brokers' replies to reports go: ``REPORT_REPLY_TO``, else ``settings.MANAGERS``."""
    return _addresses(get_setting("REPORT_REPLY_TO")) or _addresses(
        getattr(settings, "MANAGERS", None)
    )


def build_report_message(run: ImportRun, recipients: list[str]) -> EmailMultiAlternatives:
    subject, text, html = render_run_report(run)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=get_setting("REPORT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=operator_addresses() or None,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_run_report(run: ImportRun) -> bool:
    """Send the report on ``run`` if it needs one and has not been sent; True when sent.

    Never raises: a failure is stored on the run and left for ``send_pending_reports``.
    """
    try:
        return _send(run)
    except Exception as exc:  # the import is done; a report problem must not undo or repeat it
        logger.exception("Could not send the report on import run %s", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(report_error=_describe(exc))
        return False


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _send(run: ImportRun) -> bool:
    run.refresh_from_db()
    if run.report_sent_at or not needs_report(run):
        return False
    max_attempts = get_setting("REPORT_MAX_ATTEMPTS")
    if run.report_attempts >= max_attempts:
        return False
    recipients = report_recipients(run)
    if not recipients:
        ImportRun.objects.filter(pk=run.pk).update(
            report_error="The broker has no report e-mail address.",
            report_attempts=max_attempts,
        )
        return False
    # Claim this attempt; a concurrent sender that got here first makes this update miss.
    claimed = ImportRun.objects.filter(
        pk=run.pk, report_sent_at__isnull=True, report_attempts=run.report_attempts
    ).update(report_attempts=F("report_attempts") + 1)
    if not claimed:
        return False
    try:
        build_report_message(run, recipients).send(fail_silently=False)
    except Exception as exc:
        logger.warning("Report on import run %s not sent (will retry): %s", run.pk, exc)
        ImportRun.objects.filter(pk=run.pk).update(report_error=_describe(exc))
        return False
    ImportRun.objects.filter(pk=run.pk).update(report_sent_at=timezone.now(), report_error="")
    logger.info("Report on import run %s sent to %s", run.pk, ", ".join(recipients))
    return True


def send_reports(runs: Iterable[ImportRun]) -> int:
    """Send the reports of freshly finished ``runs``; the number sent."""
    return sum(send_run_report(run) for run in runs if run is not None and run.pk)


def pending_reports(now: dt.datetime | None = None):
    """Finished runs of the last two days whose report is still due."""
    now = now or timezone.now()
    return (
        ImportRun.objects.filter(
            broker__isnull=False,
            report_sent_at__isnull=True,
            dry_run=False,
            status__in=[*ImportRun.FINISHED, ImportRun.Status.HELD],
            report_attempts__lt=get_setting("REPORT_MAX_ATTEMPTS"),
            created_at__gte=now - RETRY_WINDOW,
        )
        # Not yet tried and just finished: the task that ran the import is sending it.
        .exclude(report_attempts=0, finished_at__gt=now - SETTLE_TIME)
        .select_related("broker")
        .order_by("id")
    )


def send_pending_reports(now: dt.datetime | None = None) -> int:
    """Send every report that is due (failed before, or never tried); the number sent."""
    return send_reports(run for run in pending_reports(now) if needs_report(run))
