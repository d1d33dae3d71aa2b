"""Signs of life of the django-q cluster, so that the admin can tell when nobody imports.

django-q2's own cluster status lives in Django's cache, which with the ORM broker and the
default local-memory cache is invisible to the web process; a row in the database is seen by
every process on every broker.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """When a django-q worker on ``host`` was last seen working (one row per host)."""

    host = models.CharField(_("host"), max_length=255, unique=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.host} ({self.seen_at:%Y-%m-%d %H:%M:%S})"
