"""A plain pyftpdlib server on 127.0.0.1 in a thread, to push exports to in tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import threading
from pathlib import Path

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

USER, PASSWORD = "portal", "s3cret-pw"


@contextlib.contextmanager
def ftp_server(home: Path, *, tls_cert: Path | None = None):
    """Serve ``home`` for USER/PASSWORD; yields the server with ``.port`` and ``.commands``
    (every command a client sent, in order)."""
    home.mkdir(parents=True, exist_ok=True)
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(home), perm="elradfmw")
    commands: list[tuple[str, str]] = []
    if tls_cert is not None:
        from pyftpdlib.handlers import TLS_FTPHandler as base
    else:
        base = FTPHandler

    class Recording(base):
        def pre_process_command(self, line, cmd, arg):
            commands.append((cmd, arg if cmd != "PASS" else "***"))
            return super().pre_process_command(line, cmd, arg)

    Recording.authorizer = authorizer
    Recording.passive_ports = None
    Recording.auth_failed_timeout = 0.1  # pyftpdlib waits 3 s after a failed login
    if tls_cert is not None:
        Recording.certfile = str(tls_cert)
        Recording.tls_control_required = True
        Recording.tls_data_required = True
    server = FTPServer(("127.0.0.1", 0), Recording)
    server.port = server.address[1]
    server.commands = commands
    stop = threading.Event()

    def run():
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        server.close_all()

    thread = threading.Thread(target=run, name="test-ftpd", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(5)


def self_signed_cert(path: Path) -> Path:
    """A certificate and key (one PEM file) for 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return path
