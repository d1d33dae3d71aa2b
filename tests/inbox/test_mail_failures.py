"""A mail server that is down never stops an inbox run, and nothing a mail says is lost."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import override_settings

from tests.helpers import make_broker
from tests.inbox_support import make_account, write_upload, zip_bytes
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import FTPSettings

pytestmark = pytest.mark.django_db

FAILING = "tests.mail_backends.FailingBackend"


@pytest.fixture(autouse=True)
def no_wait(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    settings.ADMINS = [("Operator", "operator@example.com")]


def test_awaiting_approval_mail_is_sent_on_a_later_run_when_it_failed(inbox, standin):
    waiting = make_broker("later", approved=False)
    make_account("later", waiting)
    path = write_upload(inbox / "later", "export.zip", zip_bytes(), mtime=time.time() - 5)
    with override_settings(EMAIL_BACKEND=FAILING):
        assert [o.status for o in process_inboxes()] == ["awaiting_approval"]
    waiting.refresh_from_db()
    assert waiting.approval_requested_at is None  # not told yet
    assert path.exists() and standin.calls == []
    for _ in range(2):
        assert [o.status for o in process_inboxes()] == ["awaiting_approval"]
    assert [m.to for m in mail.outbox] == [[waiting.email]]  # told once, when it worked


def test_unmatched_file_is_kept_even_when_the_operator_cannot_be_told(inbox, standin, broker):
    FTPSettings.objects.create(mode=FTPSettings.MODE_SHARED)
    make_account("portal")
    write_upload(inbox / "portal", "nobody.zip", zip_bytes(anid="NOBODY"), mtime=1)
    write_upload(inbox / "portal", "acme.zip", zip_bytes(anid="ACME-ANID"), mtime=2)
    with override_settings(EMAIL_BACKEND=FAILING):
        outcomes = {o.file: o.status for o in process_inboxes()}
    assert outcomes == {"nobody.zip": "unmatched", "acme.zip": "imported"}
    kept = inbox / ".openimmo" / "unmatched" / "portal"
    assert (kept / "nobody.zip").exists() and (kept / "nobody.zip.txt").exists()


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("de", "Tests: Ihre OpenImmo-Übertragungen warten auf Freigabe", "Hallo Later,"),
        ("en", "Tests: your OpenImmo uploads await approval", "Hello Later,"),
    ],
)
def test_awaiting_approval_mail_is_in_the_brokers_language(
    inbox, standin, language, subject, greeting
):
    waiting = make_broker("later", approved=False, language=language)
    make_account("later", waiting)
    write_upload(inbox / "later", "export.zip", zip_bytes(), mtime=time.time() - 5)
    process_inboxes()
    [message] = mail.outbox
    assert message.subject == subject
    assert message.body.startswith(greeting)
    assert "  - export.zip" in message.body
