"""What an adversarial round found in the FTP server (issue 15, items 2, 3 and 9), driven
through a real pyftpdlib server with ftplib (raw lines where ftplib itself refuses them)."""

import ftplib
import io
import logging

import pytest

from tests.helpers import make_broker, wait_for
from tests.inbox_support import PASSWORD, ensure_default_site, ftp_login, make_account, zip_bytes
from wagtail_openimmo.inbox import layout
from wagtail_openimmo.models import FTPAccount

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(db):
    ensure_default_site()
    broker = make_broker("acme")
    make_account("acme", broker)
    return broker


def raw(ftp: ftplib.FTP, line: bytes) -> str:
    """Send ``line`` as it is (ftplib refuses CR and LF inside a command) and read the reply."""
    ftp.sock.sendall(line + b"\r\n")
    try:
        return ftp.getresp()
    except ftplib.Error as exc:
        return str(exc)


def connect(server) -> ftplib.FTP:
    ftp = ftplib.FTP()
    ftp.connect(server.host, server.port, timeout=10)
    return ftp


FORGED = "FTP login failed: user=admin ip=203.0.113.9"


def _lines(caplog) -> list[str]:
    return [line for record in caplog.records for line in record.getMessage().splitlines()]


def test_a_user_name_with_a_line_break_is_refused_and_forges_no_log_line(
    ftp_server, acme, caplog
):
    caplog.set_level(logging.DEBUG)
    ftp = connect(ftp_server)
    for evil in (b"x\n" + FORGED.encode(), b"x\r" + FORGED.encode(), b"x\x00y"):
        assert raw(ftp, b"USER " + evil).startswith("501"), evil
    # the session is still up: a proper login works on the same connection
    assert ftp.login("acme", PASSWORD).startswith("230")
    # no log line (of ours or pyftpdlib's) starts with the forged text
    assert not [line for line in _lines(caplog) if FORGED in line and "\\x" not in line]
    assert any("x\\x0aFTP login failed" in line for line in _lines(caplog))


def test_control_characters_in_a_failed_user_name_are_escaped(ftp_server, acme, caplog):
    caplog.set_level(logging.INFO, logger="wagtail_openimmo.ftp")
    ftp = connect(ftp_server)
    with pytest.raises(ftplib.error_perm):
        ftp.login("evil\x1b[2Juser\x85name", "wrong")

    def failed():  # logged by the server's thread, maybe just after the reply
        return [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]

    assert wait_for(failed)
    assert failed() == ["FTP login failed: user=evil\\x1b[2Juser\\x85name ip=127.0.0.1"]


@pytest.mark.parametrize(
    "command",
    [b"STOR a\x00b.zip", b"STOR a\nb.zip", b"DELE a\x00b", b"RNFR x\x00", b"CWD \x00",
     b"SIZE a\rb", b"LIST \x00", b"MLSD a\nb"],
)
def test_line_breaks_and_nul_in_path_arguments_answer_501_and_keep_the_session(
    ftp_server, acme, inbox, command
):
    ftp = ftp_login(ftp_server, "acme")
    assert raw(ftp, command).startswith("501"), command
    assert ftp.pwd() == "/"
    ftp.storbinary("STOR fine.zip", io.BytesIO(zip_bytes()))
    assert (inbox / "acme" / "fine.zip").exists()


def test_rnto_with_nul_answers_501(ftp_server, acme, inbox):
    ftp = ftp_login(ftp_server, "acme")
    ftp.storbinary("STOR a.zip.tmp", io.BytesIO(b"data"))
    ftp.sendcmd("RNFR a.zip.tmp")
    assert raw(ftp, b"RNTO b\x00.zip").startswith("501")
    assert ftp.pwd() == "/"
    assert (inbox / "acme" / "a.zip.tmp").exists()


def test_names_longer_than_the_limit_are_refused_with_553(ftp_server, acme, inbox, queued):
    ftp = ftp_login(ftp_server, "acme")
    long_name = "ä" * 110 + ".zip"  # 224 bytes in UTF-8, legal on the disk
    assert len(long_name.encode()) > layout.MAX_NAME_BYTES
    with pytest.raises(ftplib.error_perm, match="553"):
        ftp.storbinary(f"STOR {long_name}", io.BytesIO(zip_bytes()))
    assert ftp.pwd() == "/"  # session still up
    with pytest.raises(ftplib.error_perm, match="553"):
        ftp.storbinary(f"STOR {'x' * 252}.zip", io.BytesIO(zip_bytes()))
    ftp.storbinary("STOR short.zip.tmp", io.BytesIO(zip_bytes()))
    ftp.sendcmd("RNFR short.zip.tmp")
    with pytest.raises(ftplib.error_perm, match="553"):
        ftp.sendcmd(f"RNTO {long_name}")
    assert sorted(p.name for p in (inbox / "acme").iterdir()) == ["short.zip.tmp"]
    # a name right at the limit is fine
    fits = "y" * (layout.MAX_NAME_BYTES - 4) + ".zip"
    ftp.storbinary(f"STOR {fits}", io.BytesIO(zip_bytes()))
    assert (inbox / "acme" / fits).exists()
    assert wait_for(lambda: queued)


def test_a_deactivated_account_loses_its_open_session(ftp_server, acme, inbox, caplog):
    caplog.set_level(logging.INFO, logger="wagtail_openimmo.ftp")
    ftp = ftp_login(ftp_server, "acme")
    ftp.storbinary("STOR one.zip", io.BytesIO(zip_bytes()))
    FTPAccount.objects.filter(username="acme").update(is_active=False)
    with pytest.raises((ftplib.error_temp, EOFError, ConnectionError)):
        ftp.storbinary("STOR two.zip", io.BytesIO(zip_bytes()))
    assert not (inbox / "acme" / "two.zip").exists()
    assert wait_for(lambda: "account deactivated: user=acme" in caplog.text)
    # and it cannot log in again
    with pytest.raises(ftplib.error_perm):
        ftp_login(ftp_server, "acme")


def test_a_deleted_account_loses_its_open_session(ftp_server, acme, inbox):
    ftp = ftp_login(ftp_server, "acme")
    FTPAccount.objects.filter(username="acme").delete()
    with pytest.raises((ftplib.error_temp, EOFError, ConnectionError)):
        ftp.nlst()


def test_an_accounts_disk_quota_answers_552(start_ftp, acme, inbox, queued):
    """Issue 15, item 7: each file was capped, their number not."""
    server = start_ftp(FTP_ACCOUNT_QUOTA_BYTES=1000)
    ftp = ftp_login(server, "acme")
    ftp.storbinary("STOR one.tmp", io.BytesIO(b"x" * 600))
    # the second upload would pass the quota: aborted with 552 and its part deleted
    with pytest.raises(ftplib.error_perm, match="552"):
        ftp.storbinary("STOR two.tmp", io.BytesIO(b"y" * 600))
    assert wait_for(lambda: sorted(p.name for p in (inbox / "acme").iterdir()) == ["one.tmp"])
    # replacing a file counts the new size, not both
    ftp.storbinary("STOR one.tmp", io.BytesIO(b"z" * 900))
    ftp.storbinary("STOR three.tmp", io.BytesIO(b"w" * 100))
    # full: refused before any byte is sent
    with pytest.raises(ftplib.error_perm, match="552"):
        ftp.storbinary("STOR four.tmp", io.BytesIO(b"v"))
    assert ftp.pwd() == "/"
    # once files are taken away (imported), there is room again
    ftp.delete("one.tmp")
    ftp.storbinary("STOR five.tmp", io.BytesIO(b"u" * 800))


