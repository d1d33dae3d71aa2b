"""The openimmo_export command."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.exporting.builders import imported_listing, read_zip
from wagtail_openimmo.management.commands.openimmo_export import parse_since
from wagtail_openimmo.openimmo import read_transfer

pytestmark = pytest.mark.django_db


def test_export_command_writes_the_zip_and_says_what_is_in_it(broker, tmp_path, capsys):
    imported_listing(broker, 1, images=2)
    out = tmp_path / "sub" / "acme.zip"
    call_command("openimmo_export", "--broker", "acme", "--out", str(out), "--check", "md5")
    printed = capsys.readouterr().out
    assert "Exported 1 listings and 0 deletes (VOLL) of acme with 2 files and 0 links" in printed
    assert str(out) in printed
    xml, members = read_zip(out)
    record = next(read_transfer(xml).records())
    assert [a.check_type for a in record.attachments] == ["MD5", "MD5"]
    assert len(members) == 2


def test_teil_since_and_no_attachments(broker, tmp_path, capsys):
    listing = imported_listing(broker, 1, images=1)
    since = timezone.now()
    listing.unpublish()
    out = tmp_path / "teil.zip"
    call_command(
        "openimmo_export",
        "--broker",
        "acme",
        "--out",
        str(out),
        "--umfang",
        "teil",
        "--since",
        since.isoformat(),
        "--no-attachments",
    )
    assert "0 listings and 1 deletes (TEIL)" in capsys.readouterr().out
    xml, members = read_zip(out)
    assert members == {}
    assert [r.aktion for r in read_transfer(xml).records()] == ["DELETE"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--broker", "nobody"], "no broker"),
        (["--broker", "acme", "--umfang", "TEIL"], "needs a date"),
        (["--broker", "acme", "--since", "2026-01-01"], "--since goes with --umfang TEIL"),
        (["--broker", "acme", "--umfang", "TEIL", "--since", "gestern"], "not a date"),
    ],
)
def test_export_command_refuses_what_it_cannot_do(broker, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("openimmo_export", "--out", str(tmp_path / "x.zip"), *args)
    assert not (tmp_path / "x.zip").exists()


def test_parse_since():
    local = timezone.get_current_timezone()
    assert parse_since("2026-11-01") == dt.datetime(2026, 11, 1, tzinfo=local)
    assert parse_since("2026-11-01T08:30") == dt.datetime(2026, 11, 1, 8, 30, tzinfo=local)
    assert parse_since("2026-11-01T08:30:00+00:00") == dt.datetime(
        2026, 11, 1, 8, 30, tzinfo=dt.UTC
    )
