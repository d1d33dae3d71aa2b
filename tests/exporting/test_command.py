"""The openimmo_export command."""

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.exporting.builders import imported_listing, read_zip
from wagtail_openimmo.management.commands.openimmo_export import parse_since
from wagtail_openimmo.openimmo import read_transfer

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
MANAGE = ROOT / "example_site" / "manage.py"


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
        (["--broker", "acme", "--umfang", "TEIL", "--since", "2026-02-30"], "not a date"),
        (["--broker", "acme", "--umfang", "TEIL", "--since", "2026-11-01T25:00"], "not a date"),
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


def test_parse_since_refuses_with_an_argparse_error():
    for value in ("gestern", "", "2026-02-30", "01.11.2026"):
        with pytest.raises(argparse.ArgumentTypeError, match="ISO 8601"):
            parse_since(value)


def test_a_bad_since_on_the_command_line_is_a_usage_error_not_a_traceback(tmp_path):
    # parsing fails before the command touches the database, so no database is needed
    out = tmp_path / "x.zip"
    process = subprocess.run(
        [
            sys.executable,
            str(MANAGE),
            "openimmo_export",
            "--broker",
            "acme",
            "--out",
            str(out),
            "--umfang",
            "TEIL",
            "--since",
            "gestern",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    assert "error: argument --since: “gestern” is not a date or date-time" in process.stderr
    assert "2026-11-01T08:00:00+01:00" in process.stderr
    assert not out.exists()
