"""The built-in FTP server, started for real on 127.0.0.1 and driven with ftplib."""

import contextlib
import datetime as dt
import ftplib
import io
import ipaddress
import logging
import os
import time

import pytest

from tests.helpers import make_broker, wait_for
from tests.inbox_support import PASSWORD, ensure_default_site, ftp_login, make_account, zip_bytes
from wagtail_openimmo.inbox import scan
from wagtail_openimmo.models import FTPAccount

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(db):
    ensure_default_site()
    broker = make_broker("acme")
    make_account("acme", broker)
    return broker


@pytest.fixture
def other(acme):
    broker = make_broker("other")
    make_account("other", broker)
    return broker


def stor(ftp, name, data: bytes):
    return ftp.storbinary(f"STOR {name}", io.BytesIO(data))


def ready(inbox, folder="acme"):
    return {i.name: i.reason for i in scan.scan_folder(inbox, folder) if i.ready}


# --- logins -----------------------------------------------------------------------------


def test_login_and_wrong_passwords(ftp_server, acme, caplog):
    caplog.set_level(logging.INFO, logger="wagtail_openimmo.ftp")
    ftp = ftp_login(ftp_server, "acme")
    assert ftp.pwd() == "/"
    ftp.quit()
    assert FTPAccount.objects.get(username="acme").last_login_at is not None
    for user, password in [("acme", "wrong"), ("nobody", PASSWORD), ("acme", "")]:
        with pytest.raises(ftplib.error_perm, match="530"):
            ftp_login(ftp_server, user, password)
    text = caplog.text
    assert "FTP login: user=acme ip=127.0.0.1" in text
    assert "FTP login failed: user=acme ip=127.0.0.1" in text
    assert "FTP login failed: user=nobody" in text
    assert PASSWORD not in text and "wrong" not in text


def test_inactive_account_and_unusable_password_cannot_log_in(ftp_server, acme):
    FTPAccount.objects.filter(username="acme").update(is_active=False)
    with pytest.raises(ftplib.error_perm, match="530"):
        ftp_login(ftp_server, "acme")
    FTPAccount.objects.create(username="nopass")  # no password: never usable
    with pytest.raises(ftplib.error_perm, match="530"):
        ftp_login(ftp_server, "nopass", "")


def test_repeated_failures_are_slowed_down_then_banned(start_ftp, acme, settings):
    server = start_ftp(
        FTP_LOGIN_FAILURES_BEFORE_DELAY=2,
        FTP_LOGIN_DELAY_SECONDS=0.3,
        FTP_LOGIN_FAILURES_BEFORE_BAN=4,
        FTP_BAN_SECONDS=600,
    )
    ftp = ftplib.FTP()
    ftp.connect(server.host, server.port, timeout=10)
    timings = []
    for _ in range(3):
        started = time.monotonic()
        with pytest.raises(ftplib.error_perm, match="530"):
            ftp.login("acme", "wrong")
        timings.append(time.monotonic() - started)
    # the first failure is answered at once, the second and third after 0.3 s and 0.6 s
    assert timings[0] < 0.3 <= timings[1] and timings[2] >= 0.6
    ftp.close()  # the server disconnects after three failures on one connection anyway
    ftp = ftplib.FTP()
    ftp.connect(server.host, server.port, timeout=10)
    with pytest.raises(ftplib.error_perm):
        ftp.login("acme", "wrong")  # the fourth failure: banned
    ftp.close()
    assert server.throttle.banned_for("127.0.0.1") > 0
    # banned: even the right password is refused, at the greeting
    with pytest.raises(ftplib.error_temp, match="421"):
        ftp_login(server, "acme")
    # after the ban the address may try again, and a success clears its record
    server.clock.now += 601
    ftp_login(server, "acme").quit()
    assert server.throttle.failures("127.0.0.1") == 0


def test_connections_per_address_are_limited(start_ftp, acme):
    server = start_ftp(FTP_MAX_CONNECTIONS_PER_IP=1)
    first = ftp_login(server, "acme")
    with pytest.raises(ftplib.error_temp, match="421"):
        ftp_login(server, "acme")
    first.quit()


# --- the jail ---------------------------------------------------------------------------


def test_jail_escapes_are_refused(ftp_server, acme, inbox, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (inbox / "acme").mkdir(parents=True, exist_ok=True)
    os.symlink(outside, inbox / "acme" / "link")
    os.symlink(outside / "secret.txt", inbox / "acme" / "secret.txt")
    (outside / "secret.txt").write_text("secret")
    ftp = ftp_login(ftp_server, "acme")
    for command in [
        "CWD ..",
        "CWD ../other",
        "CWD /..",
        "CWD link",
        "MKD sub",
        "DELE ../acme/x.zip",
        "RNFR ../other/a.zip",
        "RETR secret.txt",
        "SIZE secret.txt",
        "LIST link",
        "CWD /tmp",
    ]:
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp.sendcmd(command) if not command.startswith(("RETR", "LIST")) else (
                ftp.retrlines(command)
            )
    for name in [
        "../escape.zip",
        "/../escape.zip",
        "link/escape.zip",
        "/tmp/escape.zip",
        "..\\escape.zip",
    ]:
        with pytest.raises(ftplib.error_perm, match="550"):
            stor(ftp, name, b"data")
    assert ftp.pwd() == "/"
    assert "link" not in ftp.nlst() and "secret.txt" not in ftp.nlst()
    ftp.quit()
    assert list(outside.iterdir()) == [outside / "secret.txt"]
    assert not (inbox / "escape.zip").exists() and not (tmp_path / "escape.zip").exists()
    assert not os.path.exists("/tmp/escape.zip")


def test_accounts_see_only_their_own_folder(ftp_server, acme, other, inbox):
    a = ftp_login(ftp_server, "acme")
    b = ftp_login(ftp_server, "other")
    stor(b, "other.zip", b"B's file")
    stor(a, "acme.zip", b"A's file")
    assert a.nlst() == ["acme.zip"]
    assert b.nlst() == ["other.zip"]
    for command in [
        "DELE /other/other.zip",
        "DELE ../other/other.zip",
        "RNFR /other/other.zip",
        "CWD /other",
    ]:
        with pytest.raises(ftplib.error_perm, match="550"):
            a.sendcmd(command)
    stor(a, "other.zip", b"A's own file of the same name")
    a.quit()
    b.quit()
    assert (inbox / "other" / "other.zip").read_bytes() == b"B's file"
    assert (inbox / "acme" / "other.zip").read_bytes() == b"A's own file of the same name"


def test_brokers_may_list_rename_and_delete_their_files(ftp_server, acme, inbox):
    ftp = ftp_login(ftp_server, "acme")
    stor(ftp, "a.zip", b"one")
    ftp.rename("a.zip", "b.zip")
    assert ftp.nlst() == ["b.zip"]
    lines = []
    ftp.retrlines("LIST", lines.append)
    assert len(lines) == 1 and lines[0].endswith("b.zip")
    ftp.delete("b.zip")
    assert ftp.nlst() == []
    ftp.quit()
    assert list((inbox / "acme").iterdir()) == []


# --- uploads ----------------------------------------------------------------------------


def test_finished_upload_is_marked_and_queued(ftp_server, acme, inbox, queued, settings, caplog):
    caplog.set_level(logging.INFO, logger="wagtail_openimmo.ftp")
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "INBOX_STABLE_SECONDS": 3600}
    data = zip_bytes()
    ftp = ftp_login(ftp_server, "acme")
    stor(ftp, "export.zip", data)
    ftp.quit()
    path = inbox / "acme" / "export.zip"
    assert path.read_bytes() == data
    assert queued == [str(path.resolve())]
    assert ready(inbox) == {"export.zip": "received"}
    assert f"FTP upload: user=acme ip=127.0.0.1 file=export.zip bytes={len(data)}" in caplog.text


def test_zip_uploaded_in_chunks_is_ready_only_when_complete(
    ftp_server, acme, inbox, queued, settings
):
    # even with no stability wait at all, a file still being received is not taken
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "INBOX_STABLE_SECONDS": 0}
    data = zip_bytes()
    half = len(data) // 2
    ftp = ftp_login(ftp_server, "acme")
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("STOR export.zip")
    conn.sendall(data[:half])
    path = inbox / "acme" / "export.zip"
    assert wait_for(path.exists)  # (the server's file buffer may hold the bytes yet)
    items = {i.name: i for i in scan.scan_folder(inbox, "acme")}
    assert not items["export.zip"].ready and items["export.zip"].reason == "uploading"
    assert queued == []
    conn.sendall(data[half:])
    conn.close()
    ftp.voidresp()
    ftp.quit()
    assert path.read_bytes() == data
    assert queued == [str(path.resolve())]
    assert ready(inbox) == {"export.zip": "received"}


def test_upload_cut_off_is_not_taken_for_complete(ftp_server, acme, inbox, settings):
    """A dropped data connection looks like a finished transfer; the ZIP check catches it."""
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "INBOX_STABLE_SECONDS": 60}
    data = zip_bytes()
    ftp = ftp_login(ftp_server, "acme")
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("STOR export.zip")
    conn.sendall(data[: len(data) // 2])
    conn.close()
    ftp.voidresp()
    ftp.quit()
    [item] = scan.scan_folder(inbox, "acme")
    assert not item.ready and item.reason == "incomplete_zip"


def test_aborted_upload_is_deleted(ftp_server, acme, inbox, queued):
    ftp = ftp_login(ftp_server, "acme")
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("STOR export.zip")
    conn.sendall(b"x" * 100_000)
    path = inbox / "acme" / "export.zip"
    assert wait_for(lambda: path.exists() and path.stat().st_size > 0)
    ftp.putcmd("ABOR")
    conn.close()
    ftp.getmultiline()
    assert wait_for(lambda: not path.exists())
    ftp.close()
    assert queued == []
    assert not (inbox / ".openimmo" / "uploading" / "acme" / "export.zip").exists()


def test_tmp_then_rename(ftp_server, acme, inbox, queued, settings):
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "INBOX_STABLE_SECONDS": 3600}
    ftp = ftp_login(ftp_server, "acme")
    stor(ftp, "export.zip.tmp", zip_bytes())
    assert queued == []
    assert scan.scan_folder(inbox, "acme") == []  # temporary names are not even candidates
    ftp.rename("export.zip.tmp", "export.zip")
    ftp.quit()
    assert queued == [str((inbox / "acme" / "export.zip").resolve())]
    assert ready(inbox) == {"export.zip": "received"}


def test_done_marker_upload(ftp_server, acme, inbox, queued, settings):
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "INBOX_STABLE_SECONDS": 3600}
    ftp = ftp_login(ftp_server, "acme")
    stor(ftp, "export.zip", zip_bytes())
    stor(ftp, "export.zip.done", b"")
    ftp.quit()
    assert [os.path.basename(p) for p in queued] == ["export.zip", "export.zip.done"]
    assert ready(inbox) == {"export.zip": "marker"}


def test_upload_size_limit(start_ftp, acme, inbox, queued):
    server = start_ftp(FTP_MAX_UPLOAD_BYTES=100_000)
    ftp = ftp_login(server, "acme")
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("STOR big.zip")
    with contextlib.suppress(OSError):  # the server hangs up while we are still sending
        conn.sendall(b"x" * 1_000_000)
    conn.close()
    with pytest.raises(ftplib.error_perm, match="552 Upload refused"):
        ftp.voidresp()
    stor(ftp, "small.zip", b"x" * 100_000)  # exactly the limit is fine
    ftp.quit()
    assert wait_for(lambda: not (inbox / "acme" / "big.zip").exists())
    assert [os.path.basename(p) for p in queued] == ["small.zip"]


def test_passive_ports_from_the_settings(start_ftp, acme):
    server = start_ftp(FTP_PASSIVE_PORTS="50500-50520", FTP_MASQUERADE_ADDRESS=None)
    ftp = ftp_login(server, "acme")
    host, port = ftp.makepasv()
    ftp.quit()
    assert host == "127.0.0.1" and 50500 <= port <= 50520


# --- FTPS -------------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate and key for 127.0.0.1, made for this test."""
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
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile, keyfile


def test_explicit_ftps(start_ftp, acme, inbox, queued, certificate):
    import ssl

    certfile, keyfile = certificate
    server = start_ftp(
        FTP_TLS_CERTFILE=str(certfile), FTP_TLS_KEYFILE=str(keyfile), FTP_TLS_REQUIRED=True
    )
    # plain FTP is refused when TLS is required
    with pytest.raises(ftplib.error_perm, match="550 SSL/TLS required"):
        ftp_login(server, "acme")
    context = ssl.create_default_context(cafile=str(certfile))
    ftps = ftplib.FTP_TLS(context=context)
    ftps.connect(server.host, server.port, timeout=10)
    ftps.login("acme", PASSWORD)  # AUTH TLS first, verified against our certificate
    ftps.prot_p()
    data = zip_bytes()
    stor(ftps, "secure.zip", data)
    ftps.quit()
    assert (inbox / "acme" / "secure.zip").read_bytes() == data
    assert [os.path.basename(p) for p in queued] == ["secure.zip"]
