"""``openimmo_import`` for people and for cron: a progress bar in a terminal, plain lines
otherwise, and a non-zero exit status when a file was not imported."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections

from tests.inbox_support import make_account, zip_bytes
from wagtail_openimmo.models import ListingPage
from wagtail_openimmo.openimmo import generate

pytest.importorskip("wagtail_openimmo.importing")
pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def feed(path, numbers=(1, 2)):
    props = [generate.demo_property(n, images=2, image_size=(16, 12)) for n in numbers]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zip_bytes(props, anid="ACME-ANID", umfang="TEIL"))
    return path


@pytest.fixture(autouse=True)
def inbox(settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    return settings.OPENIMMO_INBOX_DIR


def test_a_terminal_gets_a_progress_bar_of_properties_and_attachments(tmp_path, broker):
    path = feed(tmp_path / "export.zip")
    out = Terminal()
    call_command("openimmo_import", str(path), "--broker", "acme", "--no-report", stdout=out)
    text = out.getvalue()
    bar, summary = text.split("\n")[:2]
    assert bar.count("\r") >= 2  # redrawn in place
    last = bar.rsplit("\r", 1)[1]
    assert last.startswith(f"{path}  properties 2/2 [")
    assert "attachments 2/2 [" in last  # the pictures of the property being imported
    assert summary.startswith(f"{path} (acme): ") and "2 created" in summary


def test_cron_gets_plain_lines_only(tmp_path, broker):
    first = feed(tmp_path / "a.zip", (1,))
    second = feed(tmp_path / "b.zip", (2,))
    out = io.StringIO()
    call_command(
        "openimmo_import", str(first), str(second), "--broker", "acme", "--no-report", stdout=out
    )
    text = out.getvalue()
    assert "\r" not in text and "[#" not in text
    assert [line.split(":")[0] for line in text.splitlines()] == [
        f"{first} (acme)",
        f"{second} (acme)",
    ]


def test_inbox_run_in_a_terminal_draws_a_bar_per_file(inbox, broker):
    make_account("acme", broker)
    feed(inbox / "acme" / "export.zip")
    out = Terminal()
    call_command("openimmo_import", "--no-report", stdout=out)
    text = out.getvalue()
    assert "\rexport.zip  properties 2/2 [" in text
    assert ListingPage.objects.filter(broker=broker).count() == 2
    # Not in a terminal: only the line per file.
    feed(inbox / "acme" / "again.zip", (3,))
    out = io.StringIO()
    call_command("openimmo_import", "--no-report", stdout=out)
    assert "\r" not in out.getvalue() and "again.zip" in out.getvalue()


def test_a_refused_inbox_file_makes_the_command_fail(inbox, broker):
    make_account("acme", broker)
    feed(inbox / "acme" / "good.zip")
    (inbox / "acme" / "broken.zip").write_bytes(b"PK\x03\x04 this is no ZIP")
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("openimmo_import", "--no-report", stdout=out)
    assert failed.value.returncode == 1
    assert "1 of 2 files were not imported" in str(failed.value)
    assert "good.zip (acme): imported" in out.getvalue()
    assert (inbox / ".openimmo" / "failed" / "acme" / "broken.zip.txt").exists()


def test_exit_status_from_the_command_line(tmp_path, broker, capsys, monkeypatch):
    """What cron sees: ``manage.py openimmo_import`` exits with 1 when a file failed, 0 else."""
    # run_from_argv closes every connection at the end; the test's own must stay open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    good = feed(tmp_path / "good.zip")
    # Success returns normally: the process ends with status 0.
    execute_from_command_line(
        ["manage.py", "openimmo_import", str(good), "--broker", "acme", "--no-report"]
    )
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["manage.py", "openimmo_import", str(bad), "--broker", "acme", "--no-report"]
        )
    assert exited.value.code == 1
    assert "1 of 1 files were not imported" in capsys.readouterr().err
