"""Manage brokers from the command line: ``openimmo_broker create|list|ftp``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from ...brokers import BrokerError, create_broker, set_ftp_account
from ...models import Broker


class Command(BaseCommand):
    help = "Create and list the brokers whose OpenImmo files this site imports."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        self.subcommands = sub

        create = sub.add_parser("create", help="Create a broker and its listing index page.")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--email", default="", help="Where import reports are sent.")
        create.add_argument("--anbieternr", default=None)
        create.add_argument("--anid", default="", help="The broker's OpenImmo ANID.")
        create.add_argument(
            "--language", default=None, choices=["de", "en"],
            help="Report language (default: German when LANGUAGE_CODE is de*, else English).",
        )
        create.add_argument("--approve", action="store_true",
                            help="Approve imports for this broker right away.")

        listing = sub.add_parser("list", help="List the brokers.")
        listing.add_argument("--json", action="store_true", help="One JSON object per line.")

        ftp = sub.add_parser(
            "ftp", help="Create or reset the broker's own FTP account (folder = user name)."
        )
        ftp.add_argument("slug")
        ftp.add_argument("--user", required=True, help="FTP user name.")
        ftp.add_argument(
            "--password", default=None,
            help="The new password (only its hash is stored). Omitted: one is generated "
                 "and printed once.",
        )

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_create(self, slug, name, email, anbieternr, anid, language, approve, **options):
        try:
            broker = create_broker(
                slug, name=name, email=email, anbieternr=anbieternr, anid=anid,
                approved=approve, language=language,
            )
        except BrokerError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Created broker {broker.slug} ({broker.name}); listings go under "
            f"{broker.index_page.get_url()} (page {broker.index_page_id}); "
            f"import {'approved' if broker.import_approved else 'NOT approved yet'}."
        )

    def handle_ftp(self, slug, user, password, **options):
        broker = Broker.objects.filter(slug=slug).first()
        if broker is None:
            raise CommandError(f"There is no broker with the slug {slug!r}.")
        try:
            account, created, shown = set_ftp_account(broker, user, password)
        except BrokerError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Reset the password of"
        self.stdout.write(
            f"{verb} FTP account {account.username} for broker {broker.slug}; uploads land in "
            f"{account.inbox_path()}."
        )
        if shown:
            self.stdout.write(f"Password (shown once): {shown}")

    def handle_list(self, **options):
        brokers = Broker.objects.select_related("index_page").annotate(
            live=Count("listings", filter=Q(listings__live=True)),
            total=Count("listings"),
        )
        rows = [
            {
                "slug": b.slug,
                "name": b.name,
                "email": b.email,
                "anbieternr": b.anbieternr,
                "openimmo_anid": b.openimmo_anid,
                "import_approved": b.import_approved,
                "live_listings": b.live,
                "listings": b.total,
                "index_page": b.index_page.get_url() if b.index_page else None,
            }
            for b in brokers
        ]
        if options["json"]:
            for row in rows:
                self.stdout.write(json.dumps(row))
            return
        if not rows:
            self.stdout.write("No brokers yet. Create one with: openimmo_broker create SLUG "
                              "--name NAME --email EMAIL")
            return
        header = f"{'slug':20} {'name':30} {'approved':8} {'live':>5} {'all':>5}  anbieternr/anid"
        self.stdout.write(header)
        for r in rows:
            ids = " / ".join(x for x in (r["anbieternr"], r["openimmo_anid"]) if x)
            self.stdout.write(
                f"{r['slug']:20} {r['name'][:30]:30} {'yes' if r['import_approved'] else 'no':8} "
                f"{r['live_listings']:>5} {r['listings']:>5}  {ids}"
            )

