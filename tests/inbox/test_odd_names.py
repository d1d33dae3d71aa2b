"""File names and other values a broker chooses are shown escaped in the report mails
(issue 15, item 2, last sentence): a CR/LF or control character in a file name, an object
number or a title forges no line in the plain-text mail, and markup in them is text in the
HTML part. Real inbox folders, the real importer, the mail the broker gets."""

from __future__ import annotations

import dataclasses

import pytest
from django.core import mail

from tests.helpers import make_broker
from tests.inbox_support import make_account, zip_bytes
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import ImportRun
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db

ODD_NAME = "stock\r\nNew: 999\n<img src=x onerror=alert(1)>\x1b[2J\u2028.zip"
FORGED_LINE = "New: 999"


@pytest.fixture(autouse=True)
def no_wait(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}


def odd_upload(inbox, name=ODD_NAME):
    prop = dataclasses.replace(
        generate.demo_property(1, images=0),
        objektnr_extern="W1\nRejected: 0",
        titel="Flat <script>alert(1)</script>",
    )
    path = inbox / "acme" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zip_bytes([prop], anid="ACME-ANID"))
    return path


def the_report():
    [message] = [m for m in mail.outbox if m.to == ["acme@example.com"]]
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message, message.body, html


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_odd_file_name_is_shown_escaped_in_the_brokers_report(inbox, language):
    broker = make_broker("acme", anid="ACME-ANID")
    broker.language = language
    broker.save()
    make_account("acme", broker)
    odd_upload(inbox)
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
    message, text, html = the_report()
    lines = text.splitlines()
    # no line of the plain text starts with what the file name tried to write
    assert not [line for line in lines if line.startswith((FORGED_LINE, "Rejected: 0"))]
    assert "\x1b" not in text and "\r" not in text and "\u2028" not in text
    shown = "stock\\x0d\\x0aNew: 999\\x0a<img src=x onerror=alert(1)>\\x1b[2J\\u2028.zip"
    assert shown in text  # visibly escaped, the broker can still recognise the file
    assert "W1\\x0aRejected: 0" in text
    # the subject is one line and names the file the same way
    assert "\n" not in message.subject and shown in message.subject
    # HTML: the markup is text, and the line breaks are shown escaped as well
    assert "<img" not in html and "<script>" not in html
    assert "stock\\x0d\\x0aNew: 999\\x0a&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Flat &lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the run keeps the real name (the file is found by it)
    assert ImportRun.objects.get().file_name == ODD_NAME


def test_the_command_and_the_log_show_an_odd_file_name_escaped(inbox, caplog):
    """The operator's terminal and log get no raw line break or terminal escape either."""
    import io
    import logging

    from django.core.management import call_command

    broker = make_broker("acme", anid="ACME-ANID")
    make_account("acme", broker)
    odd_upload(inbox)
    caplog.set_level(logging.INFO, logger="wagtail_openimmo")
    out = io.StringIO()
    call_command("openimmo_import", stdout=out, no_color=True)
    printed = out.getvalue()
    assert "stock\\x0d\\x0aNew: 999\\x0a" in printed
    assert "\x1b" not in printed and not any(
        line.startswith("New: 999") for line in printed.splitlines()
    )
    logged = [r.getMessage() for r in caplog.records]
    assert any("stock\\x0d\\x0aNew: 999" in m for m in logged)
    assert not [m for m in logged if "\x1b" in m or "\r" in m]
