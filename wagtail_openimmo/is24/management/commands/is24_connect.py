"""``is24_connect SLUG --token ... --token-secret ... [--consumer-key ... --consumer-secret ...]``.

For operators who already hold an IS24 access token (or move from other software): stores
it on the broker's IS24 connection without the admin's OAuth flow. Nothing secret is echoed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ....models import Broker
from ...client import IS24Client, IS24Error
from ...models import IS24Connection


class Command(BaseCommand):
    help = "Store IS24 OAuth credentials (access token and secret) for a broker."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The broker's slug.")
        parser.add_argument(
            "--consumer-key",
            default="",
            help="IS24 consumer key; default: the IS24_CONSUMER_KEY setting.",
        )
        parser.add_argument(
            "--consumer-secret",
            default="",
            help="IS24 consumer secret; default: IS24_CONSUMER_SECRET.",
        )
        parser.add_argument("--token", required=True, help="The broker's IS24 access token.")
        parser.add_argument("--token-secret", required=True, help="The access token's secret.")
        parser.add_argument(
            "--sandbox",
            action="store_true",
            help="The account is on IS24's sandbox (default: production).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Ask IS24 once whether the credentials are accepted.",
        )

    def handle(
        self,
        *args,
        slug,
        consumer_key,
        consumer_secret,
        token,
        token_secret,
        sandbox,
        check,
        **options,
    ):
        broker = Broker.objects.filter(slug=slug).first()
        if broker is None:
            raise CommandError(f"There is no broker {slug!r}.")
        if bool(consumer_key) != bool(consumer_secret):
            raise CommandError("Give --consumer-key and --consumer-secret together.")
        with transaction.atomic():
            connection, created = IS24Connection.objects.get_or_create(broker=broker)
            connection.sandbox = sandbox
            if consumer_key:
                connection.consumer_key = consumer_key
                connection.consumer_secret = consumer_secret
            if not all(connection.consumer_credentials()):
                raise CommandError(
                    "No consumer key and secret: give --consumer-key/--consumer-secret or set "
                    'WAGTAIL_OPENIMMO["IS24_CONSUMER_KEY"] and ["IS24_CONSUMER_SECRET"].'
                )
            connection.store_access_token(token, token_secret)
            connection.active = True
            connection.save()
        where = "sandbox" if sandbox else "production"
        self.stdout.write(
            f"{'Created' if created else 'Updated'} the IS24 connection of {broker.slug} "
            f"({where}); the access token is stored."
        )
        if check:
            client = IS24Client(connection)
            try:
                client.request(
                    "GET", "/user/me/realestate", params={"pagesize": 1, "pagenumber": 1}
                )
            except IS24Error as exc:
                raise CommandError(f"IS24 did not accept the credentials: {exc.message}") from exc
            finally:
                client.close()
            self.stdout.write("IS24 accepted the credentials.")
