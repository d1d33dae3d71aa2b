"""Keeping the import log from growing for ever."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .conf import get_setting
from .models import ImportRun

logger = logging.getLogger(__name__)


@transaction.atomic
def purge_import_runs(now: dt.datetime | None = None) -> int:
    """Delete import runs (and their per-property log) older than ``RUN_RETENTION_DAYS``.

    The newest run of each broker is always kept, however old, so that the admin can still
    tell when a broker last sent something. Returns the number of runs deleted.
    """
    days = get_setting("RUN_RETENTION_DAYS")
    if not days:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    newest = ImportRun.objects.values("broker").annotate(newest=Max("id"))
    keep = [row["newest"] for row in newest]
    old = ImportRun.objects.filter(created_at__lt=cutoff).exclude(id__in=keep)
    count = old.count()
    if count:
        old.delete()  # ImportRunEntry rows go with them (on_delete=CASCADE)
        logger.info("Deleted %d import runs older than %s days", count, days)
    return count
