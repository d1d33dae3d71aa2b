"""The broker's e-mail report on each import run.

``render_run_report(run, language=None)`` gives ``(subject, text, html)`` from the templates
``wagtail_openimmo/email/run_report_subject.txt``, ``run_report.txt`` and ``run_report.html``
(sites override them like any Django template); ``send_run_report(run)`` sends it in the
broker's language and never raises; ``send_pending_reports()`` retries what failed.
"""

from .render import needs_report, render_run_report, report_context
from .send import send_pending_reports, send_reports, send_run_report

__all__ = [
    "needs_report",
    "render_run_report",
    "report_context",
    "send_pending_reports",
    "send_reports",
    "send_run_report",
]
