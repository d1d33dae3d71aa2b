"""The admin's OpenImmo menu, import log, held files, "run import now" and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_q.models import Task
from wagtail.test.utils import WagtailTestUtils
from wagtail.users.models import UserProfile

from tests.runs import KAUFPREIS_DE, KAUFPREIS_EN, make_listing, make_run, reader_findings
from wagtail_openimmo.models import Broker, ImportRun, ListingPage

pytestmark = pytest.mark.django_db

INDEX = "wagtail_openimmo_runs:index"
HELD = "wagtail_openimmo_held:index"


def runs_url(**query):
    url = reverse(INDEX)
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def inspect_url(run):
    return reverse("wagtail_openimmo_runs:inspect", args=[run.pk])


@pytest.fixture
def partly(broker):
    page = make_listing(broker, "W00001", "Helle Wohnung in Hamburg")
    return make_run(broker, status=ImportRun.Status.PARTLY, file_name="acme-1.zip", entries=[
        {"objektnr": "W00000", "title": "Wohnung in Berlin", "action": "CHANGE",
         "outcome": "rejected", "line": 2, "messages": reader_findings(0, drop=("kaufpreis",))},
        {"objektnr": "W00001", "title": page.title, "action": "CHANGE", "outcome": "created",
         "line": 40, "listing": page},
    ])


class TestMenuAndPermissions(WagtailTestUtils):
    def test_superuser_sees_the_openimmo_menu(self, client, superuser):
        client.force_login(superuser)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        for label in ("OpenImmo", "Brokers", "Import runs", "Held files"):
            assert label in html

    def test_plain_editor_sees_nothing_of_the_app_but_edits_listing_pages(
        self, client, editor, partly
    ):
        client.force_login(editor)
        home = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "Import runs" not in home and "Held files" not in home
        assert "data-openimmo-dashboard" not in home  # no dashboard panel
        for url in (runs_url(), inspect_url(partly), reverse(HELD)):
            response = client.get(url)
            assert response.status_code in (302, 403), url
        response = client.post(reverse("wagtail_openimmo_runs:run_now"))
        assert response.status_code in (302, 403)
        assert not Task.objects.exists()
        # Listing pages are ordinary pages for editors.
        page = ListingPage.objects.get(objektnr_extern="W00001")
        assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200

    def test_view_permission_shows_the_log_without_the_run_button(
        self, client, log_viewer, partly
    ):
        client.force_login(log_viewer)
        response = client.get(runs_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "acme-1.zip" in html
        assert "data-openimmo-run-now" not in html
        assert client.get(inspect_url(partly)).status_code == 200
        refused = client.post(reverse("wagtail_openimmo_runs:run_now"))
        assert (refused.status_code, refused.get("Location")) in ((403, None), (302, "/admin/"))
        assert not Task.objects.exists()
        home = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "data-openimmo-dashboard" in home

    def test_the_log_is_read_only_even_for_superusers(self, client, superuser, partly):
        client.force_login(superuser)
        html = client.get(runs_url()).content.decode()
        assert "/admin/openimmo/runs/new/" not in html
        assert client.get("/admin/openimmo/runs/new/").status_code == 404
        assert client.get(f"/admin/openimmo/runs/edit/{partly.pk}/").status_code == 404
        assert client.get(f"/admin/openimmo/runs/delete/{partly.pk}/").status_code == 404

    def test_group_edit_page_offers_the_apps_permissions(self, client, superuser):
        client.force_login(superuser)
        html = client.get(reverse("wagtailusers_groups:add")).content.decode()
        assert "Can start imports and approve held files" in html


class TestImportLog(WagtailTestUtils):
    def test_filters_by_broker_status_and_date(self, client, superuser, broker, other_broker):
        client.force_login(superuser)
        make_run(broker, file_name="a-ok.zip")
        make_run(other_broker, file_name="b-failed.zip", status=ImportRun.Status.FAILED)
        old = make_run(broker, file_name="a-old.zip", status=ImportRun.Status.REJECTED)
        ImportRun.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - dt.timedelta(days=10)
        )

        def files(**query):
            html = client.get(runs_url(**query)).content.decode()
            return {n for n in ("a-ok.zip", "b-failed.zip", "a-old.zip") if n in html}

        assert files() == {"a-ok.zip", "b-failed.zip", "a-old.zip"}
        assert files(broker=broker.pk) == {"a-ok.zip", "a-old.zip"}
        assert files(status="failed") == {"b-failed.zip"}
        since = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
        assert files(created_at_from=since) == {"a-ok.zip", "b-failed.zip"}

    def test_run_detail_shows_counts_log_messages_and_page_links(
        self, client, superuser, partly
    ):
        client.force_login(superuser)
        html = client.get(inspect_url(partly)).content.decode()
        assert "W00000" in html and "Wohnung in Berlin" in html
        assert KAUFPREIS_EN in html
        page = ListingPage.objects.get(objektnr_extern="W00001")
        assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in html
        assert page.url in html
        rejected_only = client.get(inspect_url(partly) + "?outcome=rejected").content.decode()
        assert "W00000" in rejected_only and "W00001" not in rejected_only

    def test_messages_are_shown_in_the_admin_users_language(self, client, superuser, partly):
        profile = UserProfile.get_for_user(superuser)
        profile.preferred_language = "de"
        profile.save()
        client.force_login(superuser)
        html = client.get(inspect_url(partly)).content.decode()
        assert KAUFPREIS_DE in html

    def test_run_import_now_queues_the_inbox_task(self, client, operator):
        client.force_login(operator)
        html = client.get(runs_url()).content.decode()
        assert "data-openimmo-run-now" in html
        response = client.post(reverse("wagtail_openimmo_runs:run_now"),
                               {"next": runs_url(status="failed")})
        assert response.status_code == 302
        assert response["Location"] == runs_url(status="failed")
        # Q_CLUSTER["sync"] in the test settings: the task ran in-process and left its row.
        task = Task.objects.get()
        assert task.func == "wagtail_openimmo.tasks.process_inboxes"
        assert [str(m) for m in get_messages(response.wsgi_request)][0].startswith(
            "Import queued"
        )

    def test_run_now_refuses_a_foreign_redirect(self, client, operator):
        client.force_login(operator)
        response = client.post(reverse("wagtail_openimmo_runs:run_now"),
                               {"next": "https://evil.example/"})
        assert response["Location"] == runs_url()

    def test_dashboard_panel_lists_latest_runs_and_recent_failures(
        self, client, superuser, broker
    ):
        make_run(broker, file_name="fine.zip")
        make_run(broker, file_name="broken.zip", status=ImportRun.Status.FAILED)
        old = make_run(broker, file_name="old-broken.zip", status=ImportRun.Status.FAILED)
        ImportRun.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - dt.timedelta(days=2)
        )
        client.force_login(superuser)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "data-openimmo-dashboard" in html
        assert "1 import with problems in the last 24 hours." in html
        assert "fine.zip" in html and "broken.zip" in html


class TestHeldFiles(WagtailTestUtils):
    def test_lists_waiting_brokers_and_held_full_transfers(self, client, superuser, broker):
        waiting = Broker.objects.create(name="Newcomer", slug="newcomer",
                                        approval_requested_at=timezone.now())
        held = make_run(broker, file_name="voll.zip", status=ImportRun.Status.HELD,
                        umfang="VOLL", checksum="abc",
                        message="It would take 9 of 10 listings offline.")
        client.force_login(superuser)
        html = client.get(reverse(HELD)).content.decode()
        assert "Newcomer" in html and "voll.zip" in html
        assert reverse("wagtail_openimmo_held:approve_broker", args=[waiting.pk]) in html
        # Once the same file was imported with force, it is no longer held.
        make_run(broker, file_name="voll.zip", checksum="abc", forced=True)
        assert held.file_name not in client.get(reverse(HELD)).content.decode()

    def test_approve_broker(self, client, operator, log_viewer):
        waiting = Broker.objects.create(name="Newcomer", slug="newcomer",
                                        approval_requested_at=timezone.now())
        url = reverse("wagtail_openimmo_held:approve_broker", args=[waiting.pk])
        client.force_login(log_viewer)
        refused = client.post(url)
        assert (refused.status_code, refused.get("Location")) in ((403, None), (302, "/admin/"))
        waiting.refresh_from_db()
        assert not waiting.import_approved
        client.force_login(operator)
        response = client.post(url)
        assert response.status_code == 302
        waiting.refresh_from_db()
        assert waiting.import_approved
        assert Task.objects.filter(func="wagtail_openimmo.tasks.process_inboxes").exists()


def test_an_odd_file_name_is_shown_escaped_in_the_import_log(client, superuser, broker):
    """Issue 15, item 2: the broker's file name, object number and title with line breaks,
    control characters and markup are shown escaped in the run list, the run's page and the
    dashboard (the stored name stays as it was)."""
    odd = "stock\r\nNew: 999\n<img src=x onerror=alert(1)>\x1b.zip"
    run = make_run(broker, file_name=odd, sendersoftware="Soft\nware", entries=[
        {"objektnr": "W1\nX", "title": "Flat <script>alert(1)</script>", "action": "CHANGE",
         "outcome": "created", "line": 2},
    ])
    client.force_login(superuser)
    shown = "stock\\x0d\\x0aNew: 999\\x0a&lt;img src=x onerror=alert(1)&gt;\\x1b.zip"
    for url in (runs_url(), inspect_url(run), reverse("wagtailadmin_home")):
        html = client.get(url).content.decode()
        assert shown in html, url
        assert "<img src=x" not in html and "\x1b" not in html, url
    html = client.get(inspect_url(run)).content.decode()
    assert "Soft\\x0aware" in html and "W1\\x0aX" in html
    assert "Flat &lt;script&gt;" in html and "<script>alert" not in html
    assert ImportRun.objects.get(pk=run.pk).file_name == odd
