"""Pushing exports to an FTP target: a real pyftpdlib server on 127.0.0.1."""

import logging

import pytest
from django.utils import timezone

from tests.exporting.builders import imported_listing, read_zip
from tests.exporting.ftpserver import PASSWORD, USER, ftp_server, self_signed_cert
from wagtail_openimmo import tasks
from wagtail_openimmo.exporting import push
from wagtail_openimmo.models import ExportTarget
from wagtail_openimmo.openimmo import read_transfer

pytestmark = pytest.mark.django_db


def target_for(broker, server, **kwargs):
    kwargs.setdefault("folder", "incoming")
    kwargs.setdefault("name", "Portal")
    return ExportTarget.objects.create(
        broker=broker,
        host="127.0.0.1",
        port=server.port,
        username=USER,
        password=PASSWORD,
        **kwargs,
    )


def test_push_uploads_as_tmp_then_renames(broker, tmp_path):
    imported_listing(broker, 1, images=1)
    home = tmp_path / "ftp"
    (home / "incoming").mkdir(parents=True)
    with ftp_server(home) as server:
        target = target_for(broker, server)
        result = push.push_export(target)
    assert result.status == push.PUSHED, result.error
    uploaded = list((home / "incoming").iterdir())
    assert [p.name for p in uploaded] == [result.file_name]
    assert result.file_name.startswith("acme-") and result.file_name.endswith(".zip")
    cmds = [c for c in server.commands if c[0] in ("CWD", "STOR", "RNFR", "RNTO")]
    assert cmds == [
        ("CWD", "incoming"),
        ("STOR", f"{result.file_name}.tmp"),
        ("RNFR", f"{result.file_name}.tmp"),
        ("RNTO", result.file_name),
    ]
    xml, members = read_zip(uploaded[0])
    assert [r.objektnr for r in read_transfer(xml).records()] == ["W00001"]
    assert len(members) == 1
    target.refresh_from_db()
    assert target.last_pushed_at is not None and target.last_error == ""


def test_nothing_changed_nothing_pushed_then_teil_sends_the_change(broker, tmp_path):
    listing = imported_listing(broker, 1, images=0)
    imported_listing(broker, 2, images=0)
    home = tmp_path / "ftp"
    with ftp_server(home) as server:
        target = target_for(broker, server, folder="", umfang="TEIL")
        first = push.push_export(target)
        assert first.status == push.PUSHED and first.export.listings == 2
        assert push.push_export(target).status == push.SKIPPED
        listing.unpublish()
        later = timezone.now() + timezone.timedelta(seconds=2)
        third = push.push_export(target, now=later)
    assert third.status == push.PUSHED
    assert (third.export.listings, third.export.deletes) == (0, 1)
    xml, _ = read_zip(home / third.file_name)
    transfer = read_transfer(xml)
    assert transfer.umfang == "TEIL"
    assert [r.aktion for r in transfer.records()] == ["DELETE"]


def test_a_failing_target_is_recorded_without_the_password(broker, tmp_path, caplog):
    imported_listing(broker, 1, images=0)
    with ftp_server(tmp_path / "ftp") as server:
        wrong = target_for(broker, server, name="Falsch")
        wrong.password = "not-the-password-xyz"
        wrong.save()
        good = target_for(broker, server, name="Richtig", folder="")
        with caplog.at_level(logging.INFO, logger="wagtail_openimmo"):
            counts = tasks.push_exports()
    assert counts == {"pushed": 1, "skipped": 0, "failed": 1}
    wrong.refresh_from_db()
    good.refresh_from_db()
    assert wrong.last_error.startswith("error_perm: 530") and wrong.last_pushed_at is None
    assert good.last_error == "" and good.last_pushed_at
    assert "not-the-password-xyz" not in caplog.text + wrong.last_error
    assert PASSWORD not in caplog.text


def test_a_missing_folder_fails_cleanly(broker, tmp_path):
    imported_listing(broker, 1, images=0)
    with ftp_server(tmp_path / "ftp") as server:
        target = target_for(broker, server, folder="does/not/exist")
        result = push.push_export(target)
    assert result.status == push.FAILED and "550" in result.error
    assert list((tmp_path / "ftp").iterdir()) == []


def test_an_unreachable_server_fails_cleanly(broker, settings):
    settings.WAGTAIL_OPENIMMO = {"EXPORT_FTP_TIMEOUT": 2}
    imported_listing(broker, 1, images=0)
    target = ExportTarget.objects.create(
        broker=broker, host="127.0.0.1", port=1, username="x", password="y"
    )
    result = push.push_export(target)
    assert result.status == push.FAILED and "ConnectionRefused" in result.error


def test_ftps_verifies_the_certificate(broker, tmp_path, settings):
    pytest.importorskip("OpenSSL", reason="pyftpdlib's FTPS needs pyOpenSSL")
    imported_listing(broker, 1, images=0)
    cert = self_signed_cert(tmp_path / "cert.pem")
    home = tmp_path / "ftp"
    with ftp_server(home, tls_cert=cert) as server:
        target = target_for(broker, server, folder="", use_tls=True)
        untrusted = push.push_export(target)
        assert untrusted.status == push.FAILED
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.error
        settings.WAGTAIL_OPENIMMO = {"EXPORT_FTPS_CAFILE": str(cert)}
        trusted = push.push_export(target)
    assert trusted.status == push.PUSHED, trusted.error
    assert [p.name for p in home.iterdir()] == [trusted.file_name]
    assert ("PROT", "P") in server.commands and ("AUTH", "TLS") in server.commands
