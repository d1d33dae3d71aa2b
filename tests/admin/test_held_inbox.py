"""Held files with a real inbox: an unapproved broker's upload is listed, untouched, until an
operator presses "Approve broker"; the queued run (django-q sync mode) then imports it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_q.models import Task

from tests.helpers import make_broker
from tests.inbox_support import make_account, zip_bytes
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import ImportRun, ListingPage
from wagtail_openimmo.openimmo import generate

pytest.importorskip("wagtail_openimmo.importing")
pytestmark = pytest.mark.django_db

HELD = "wagtail_openimmo_held:index"


@pytest.fixture(autouse=True)
def inbox(settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    return settings.OPENIMMO_INBOX_DIR


def test_held_upload_is_listed_and_imported_after_approval(client, operator, inbox):
    newcomer = make_broker("newcomer", approved=False)
    make_account("newcomer", newcomer)
    path = inbox / "newcomer" / "first-feed.zip"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        zip_bytes([generate.demo_property(1, images=1, image_size=(16, 12))], anid="NEWCOMER-ANID")
    )
    before = path.read_bytes()
    for _ in range(2):
        assert [o.status for o in process_inboxes()] == ["awaiting_approval"]
    assert path.read_bytes() == before and not ImportRun.objects.exists()
    assert [m.to for m in mail.outbox] == [[newcomer.email]]  # told once

    client.force_login(operator)
    html = client.get(reverse(HELD)).content.decode()
    row = html.split('data-openimmo-waiting-broker="newcomer"', 1)[1].split("</tr>", 1)[0]
    assert "first-feed.zip" in row and "data-openimmo-held-file" in row
    approve = reverse("wagtail_openimmo_held:approve_broker", args=[newcomer.pk])
    assert approve in row

    response = client.post(approve)
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.import_approved
    [task] = Task.objects.filter(func="wagtail_openimmo.tasks.process_inboxes")
    assert task.success and [r["status"] for r in task.result] == ["imported"]
    assert ListingPage.objects.filter(broker=newcomer, live=True).count() == 1
    assert not path.exists()
    assert "first-feed.zip" not in client.get(reverse(HELD)).content.decode()


def booked_only(broker):
    """A portal's approval policy: only brokers with a booked package may import."""
    return broker.slug == "booked", "No listing package booked."


def test_brokers_the_policy_approves_are_not_listed_as_waiting(client, operator, settings):
    settings.WAGTAIL_OPENIMMO = {
        "INBOX_STABLE_SECONDS": 0,
        "APPROVAL_POLICY": "tests.admin.test_held_inbox.booked_only",
    }
    make_broker("booked", approved=False)
    make_broker("unbooked", approved=False)
    client.force_login(operator)
    html = client.get(reverse(HELD)).content.decode()
    assert 'data-openimmo-waiting-broker="unbooked"' in html
    assert 'data-openimmo-waiting-broker="booked"' not in html
