"""Where a broker's listings are pushed as OpenImmo: FTP targets for the scheduled export."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportTarget(models.Model):
    """An FTP (or FTPS) account a broker's export is uploaded to, by a django-q job.

    Typically another portal or the broker's own software. The password is needed in clear
    text to log in there; it is stored as given (Django has no field encryption), never shown
    again in the admin and never logged.
    """

    UMFANG_CHOICES = [
        ("VOLL", _("VOLL: the whole stock every time")),
        ("TEIL", _("TEIL: what changed since the last push")),
    ]

    broker = models.ForeignKey(
        "wagtail_openimmo.Broker",
        verbose_name=_("broker"),
        on_delete=models.CASCADE,
        related_name="export_targets",
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("Who receives the export (a portal's name, say)."),
    )
    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=21)
    username = models.CharField(_("user name"), max_length=255)
    password = models.CharField(
        _("password"),
        max_length=255,
        help_text=_("Stored as given because it is needed to log in; it is never shown again."),
    )
    folder = models.CharField(
        _("folder"),
        max_length=500,
        blank=True,
        help_text=_("Folder on the server to upload to; empty for the login folder."),
    )
    use_tls = models.BooleanField(
        _("FTPS"),
        default=False,
        help_text=_("Encrypt the connection (explicit TLS)."),
    )
    passive = models.BooleanField(_("passive mode"), default=True)
    umfang = models.CharField(_("scope"), max_length=4, choices=UMFANG_CHOICES, default="VOLL")
    active = models.BooleanField(_("active"), default=True)
    last_pushed_at = models.DateTimeField(
        _("last pushed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the last successful upload started."),
    )
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export target")
        verbose_name_plural = _("export targets")
        ordering = ["broker__name", "name", "id"]

    def __str__(self) -> str:
        where = f"{self.host}:{self.port}/{self.folder.strip('/')}".rstrip("/")
        return f"{self.name} ({where})" if self.name else where
