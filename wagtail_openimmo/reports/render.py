"""Writing a run's report: what the broker reads after each import of one of its files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from ..conf import get_setting
from ..logsafe import shown
from ..messages import group_warnings, render_messages, run_message
from ..models import ImportRun, ImportRunEntry

SUBJECT_TEMPLATE = "wagtail_openimmo/email/run_report_subject.txt"
TEXT_TEMPLATE = "wagtail_openimmo/email/run_report.txt"
HTML_TEMPLATE = "wagtail_openimmo/email/run_report.html"

Outcome = ImportRunEntry.Outcome
# Findings about the broker's FTP folder, not the file (shown in a section of their own).
FOLDER_CODES = ("temporary_files_removed",)


@dataclass
class ReportItem:
    """One property as the report shows it."""

    objektnr: str
    title: str
    outcome: str
    outcome_label: str
    line: int | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    url: str | None = None


@dataclass
class Section:
    items: list[ReportItem]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def listing_url(page) -> str | None:
    """The public address of a live listing page, from its Wagtail ``Site`` record.

    The one base address of report links is the Site the page is served under (its
    hostname, port and root page in Settings → Sites), so a multi-site installation links
    each broker's listings on their own domain. A page under no Site is not served, so it
    gets no link (``WAGTAILADMIN_BASE_URL`` is the admin's address, not the listings').
    """
    if page is None or not page.live:
        return None
    return page.get_full_url() or None


def needs_report(run: ImportRun) -> bool:
    """Whether the broker should hear about ``run``.

    A file that was refused, held or failed is always reported; so is any change, any
    rejected property and any warning. A run that changed nothing and found nothing is only
    reported with ``REPORT_UNCHANGED``.
    """
    if run.broker_id is None or run.dry_run or not run.finished:
        return False
    if run.status != ImportRun.Status.IMPORTED:
        return True
    if run.changed or run.rejected or run.warnings or run.problems:
        return True
    return bool(get_setting("REPORT_UNCHANGED"))


def _item(entry: ImportRunEntry, *, with_url: bool = False) -> ReportItem:
    messages = entry.messages or []
    return ReportItem(
        # the broker's words: line breaks and control characters shown escaped
        objektnr=shown(entry.objektnr),
        title=shown(entry.title),
        outcome=entry.outcome,
        outcome_label=str(entry.get_outcome_display()),
        line=entry.line,
        errors=render_messages(messages, severity="error"),
        warnings=render_messages(messages, severity="warning"),
        url=listing_url(entry.listing) if with_url else None,
    )


def _section(queryset, limit: int, **kwargs) -> Section:
    total = queryset.count()
    return Section([_item(e, **kwargs) for e in queryset[:limit]], total)


def is24_section(run: ImportRun) -> dict[str, Any] | None:
    """The IS24 part of the report, when the opt-in IS24 sub-app is installed."""
    if not apps.is_installed("wagtail_openimmo.is24"):
        return None
    from ..is24.report import report_section

    return report_section(run)


def report_context(run: ImportRun) -> dict[str, Any]:
    """What the report templates get; rendered strings are in the active language."""
    limit = get_setting("REPORT_MAX_ITEMS")
    entries = run.entries.select_related("listing").order_by("position", "id")
    rejected = _section(entries.filter(outcome=Outcome.REJECTED), limit)
    published = _section(
        entries.filter(outcome__in=[Outcome.CREATED, Outcome.UPDATED]), limit, with_url=True
    )
    withdrawn = _section(entries.filter(outcome=Outcome.WITHDRAWN), limit)
    # Warnings of properties that were imported anyway (rejected ones list theirs above).
    warned = [
        item
        for item in (_item(e) for e in entries.exclude(outcome=Outcome.REJECTED) if e.messages)
        if item.warnings
    ]
    # The same, one line per kind of warning with the object numbers it concerns: a file
    # whose 40 properties all lack a title says so once.
    warning_groups = group_warnings(
        (
            (shown(e.objektnr or e.title or "–"), e.messages)
            for e in run.entries.exclude(outcome=Outcome.REJECTED)
            .order_by("position", "id")
            .only("objektnr", "title", "messages")
            if e.messages
        ),
        limit=limit,
    )
    # What the inbox run removed from the broker's folder is not about this file.
    folder_notes = render_messages(
        [p for p in run.problems or [] if p.get("code") in FOLDER_CODES]
    )
    file_problems = render_messages(
        [p for p in run.problems or [] if p.get("code") not in FOLDER_CODES]
    )
    return {
        "run": run,
        "broker": run.broker,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        "status": run.status,
        "status_label": run.get_status_display(),
        # What the broker chose, shown escaped (a CR/LF in a file name forges no line of the
        # plain-text mail; HTML is escaped by the template as ever). Templates use these,
        # not ``run.file_name``.
        "file_name": shown(run.file_name),
        "sendersoftware": shown(run.sendersoftware),
        "umfang": shown(run.umfang),
        "counts": {
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "withdrawn": run.withdrawn,
            "rejected": run.rejected,
            "warnings": run.warnings,
        },
        "file_errors": [p for p in file_problems if p["severity"] == "error"],
        "file_warnings": [p for p in file_problems if p["severity"] == "warning"],
        "folder_notes": folder_notes,
        # The run's own sentence (the summary, why a file was set aside), in the report's
        # language; what the findings below say already is left out.
        "message": run_message(run, besides=run.problems or []),
        "rejected": rejected,
        "published": published,
        "withdrawn": withdrawn,
        "warned": Section(warned[:limit], len(warned)),
        "warning_groups": warning_groups,
        "is_full_transfer": run.umfang == "VOLL",
        "is24": is24_section(run),
    }


def render_run_report(run: ImportRun, language: str | None = None) -> tuple[str, str, str]:
    """``(subject, text, html)`` of the report on ``run``, in ``language`` (default: the
    broker's report language). Sites override the three templates to change the wording."""
    language = language or (run.broker.language if run.broker else None) or settings.LANGUAGE_CODE
    with translation.override(language):
        context = report_context(run)
        subject = render_to_string(SUBJECT_TEMPLATE, context)
        text = render_to_string(TEXT_TEMPLATE, context)
        html = render_to_string(HTML_TEMPLATE, context)
    # A subject is one line; templates end with a newline and may wrap.
    subject = " ".join(subject.split())
    # Optional sections leave blank lines behind; one empty line between blocks is enough.
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return subject, text, html
