"""Import OpenImmo files synchronously: ``openimmo_import FILE [FILE ...] --broker SLUG``.

    python manage.py openimmo_import upload.zip --broker mueller
    python manage.py openimmo_import a.zip b.xml --broker mueller --dry-run --json
    python manage.py openimmo_import voll.zip --broker mueller --force   # confirm a held VOLL
    python manage.py openimmo_import                  # no files: process every broker's inbox
    python manage.py openimmo_import --broker mueller # ... or only this broker's inbox

Without ``--broker`` each file's broker is recognised by its anbieternr/openimmo_anid. After a
real (not dry) run the broker gets the e-mail report, unless ``--no-report``. In a terminal a
progress bar is drawn; in cron logs only one line per file appears. The exit status is 1 when
a file was refused, rejected (no property could be imported), held or failed.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ...importing import ImportResult, identify_broker, import_file, render_message
from ...importing.result import message_dict
from ...logsafe import escape
from ...models import Broker, ImportRun
from ...openimmo import XsdUnavailable
from ...openimmo.problems import error
from ...progress import progress_for
from ...reports import send_run_report

# Inbox outcomes that mean a file was not imported (it was kept: failed/, held/, unmatched/).
_FAILED_OUTCOMES = {
    ImportRun.Status.FAILED,
    ImportRun.Status.HELD,
    ImportRun.Status.REJECTED,
    "crashed",
    "unmatched",
}


class Command(BaseCommand):
    help = (
        "Import OpenImmo files (ZIP or XML) into the listing pages of a broker, one after the "
        "other, and report what was created, updated, withdrawn and rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="*",
            metavar="FILE",
            help="OpenImmo ZIP or XML files, imported in the order given.",
        )
        parser.add_argument(
            "--broker",
            metavar="SLUG",
            help="The broker the files belong to (default: recognise it from "
            "each file's anbieternr/openimmo_anid).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only report what would change; write nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Apply a full (VOLL) transfer even if it would withdraw more "
            "listings than VOLL_MAX_WITHDRAW_SHARE allows.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print one JSON object per file instead of text.",
        )
        parser.add_argument(
            "--no-report",
            action="store_false",
            dest="send_report",
            help="Do not e-mail the broker the report on the run.",
        )

    def handle(self, *args, files, broker, dry_run, force, as_json, send_report=True, **options):
        self.verbosity = options.get("verbosity", 1)
        self.send_report = send_report
        if not files:
            return self.handle_no_files(
                broker=broker, dry_run=dry_run, force=force, as_json=as_json, **options
            )
        chosen = self.get_broker(broker) if broker else None
        results = [
            self.import_one(path, chosen, dry_run=dry_run, force=force, as_json=as_json)
            for path in files
        ]
        for result in results:
            self.report(result, as_json=as_json)
        failed = [r for r in results if r.refused or r.status in _FAILED_OUTCOMES]
        if failed:
            raise CommandError(
                _("%(count)d of %(total)d files were not imported.")
                % {"count": len(failed), "total": len(results)},
                returncode=1,
            )

    def handle_no_files(self, *, broker, dry_run, force, as_json, **options):
        """Without FILE arguments: import every complete upload in the inboxes (for cron and
        sites whose brokers upload to an external FTP server)."""
        from ...inbox import process_inboxes

        if dry_run or force:
            raise CommandError(
                _("--dry-run and --force need FILE arguments; the inbox is always imported.")
            )
        chosen = self.get_broker(broker) if broker else None
        # In a terminal each file's import draws a progress bar; in cron logs nothing but the
        # one line per file below.
        try:
            outcomes = process_inboxes(
                broker=chosen,
                progress=None if as_json else (lambda name: progress_for(self.stdout._out, name)),
            )
        except XsdUnavailable as exc:
            raise CommandError(
                _("No file was taken from the inboxes: %(error)s") % {"error": exc}
            ) from None
        self._inbox_mode = True
        for outcome in outcomes:
            if as_json:
                self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
            elif outcome.result is not None:
                self.report(outcome.result, as_json=False)
            else:
                self.stdout.write(f"{outcome.folder}/{escape(outcome.file)}: {outcome.status}")
                if outcome.message:
                    self.stdout.write(f"  {outcome.message}")
        if not as_json and not outcomes and self.verbosity >= 1:
            self.stdout.write(_("No complete uploads in the inboxes."))
        failed = [o for o in outcomes if o.status in _FAILED_OUTCOMES]
        if failed:
            raise CommandError(
                _("%(count)d of %(total)d files were not imported.")
                % {"count": len(failed), "total": len(outcomes)},
                returncode=1,
            )

    def get_broker(self, slug: str) -> Broker:
        try:
            return Broker.objects.get(slug=slug)
        except Broker.DoesNotExist:
            raise CommandError(
                _("There is no broker with the slug “%(slug)s”.") % {"slug": slug}
            ) from None

    def import_one(self, path, broker, *, dry_run, force, as_json=False) -> ImportResult:
        if broker is None:
            broker = identify_broker(path)
        progress = None if as_json else progress_for(self.stdout._out, str(path))
        try:
            result = import_file(path, broker, dry_run=dry_run, force=force, progress=progress)
        except Exception as exc:  # a crash: report it, go on with the next file
            result = getattr(exc, "import_result", None) or ImportResult(
                file=str(path),
                broker=broker.slug if broker else None,
                dry_run=dry_run,
                forced=force,
            )
            result.status = ImportRun.Status.FAILED
            result.message = f"{type(exc).__name__}: {exc}"
            result.problems.append(
                message_dict(
                    error(
                        "import_failed",
                        gettext_noop(
                            "The import stopped with an internal error ({error}); the "
                            "properties before it were applied, the file can be imported "
                            "again."
                        ),
                        error=result.message,
                    )
                )
            )
            return result
        finally:
            if progress is not None:
                progress.finish()
        if self.send_report and not dry_run and result.run is not None:
            send_run_report(result.run)  # never raises; a failure is retried by the schedule
        return result

    def report(self, result: ImportResult, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        counts = _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(withdrawn)d withdrawn, %(rejected)d rejected, %(warnings)d warnings"
        ) % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "withdrawn": result.withdrawn,
            "rejected": result.rejected,
            "warnings": len(result.warnings),
        }
        status = dict(ImportRun.Status.choices).get(result.status, result.status)
        prefix = _("[dry run] ") if result.dry_run else ""
        style = (
            self.style.SUCCESS
            if result.status == ImportRun.Status.IMPORTED
            else (
                self.style.WARNING if result.status == ImportRun.Status.PARTLY else self.style.ERROR
            )
        )
        self.stdout.write(
            # a broker's file name may carry line breaks or terminal escapes: shown escaped
            style(f"{prefix}{escape(result.file)} ({result.broker or '?'}): {status}: {counts}")
        )
        # The run's message is stored in English; shown in the active language. When it is one
        # of the file's problems, that follows below anyway.
        reported = {m.get("code") for m in (*result.errors, *result.warnings)}
        if result.message_data:
            if result.message_data.get("code") not in reported:
                self.stdout.write("  " + render_message(result.message_data, translate=_))
        elif result.message and result.message not in {
            m.get("message") for m in (*result.errors, *result.warnings)
        }:
            self.stdout.write(f"  {result.message}")
        if result.status == ImportRun.Status.HELD:
            if getattr(self, "_inbox_mode", False):
                self.stdout.write(
                    "  "
                    + _(
                        "Confirm or discard it in the admin under OpenImmo › Held files, or "
                        "import the held file with --force."
                    )
                )
            else:
                self.stdout.write("  " + _("Run again with --force to apply it anyway."))
        for message in result.errors:
            self.stdout.write("  " + self.describe(message))
        if self.verbosity >= 2:
            for message in result.warnings:
                self.stdout.write("  " + self.describe(message))

    def describe(self, message: dict) -> str:
        where = []
        if message.get("objektnr"):
            where.append(_("object %(nr)s") % {"nr": escape(message["objektnr"])})
        if message.get("line"):
            where.append(_("line %(line)s") % {"line": message["line"]})
        text = render_message(message, translate=_)
        severity = _("error") if message.get("severity") == "error" else _("warning")
        return f"{severity} ({', '.join(where)}): {text}" if where else f"{severity}: {text}"
