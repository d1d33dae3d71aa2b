"""``is24_sync [--broker SLUG] [--dry-run] [--json]``: sync listings to ImmobilienScout24."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ....models import Broker
from ... import tasks
from ...models import IS24Connection
from ...sync import SyncResult, sync_all, sync_broker


class Command(BaseCommand):
    help = (
        "Send new, changed and withdrawn listings to ImmobilienScout24 (only the differences: "
        "nothing is ever deleted and posted again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--broker", metavar="SLUG", help="Only this broker.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Send nothing; print the requests a sync would send.",
        )
        parser.add_argument("--json", action="store_true", help="One JSON object per broker.")
        parser.add_argument(
            "--install-schedule",
            action="store_true",
            help="Create or update the django-q schedule (every IS24_SYNC_MINUTES) and exit.",
        )

    def handle(
        self, *args, broker=None, dry_run=False, json=False, install_schedule=False, **options
    ):
        if install_schedule:
            for row in tasks.ensure_schedules():
                self.stdout.write(f"Schedule {row.name}: {row.func} every {row.minutes} minutes.")
            return
        if broker:
            found = Broker.objects.filter(slug=broker).first()
            if found is None:
                raise CommandError(f"There is no broker {broker!r}.")
            if not IS24Connection.objects.filter(broker=found).exists():
                raise CommandError(
                    f"Broker {broker!r} has no IS24 connection: connect it in the admin or "
                    "with is24_connect."
                )
            results = [sync_broker(found, dry_run=dry_run)]
        else:
            results = sync_all(dry_run=dry_run)
        for result in results:
            if json:
                self.stdout.write(_json(result))
            else:
                self._describe(result)
        stopped = [r for r in results if r.stopped and r.stopped not in ("inactive",)]
        if stopped:
            raise CommandError(
                "Stopped: " + ", ".join(f"{r.broker} ({r.stopped})" for r in stopped)
            )

    def _describe(self, result: SyncResult) -> None:
        verb = "would" if result.dry_run else "did"
        self.stdout.write(
            f"{result.broker} ({verb}): {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.deactivated} deactivated, "
            f"{result.reactivated} reactivated, images +{result.images_uploaded}"
            f"/-{result.images_deleted}, {result.adopted} adopted, {result.replaced} replaced, "
            f"{len(result.errors)} errors"
            + (f"; stopped: {result.stopped}" if result.stopped else "")
        )
        for error in result.errors:
            self.stdout.write(
                f"  ! {error['objektnr'] or '-'}: {error['message']} [{error['code']}]"
            )
        for request in result.requests:
            self.stdout.write(f"  {request['method']} {request['path']}")


def _json(result: SyncResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False)
