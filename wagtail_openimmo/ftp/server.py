"""Building the built-in FTP server from the settings.

One thread per connection (pyftpdlib's ``ThreadedFTPServer``): checking a password hash and
writing to the database block, and must not stall other brokers' transfers.
"""

from __future__ import annotations

import contextlib
import logging

from django.core.exceptions import ImproperlyConfigured
from pyftpdlib.servers import ThreadedFTPServer

from ..conf import get_setting, inbox_dir
from .authorizer import AccountAuthorizer, JailedFS
from .handler import InboxFTPHandler, tls_handler_classes
from .throttle import LoginThrottle

logger = logging.getLogger("wagtail_openimmo.ftp")


class InboxFTPServer(ThreadedFTPServer):
    """Refuses addresses the login throttle has banned before a session thread starts."""

    def handle_accepted(self, sock, addr):
        wait = self.handler.throttle.banned_for(addr[0])
        if wait:
            logger.warning("FTP connection refused: ip=%s banned for %.0f s", addr[0], wait)
            with contextlib.suppress(OSError):
                sock.sendall(b"421 Too many failed logins from your address; try later.\r\n")
            sock.close()
            return
        super().handle_accepted(sock, addr)


def parse_port_range(value) -> list[int] | None:
    """``"60000-60099"`` (or a list of ports) as a list of ports; None for "any port"."""
    if not value:
        return None
    if isinstance(value, list | tuple | range):
        ports = [int(p) for p in value]
    else:
        first, _, last = str(value).partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"FTP_PASSIVE_PORTS must look like '60000-60099', not {value!r}"
            ) from exc
        ports = list(range(start, end + 1))
    if not ports or any(not 1 <= p <= 65535 for p in ports):
        raise ImproperlyConfigured(f"FTP_PASSIVE_PORTS {value!r} is not a port range")
    return ports


def handler_class(*, throttle: LoginThrottle | None = None):
    """A handler class configured from the settings (a fresh subclass each time).

    pyftpdlib is configured through class attributes; a subclass per server keeps two
    servers (or two tests) from sharing configuration.
    """
    certfile = get_setting("FTP_TLS_CERTFILE")
    if certfile:
        try:
            base = tls_handler_classes()
        except ImportError as exc:
            raise ImproperlyConfigured(
                "FTP_TLS_CERTFILE is set, but FTPS needs pyOpenSSL: "
                "pip install 'wagtail-openimmo[ftps]'"
            ) from exc
        required = bool(get_setting("FTP_TLS_REQUIRED"))
        attrs = {
            "certfile": str(certfile),
            "keyfile": str(get_setting("FTP_TLS_KEYFILE") or certfile),
            "tls_control_required": required,
            "tls_data_required": required,
            "ssl_context": None,
        }
    else:
        if get_setting("FTP_TLS_REQUIRED"):
            raise ImproperlyConfigured("FTP_TLS_REQUIRED needs FTP_TLS_CERTFILE.")
        base, attrs = InboxFTPHandler, {}
    attrs.update(
        authorizer=AccountAuthorizer(),
        abstracted_fs=JailedFS,
        throttle=throttle or LoginThrottle(),
        passive_ports=parse_port_range(get_setting("FTP_PASSIVE_PORTS")),
        masquerade_address=get_setting("FTP_MASQUERADE_ADDRESS") or None,
        banner="OpenImmo inbox ready.",
        # Some broker software waits a long time between commands of one upload batch.
        timeout=600,
        # Three wrong passwords per connection, then the client must reconnect.
        max_login_attempts=3,
        # The response delay comes from the throttle; none before the first failures.
        auth_failed_timeout=0,
    )
    return type(f"Configured{base.__name__}", (base,), attrs)


def build_server(
    host: str | None = None, port: int | None = None, *, throttle: LoginThrottle | None = None
) -> InboxFTPServer:
    """The FTP server, listening but not yet serving (call ``serve_forever()``)."""
    inbox_dir().mkdir(parents=True, exist_ok=True)
    handler = handler_class(throttle=throttle)
    address = (
        host if host is not None else get_setting("FTP_HOST"),
        int(port if port is not None else get_setting("FTP_PORT")),
    )
    server = InboxFTPServer(address, handler)
    server.max_cons = int(get_setting("FTP_MAX_CONNECTIONS") or 0)
    server.max_cons_per_ip = int(get_setting("FTP_MAX_CONNECTIONS_PER_IP") or 0)
    return server
