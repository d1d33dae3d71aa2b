"""``openimmo_schedule``: create or update the app's django-q schedules (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...schedules import ensure_schedules


class Command(BaseCommand):
    help = (
        "Create or update the django-q schedules of wagtail-openimmo (inbox scan, archive "
        "clean-up, run-log purge, report retry, export push, IS24 sync). Safe to run again."
    )

    def handle(self, *args, **options):
        changes = ensure_schedules()
        for change in changes:
            line = f"{change.action:9} {change.name}"
            if change.detail:
                line += f" ({change.detail})"
            style = {
                "created": self.style.SUCCESS,
                "updated": self.style.SUCCESS,
                "removed": self.style.WARNING,
                "skipped": self.style.NOTICE,
            }.get(change.action, str)
            self.stdout.write(style(line))
        active = sum(c.action in ("created", "updated", "unchanged") for c in changes)
        self.stdout.write(
            f"{active} schedule(s) active; start the worker with `manage.py qcluster`."
        )
