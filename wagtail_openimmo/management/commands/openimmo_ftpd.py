"""Run the built-in FTP server: ``openimmo_ftpd [--host 127.0.0.1] [--port 2121]``."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand

from ...conf import get_setting, inbox_dir

logger = logging.getLogger("wagtail_openimmo.ftp")


class Command(BaseCommand):
    help = (
        "Run the FTP server that broker software uploads OpenImmo files to. Accounts are the "
        "FTP accounts in the Wagtail admin; each is jailed to its inbox folder."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default=None, help="Address to listen on (default: setting FTP_HOST)."
        )
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help="Port to listen on (default: setting FTP_PORT, 2121).",
        )

    def handle(self, *args, host=None, port=None, **options):
        from ...ftp.server import build_server

        server = build_server(host, port)
        address = "{}:{}".format(*server.address)
        tls = "explicit FTPS available" if get_setting("FTP_TLS_CERTFILE") else "plain FTP"
        passive = get_setting("FTP_PASSIVE_PORTS") or "any"
        self.stdout.write(
            f"OpenImmo FTP server on {address} ({tls}; passive ports {passive}); "
            f"inbox {inbox_dir()}. Stop with Ctrl+C."
        )
        logger.info("FTP server starting on %s", address)
        server.serve_forever()
