"""Stale temporary uploads are cleaned, and the broker hears of it (issue 15, item 7).

Temporary names (``*.part``, ``*.tmp``, dot files) are never imported; before, they stayed
for ever and counted against the account's quota. A real pyftpdlib server driven by ftplib,
the real inbox run and importer, and the report mail the broker gets."""

from __future__ import annotations

import ftplib
import io
import os
import time

import pytest
from django.core import mail

from tests.helpers import make_broker, wait_for
from tests.inbox_support import ensure_default_site, ftp_login, make_account, zip_bytes
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db(transaction=True)

DAY = 86400


def age(path, seconds):
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


def received(queued, name):
    """Whether the server queued the upload ``name`` (its bookkeeping is done then)."""
    return wait_for(lambda: any(q.endswith("/" + name) for q in queued))


@pytest.mark.parametrize(
    ("language", "heading", "line"),
    [
        ("en", "Removed from your FTP folder",
         "Unfinished uploads older than 24 hours were deleted from your FTP folder"),
        ("de", "Aus Ihrem FTP-Ordner entfernt",
         "Unvollständige Uploads, die älter als 24 Stunden waren, wurden aus Ihrem FTP-Ordner "
         "gelöscht"),
    ],
)
def test_stale_temporary_uploads_are_removed_and_named_in_the_next_report(
    start_ftp, queued, inbox, language, heading, line
):
    ensure_default_site()
    broker = make_broker("acme", language=language)
    make_account("acme", broker)
    server = start_ftp(FTP_ACCOUNT_QUOTA_BYTES=3000, INBOX_STABLE_SECONDS=0)
    ftp = ftp_login(server, "acme")
    # what broken uploads left: a part file, a temporary file, a dot file
    ftp.storbinary("STOR stock.zip.part", io.BytesIO(b"p" * 1500))
    ftp.storbinary("STOR upload.tmp", io.BytesIO(b"t" * 1000))
    ftp.storbinary("STOR .hidden", io.BytesIO(b"h" * 100))
    ftp.storbinary("STOR fresh.tmp", io.BytesIO(b"f" * 10))  # being written right now
    folder = inbox / "acme"
    for name in ("stock.zip.part", "upload.tmp", ".hidden"):
        age(folder / name, DAY + 3600)
    # the quota is full of them: a real upload is refused
    data = zip_bytes(anid="ACME-ANID")
    with pytest.raises(ftplib.error_perm, match="552"):
        ftp.storbinary("STOR stock.zip", io.BytesIO(data))
    assert wait_for(lambda: not (folder / "stock.zip").exists())  # the server deletes the part
    # the next inbox run removes what is older than a day, and only that
    process_inboxes()
    assert sorted(p.name for p in folder.iterdir()) == ["fresh.tmp"]
    assert not mail.outbox  # nothing imported yet: the broker hears it with the next report
    # now the upload fits, and its report names what was removed
    ftp.storbinary("STOR stock.zip", io.BytesIO(data))
    assert received(queued, "stock.zip")  # the server has finished with it
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
    [message] = mail.outbox
    assert message.to == ["acme@example.com"]
    text = message.body
    assert heading in text and line in text
    assert ".hidden, stock.zip.part, upload.tmp" in text
    html = message.alternatives[0][0]
    assert heading in html and ".hidden, stock.zip.part, upload.tmp" in html
    # said once: the report after that does not repeat it
    other = zip_bytes([generate.demo_property(2, images=0)], anid="ACME-ANID", umfang="TEIL")
    ftp.storbinary("STOR second.zip", io.BytesIO(other))
    assert received(queued, "second.zip")
    [second] = process_inboxes()
    assert second.status == "imported", second.message
    assert len(mail.outbox) == 2 and heading not in mail.outbox[1].body
    ftp.quit()


def test_the_age_is_a_setting_and_none_keeps_them(start_ftp, inbox, settings):
    ensure_default_site()
    make_account("acme", make_broker("acme"))
    start_ftp(INBOX_TEMPORARY_MAX_AGE_HOURS=None, INBOX_STABLE_SECONDS=0)
    folder = inbox / "acme"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "old.part").write_bytes(b"x")
    age(folder / "old.part", 30 * DAY)
    process_inboxes()
    assert (folder / "old.part").exists()
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "INBOX_TEMPORARY_MAX_AGE_HOURS": 2}
    (folder / "newer.tmp").write_bytes(b"y")
    age(folder / "newer.tmp", 3600)
    process_inboxes()
    assert sorted(p.name for p in folder.iterdir()) == ["newer.tmp"]
