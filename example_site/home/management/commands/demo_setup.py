"""Prepare the example site for a first look: admin user, demo broker, demo listings.

Idempotent: run it as often as you like (``scripts/demo.py`` runs it every time).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from wagtail.models import Page

from wagtail_openimmo.brokers import create_broker
from wagtail_openimmo.models import Broker, PortalSearchPage, WatchlistPage
from wagtail_openimmo.openimmo import generate

DEMO_SLUG = "demo"
DEMO_ANID = "DEMO-ANID"
DEMO_PROPERTIES = 12


class Command(BaseCommand):
    help = "Create the demo admin user, the demo broker and import the demo OpenImmo ZIP."

    def add_arguments(self, parser):
        parser.add_argument("--properties", type=int, default=DEMO_PROPERTIES)
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where the site will be served"
        )

    def handle(self, *args, properties, base_url, **options):
        var = Path(settings.SITE_DIR) / "var"
        var.mkdir(parents=True, exist_ok=True)
        password = self._admin(var)
        broker = self._broker()
        feed = var / "demo-openimmo.zip"
        if not feed.exists():
            generate.write_zip(
                feed, (generate.demo_property(n) for n in range(properties)),
                umfang="VOLL", anid=DEMO_ANID, firma="Demo Immobilien GmbH",
            )
            self.stdout.write(f"Generated the demo OpenImmo ZIP {feed}")
        call_command("openimmo_import", str(feed), "--broker", broker.slug, "--force",
                     stdout=self.stdout)
        self._visitor_pages()
        self.stdout.write(self.style.SUCCESS(
            "\nDemo ready.\n"
            f"  Site:   {base_url}/\n"
            f"  Admin:  {base_url}/admin/\n"
            f"  Login:  admin / {password}\n"
        ))

    def _admin(self, var: Path) -> str:
        User = get_user_model()
        secret = var / "admin-password.txt"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(12))
            secret.chmod(0o600)
        password = secret.read_text().strip()
        user, _created = User.objects.get_or_create(
            username="admin", defaults={"email": "admin@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return password

    def _visitor_pages(self) -> None:
        """The portal search ("Suche") and the watchlist ("Merkzettel") below the home page."""
        home = Page.objects.filter(depth=2).order_by("path").first()
        if home is None:
            return
        for model, title, slug in (
            (PortalSearchPage, "Immobiliensuche", "suche"),
            (WatchlistPage, "Merkzettel", "merkzettel"),
        ):
            if not model.objects.exists():
                home.add_child(instance=model(title=title, slug=slug))
                self.stdout.write(f"Created the page {title}")

    def _broker(self) -> Broker:
        broker = Broker.objects.filter(slug=DEMO_SLUG).first()
        if broker is None:
            broker = create_broker(
                DEMO_SLUG, name="Demo Immobilien GmbH", email="makler@example.com",
                anid=DEMO_ANID, approved=True,
            )
            self.stdout.write(f"Created the demo broker {broker.slug}")
        return broker
