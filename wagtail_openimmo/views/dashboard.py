"""The dashboard panel: the latest import runs and what went wrong in the last 24 hours."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from ..inbox import overview
from ..models import ImportRun
from ..workers import worker_health
from .held import waiting_counts

logger = logging.getLogger(__name__)

LATEST = 5
PROBLEMS = (ImportRun.Status.FAILED, ImportRun.Status.REJECTED, ImportRun.Status.PARTLY)


def inbox_summary() -> dict[str, int]:
    """How many inbox files are damaged, failed, waiting or being imported right now."""
    counts = {"damaged": 0, "failed": 0, "waiting": 0, "importing": 0}
    try:
        folders = overview.inbox_overview()
    except (OSError, ImproperlyConfigured):  # the panel must render all the same
        logger.exception("Could not read the inboxes for the dashboard")
        return counts
    for folder in folders:
        for item in folder.files:
            if item.state in (overview.DAMAGED, overview.FAILED):
                counts[item.state] += 1
            elif item.state in (overview.IMPORTING, overview.INTERRUPTED):
                counts["importing"] += 1
            else:
                counts["waiting"] += 1
    return counts


class ImportRunsPanel(Component):
    name = "wagtail_openimmo_runs"
    template_name = "wagtail_openimmo/admin/dashboard_panel.html"
    order = 150

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        since = timezone.now() - dt.timedelta(hours=24)
        recent_problems = ImportRun.objects.filter(created_at__gte=since, status__in=PROBLEMS)
        context.update(
            {
                "latest_runs": ImportRun.objects.select_related("broker")[:LATEST],
                "failures": recent_problems.select_related("broker")[:LATEST],
                "failure_count": recent_problems.count(),
                "failed_count": recent_problems.filter(status=ImportRun.Status.FAILED).count(),
                "waiting": waiting_counts(),
                "index_url": reverse("wagtail_openimmo_runs:index"),
                "held_url": reverse("wagtail_openimmo_held:index"),
                "inbox_url": reverse("wagtail_openimmo_inbox:index"),
                "worker_health": worker_health(with_schedules=True),
                "inbox": inbox_summary(),
                "problem_statuses": [s.value for s in PROBLEMS],
            }
        )
        return context
