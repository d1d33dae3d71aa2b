"""The admin's buttons for a full transfer the mass-withdrawal guard held (issue 3, item 4).

End to end with the real inbox and importer: a VOLL upload that would withdraw most of a
broker's stock is held; an operator confirms it in the admin (the django-q task runs at once,
``Q_CLUSTER["sync"]`` is on in the test settings) or discards it.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_q.models import Task
from wagtail.test.utils import WagtailTestUtils

from tests.inbox_support import make_account, stamp, zip_bytes
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import ImportRun, ListingPage
from wagtail_openimmo.openimmo import generate

pytestmark = pytest.mark.django_db

HELD = "wagtail_openimmo_held:index"


def props(*numbers):
    return [generate.demo_property(n, images=0) for n in numbers]


def put(inbox, name, data):
    path = inbox / "acme" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def live(broker):
    return sorted(
        ListingPage.objects.filter(broker=broker, live=True).values_list(
            "objektnr_extern", flat=True
        )
    )


@pytest.fixture
def held(settings, tmp_path, broker):
    """Four live listings, then a VOLL with one of them (held) and a TEIL behind it."""
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    inbox = settings.OPENIMMO_INBOX_DIR
    make_account("acme", broker)
    put(inbox, "1.zip", zip_bytes(props(1, 2, 3, 4), anid="ACME-ANID", timestamp=stamp(0)))
    assert [o.status for o in process_inboxes()] == ["imported"]
    put(inbox, "2.zip", zip_bytes(props(1), anid="ACME-ANID", timestamp=stamp(1)))
    later = props(1)
    later[0].titel = "Neuer Titel vom Makler"
    put(inbox, "3.zip", zip_bytes(later, anid="ACME-ANID", umfang="TEIL", timestamp=stamp(2)))
    assert [o.status for o in process_inboxes()] == ["held", "waiting"]
    assert live(broker) == ["W00001", "W00002", "W00003", "W00004"]
    return ImportRun.objects.get(status=ImportRun.Status.HELD)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


class TestHeldFullTransfer(WagtailTestUtils):
    def test_the_held_list_offers_confirm_and_discard_to_operators_only(
        self, client, held, operator, log_viewer
    ):
        confirm = reverse("wagtail_openimmo_held:confirm_run", args=[held.pk])
        discard = reverse("wagtail_openimmo_held:discard_run", args=[held.pk])
        client.force_login(operator)
        html = client.get(reverse(HELD)).content.decode()
        assert "2.zip" in html and "would withdraw 3 of your 4 live listings" in html
        assert confirm in html and discard in html and "Confirm and import" in html

        client.force_login(log_viewer)
        html = client.get(reverse(HELD)).content.decode()
        assert "2.zip" in html and confirm not in html and discard not in html
        for url in (confirm, discard):
            refused = client.post(url)
            assert (refused.status_code, refused.get("Location")) in ((403, None), (302, "/admin/"))
        held.refresh_from_db()
        assert held.status == ImportRun.Status.HELD and not Task.objects.exists()

    def test_confirming_applies_the_file_with_force_and_then_the_files_behind_it(
        self, client, held, operator, broker
    ):
        client.force_login(operator)
        url = reverse("wagtail_openimmo_held:confirm_run", args=[held.pk])
        response = client.post(url)
        assert response.status_code == 302 and response["Location"] == reverse(HELD)
        assert "being imported as confirmed" in texts(response)[0]
        held.refresh_from_db()
        assert held.status == ImportRun.Status.IMPORTED and held.forced
        assert held.withdrawn == 3 and "archive" in held.file_path
        assert live(broker) == ["W00001"]
        # the TEIL that waited behind it was imported right after
        page = ListingPage.objects.get(broker=broker, objektnr_extern="W00001")
        assert page.title == "Neuer Titel vom Makler"
        assert ImportRun.objects.filter(file_name="3.zip", status="imported").exists()
        assert Task.objects.get().func == "wagtail_openimmo.tasks.confirm_held_run"
        assert (
            f'data-openimmo-held-run="{held.pk}"' not in client.get(reverse(HELD)).content.decode()
        )

        # a second click (another tab) changes nothing
        again = client.post(url)
        assert "not held for confirmation any more" in texts(again)[0]
        assert Task.objects.count() == 1 and live(broker) == ["W00001"]

    def test_discarding_sets_the_file_aside_and_changes_no_listing(
        self, client, held, operator, broker, settings
    ):
        client.force_login(operator)
        response = client.post(reverse("wagtail_openimmo_held:discard_run", args=[held.pk]))
        assert "was set aside" in texts(response)[0]
        held.refresh_from_db()
        assert held.status == ImportRun.Status.REJECTED and "operator" in held.message
        failed = settings.OPENIMMO_INBOX_DIR / ".openimmo" / "failed" / "acme" / "2.zip"
        assert held.file_path == str(failed) and failed.exists()
        assert live(broker) == ["W00001", "W00002", "W00003", "W00004"]
        assert (
            f'data-openimmo-held-run="{held.pk}"' not in client.get(reverse(HELD)).content.decode()
        )
        # the file that waited behind it goes on with the next run
        assert [o.status for o in process_inboxes()] == ["imported"]

    def test_a_file_held_by_the_command_shows_how_to_force_it(
        self, client, operator, broker, tmp_path
    ):
        from django.core.management import CommandError, call_command

        first = tmp_path / "all.zip"
        first.write_bytes(zip_bytes(props(1, 2, 3), anid="ACME-ANID"))
        call_command("openimmo_import", str(first), "--broker", "acme")
        voll = tmp_path / "voll.zip"
        voll.write_bytes(zip_bytes(props(1), anid="ACME-ANID"))
        with pytest.raises(CommandError, match="not imported"):
            call_command("openimmo_import", str(voll), "--broker", "acme")
        run = ImportRun.objects.get(status=ImportRun.Status.HELD)
        client.force_login(operator)
        html = client.get(reverse(HELD)).content.decode()
        assert "voll.zip" in html and "--force" in html
        assert reverse("wagtail_openimmo_held:confirm_run", args=[run.pk]) not in html
        response = client.post(reverse("wagtail_openimmo_held:confirm_run", args=[run.pk]))
        assert "not held for confirmation" in texts(response)[0]
        assert not Task.objects.exists()
        assert live(broker) == ["W00001", "W00002", "W00003"]
