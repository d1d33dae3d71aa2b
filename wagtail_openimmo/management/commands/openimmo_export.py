"""Export a broker's listings as an OpenImmo ZIP: ``openimmo_export --broker SLUG --out FILE``."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from ...exporting import ExportError, export_broker
from ...models import Broker


def parse_since(value: str) -> dt.datetime:
    """An ISO date or date-time; without a zone it is the site's local time.

    Raises ``argparse.ArgumentTypeError``, which the parser turns into a one-line usage
    error (a ``CommandError`` under ``call_command``) instead of a traceback.
    """
    text = value.strip()
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = dt.datetime(day.year, day.month, day.day) if day else None
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    except (ValueError, OverflowError):
        # well-formed but impossible (2026-02-30), or a local time that does not exist
        moment = None
    if moment is None:
        raise argparse.ArgumentTypeError(
            _(
                "“%(value)s” is not a date or date-time; write it as ISO 8601, for example "
                "2026-11-01 or 2026-11-01T08:00:00+01:00."
            )
            % {"value": value}
        )
    return moment


class Command(BaseCommand):
    help = (
        "Export a broker's listings as an OpenImmo 1.2.7b ZIP (the XML and the pictures and "
        "documents next to it). VOLL is the whole live stock; TEIL with --since what changed "
        "since then, withdrawn listings as DELETE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--broker", required=True, help="The broker's slug.")
        parser.add_argument("--out", required=True, help="The ZIP file to write.")
        parser.add_argument(
            "--umfang",
            default="VOLL",
            type=str.upper,
            choices=["VOLL", "TEIL"],
            help="VOLL (default): the whole live stock; TEIL: changes since --since.",
        )
        parser.add_argument(
            "--since",
            type=parse_since,
            default=None,
            help="With TEIL: export what changed after this date or date-time "
            "(ISO 8601; local time unless it has a zone).",
        )
        parser.add_argument(
            "--no-attachments",
            action="store_true",
            help="Leave pictures and documents out (links stay).",
        )
        parser.add_argument(
            "--check",
            type=str.lower,
            choices=["datetime", "md5"],
            default=None,
            help="What <check> says about each file: its date (valid against "
            "the schema) or its MD5 sum. Default: the EXPORT_CHECK_TYPE "
            "setting (datetime).",
        )

    def handle(self, *args, broker, out, umfang, since, no_attachments, check, **options):
        found = Broker.objects.filter(slug=broker).first()
        if found is None:
            raise CommandError(_("There is no broker with the slug “%(slug)s”.") % {"slug": broker})
        if umfang == "VOLL" and since is not None:
            raise CommandError(
                _("--since goes with --umfang TEIL (VOLL is always the whole stock).")
            )
        try:
            result = export_broker(
                found,
                out,
                umfang=umfang,
                since=since,
                attachments=not no_attachments,
                check_type=check,
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        for problem in result.problems:
            self.stderr.write(self.style.WARNING(_("Warning: %s") % problem))
        self.stdout.write(
            _(
                "Exported %(listings)d listings and %(deletes)d deletes (%(umfang)s) of "
                "%(broker)s with %(files)d files and %(links)d links, %(size)s, to %(path)s."
            )
            % {
                "listings": result.listings,
                "deletes": result.deletes,
                "umfang": result.umfang,
                "broker": found.slug,
                "files": result.files,
                "links": result.links,
                "size": filesizeformat(result.bytes),
                "path": result.path,
            }
        )
