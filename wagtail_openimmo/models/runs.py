"""Import runs: one row per file imported (or refused, held, failed), with a per-property log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..listing_relations import ListingForeignKey
from ..logsafe import escape
from ..messages import run_message


class ImportRun(models.Model):
    """The import of one uploaded file for one broker.

    ``status`` says how it ended; the counters say what changed; ``entries`` hold one line
    per property with what was done and why.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        IMPORTED = "imported", _("imported")
        PARTLY = "partly_imported", _("partly imported")
        REJECTED = "rejected", _("rejected")
        HELD = "held", _("held")
        FAILED = "failed", _("failed")

    FINISHED = (Status.IMPORTED, Status.PARTLY, Status.REJECTED, Status.FAILED)

    broker = models.ForeignKey(
        "wagtail_openimmo.Broker", verbose_name=_("broker"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="import_runs",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_path = models.CharField(
        _("file location"), max_length=1000, blank=True,
        help_text=_("Where the file is now (inbox, archive or failed folder)."),
    )
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    umfang = models.CharField(_("scope"), max_length=4, blank=True)
    transfer_timestamp = models.DateTimeField(_("transfer timestamp"), null=True, blank=True)
    sendersoftware = models.CharField(_("sender software"), max_length=255, blank=True)
    techn_email = models.EmailField(
        _("technical contact"), blank=True,
        help_text=_("The transfer's techn_email: who at the broker runs the export software."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.QUEUED, db_index=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    forced = models.BooleanField(_("forced"), default=False,
                                 help_text=_("Applied despite the mass-withdrawal guard."))
    message = models.TextField(
        _("message"), blank=True,
        help_text=_("Why the file was refused, held or failed, in the words of the report."),
    )
    # ``message`` as data (code, English template, parameters: see ``messages.py``), so that
    # the report is written in the broker's language and the admin shows it in the editor's,
    # whatever language the process that imported the file ran in. Rows written before it
    # existed (empty list) show ``message`` as stored.
    message_data = models.JSONField(
        _("message (as data)"), default=list, blank=True,
        help_text=_("The message as codes with parameters, rendered in the reader's language."),
    )
    problems = models.JSONField(_("file-level findings"), default=list, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    # Live progress of a running import (properties done of total), for the admin.
    progress_done = models.PositiveIntegerField(_("properties done"), default=0)
    progress_total = models.PositiveIntegerField(_("properties in the file"), default=0)
    progress_at = models.DateTimeField(_("progress updated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    report_sent_at = models.DateTimeField(_("report sent at"), null=True, blank=True)
    report_attempts = models.PositiveSmallIntegerField(_("report attempts"), default=0)
    report_error = models.TextField(_("report error"), blank=True)

    # A log, written by every run: keeping it out of Wagtail's reference index spares a
    # write per run (an unchanged re-import must write nothing but its log).
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-id"]
        permissions = [("run_import", _("Can start imports and approve held files"))]

    def __str__(self) -> str:
        return f"{escape(self.file_name)} ({self.get_status_display()})"

    @property
    def message_text(self) -> str:
        """The run's message in the active language (see ``messages.run_message``)."""
        return run_message(self)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED or self.status == self.Status.HELD

    @property
    def succeeded(self) -> bool:
        return self.status in (self.Status.IMPORTED, self.Status.PARTLY)


class ImportRunEntry(models.Model):
    """What happened to one property of a run."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        UNCHANGED = "unchanged", _("unchanged")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REJECTED = "rejected", _("rejected")
        SKIPPED = "skipped", _("skipped")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField(_("position in file"), default=0)
    listing = ListingForeignKey(
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("listing"),
    )
    objektnr = models.CharField(_("object number"), max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=20, blank=True,
                              help_text=_("CHANGE, DELETE, REFERENZ or VOLL (missing from a "
                                          "full transfer)."))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    messages = models.JSONField(
        _("messages"), default=list, blank=True,
        help_text=_("Errors and warnings: code, severity, line, path, template, params."),
    )

    # A log, written by every run: keeping it out of Wagtail's reference index spares a
    # write per run (an unchanged re-import must write nothing but its log).
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("import log entry")
        verbose_name_plural = _("import log entries")
        ordering = ["run", "position", "id"]

    def __str__(self) -> str:
        return f"{self.objektnr}: {self.get_outcome_display()}"
