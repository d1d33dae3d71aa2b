"""The pipeline in the German admin, in a real browser: the inbox overview (a waiting and a
damaged file before any import ran), upload → preview → confirm → run page, the FTP panel,
and plain labels (no True/False/CHANGE) on the broker list and the run detail.

Screenshots of the new pages go to ``docs/screenshots/`` at 1366×900 and 390×844.
"""

from __future__ import annotations

import re
import time

import pytest
from wagtail.users.models import UserProfile

from tests.browser.conftest import docs_screenshots as docs_shots
from tests.helpers import make_broker
from tests.inbox_support import make_account, write_upload, zip_bytes
from tests.runs import make_listing, make_run
from wagtail_openimmo.models import ImportRun
from wagtail_openimmo.openimmo import generate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def german_admin(chromium, live_server, django_user_model, settings, tmp_path):
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 60, "FTP_PUBLIC_HOST": "ftp.example.net"}
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "secret-pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    page = chromium(locale="de-DE").new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def visible_text(page) -> str:
    return page.locator("main").inner_text()


def test_inbox_overview_shows_waiting_and_damaged_files_before_any_import(
    german_admin, live_server, settings
):
    page = german_admin
    acme = make_broker("acme", name="Acme Immobilien")
    make_account("acme", acme)
    folder = settings.OPENIMMO_INBOX_DIR / "acme"
    ten_minutes_ago = time.time() - 600
    write_upload(folder, "acme-20261203-0800.zip", zip_bytes(), mtime=ten_minutes_ago)
    write_upload(folder, "acme-20261203-0900.zip", zip_bytes()[:300], mtime=ten_minutes_ago)
    write_upload(folder, "acme-20261203-0915.zip", zip_bytes())

    page.get_by_role("button", name="OpenImmo").click()
    page.get_by_role("list", name="OpenImmo").get_by_role("link", name="Posteingang").click()
    page.wait_for_url("**/admin/openimmo/inbox/")
    waiting = page.locator('[data-openimmo-file="acme-20261203-0800.zip"]')
    assert waiting.get_attribute("data-state") == "queued"
    # (status tags are shown in capitals)
    assert "in der warteschlange" in waiting.inner_text().lower()
    damaged = page.locator('[data-openimmo-file="acme-20261203-0900.zip"]')
    assert damaged.get_attribute("data-state") == "damaged"
    assert "beschädigt" in damaged.inner_text().lower()
    assert "unvollständig" in damaged.inner_text()
    settling = page.locator('[data-openimmo-file="acme-20261203-0915.zip"]')
    assert "wartet auf das ende des uploads" in settling.inner_text().lower()
    assert "vor 10 Minuten" in waiting.inner_text()
    assert not ImportRun.objects.exists()
    docs_shots(page, "admin-inbox")


def test_upload_preview_confirm_and_run_page(german_admin, live_server):
    page = german_admin
    acme = make_broker("acme", name="Acme Immobilien")
    properties = [generate.demo_property(i, images=1, image_size=(16, 12)) for i in range(3)]
    data = zip_bytes(properties, anid="ACME-ANID", umfang="TEIL")

    page.goto(f"{live_server.url}/admin/snippets/wagtail_openimmo/broker/edit/{acme.pk}/")
    page.get_by_role("link", name="Datei hochladen").click()
    page.wait_for_url(f"**/admin/openimmo/broker/{acme.pk}/upload/")
    docs_shots(page, "admin-upload")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "acme-feed.zip", "mimeType": "application/zip", "buffer": data}],
    )
    page.get_by_role("button", name="Vorschau zeigen").click()
    preview = page.locator("[data-openimmo-preview]")
    preview.wait_for()
    assert re.search(r"3\s+neu", preview.locator("[data-openimmo-preview-counts]").inner_text())
    assert "Neu" in preview.locator("[data-openimmo-preview-log]").inner_text()
    assert not ImportRun.objects.exists()
    docs_shots(page, "admin-upload-preview")

    page.locator("[data-openimmo-confirm]").click()
    page.wait_for_url(f"**/admin/openimmo/broker/{acme.pk}/import/*/")
    link = page.locator("[data-openimmo-run-link]")
    link.wait_for(state="visible")
    counts = page.locator("[data-openimmo-counts]").inner_text()
    assert re.search(r"3\s+neu", counts), counts
    docs_shots(page, "admin-upload-progress")
    link.click()
    [run] = ImportRun.objects.all()
    page.wait_for_url(f"**/admin/openimmo/runs/inspect/{run.pk}/")
    assert re.search(r"3\s+angelegt|3\s+neu", page.locator("[data-openimmo-counts]").inner_text())
    assert run.created == 3


def test_an_upload_left_at_its_preview_is_on_the_inbox_overview(german_admin, live_server):
    """An editor previews a file and walks away: the inbox overview lists it with its state
    ("previewed, not imported", deleted after a day), who uploaded it, and Import/Discard."""
    page = german_admin
    acme = make_broker("acme", name="Acme Immobilien")
    make_account("acme", acme)
    properties = [generate.demo_property(i, images=0) for i in range(2)]
    data = zip_bytes(properties, anid="ACME-ANID", umfang="TEIL")
    page.goto(f"{live_server.url}/admin/openimmo/broker/{acme.pk}/upload/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "acme-nachtrag.zip", "mimeType": "application/zip", "buffer": data}],
    )
    page.get_by_role("button", name="Vorschau zeigen").click()
    page.locator("[data-openimmo-preview]").wait_for()

    page.goto(f"{live_server.url}/admin/openimmo/inbox/")
    row = page.locator('[data-openimmo-admin-uploads] [data-openimmo-file="acme-nachtrag.zip"]')
    assert row.get_attribute("data-state") == "previewed"
    text = row.inner_text()
    assert "vorschau angesehen, nicht importiert" in text.lower()
    assert "Acme Immobilien" in text and "von admin" in text
    assert "wird in 23 Stunden gelöscht" in text or "wird in 1 Tag gelöscht" in text, text
    docs_shots(page, "admin-inbox-admin-uploads")

    row.get_by_role("button", name="Importieren").click()
    page.wait_for_url(f"**/admin/openimmo/broker/{acme.pk}/import/*/")
    [run] = ImportRun.objects.all()
    assert run.created == 2 and run.status == ImportRun.Status.IMPORTED
    page.goto(f"{live_server.url}/admin/openimmo/inbox/")
    assert page.locator("[data-openimmo-admin-uploads]").count() == 0


def test_ftp_panel(german_admin, live_server):
    page = german_admin
    acme = make_broker("acme", name="Acme Immobilien")
    make_account("acme-ftp", acme)
    page.goto(f"{live_server.url}/admin/snippets/wagtail_openimmo/broker/edit/{acme.pk}/")
    page.get_by_role("link", name="FTP-Zugang").click()
    page.wait_for_url(f"**/admin/openimmo/broker/{acme.pk}/ftp/")
    panel = page.locator("[data-openimmo-ftp]")
    text = panel.inner_text()
    assert "ftp.example.net" in text and "acme-ftp" in text and "Passiver Modus" in text
    docs_shots(page, "admin-ftp-access")
    page.locator("[data-openimmo-ftp-send]").click()
    page.wait_for_url(f"**/admin/openimmo/broker/{acme.pk}/ftp/")
    message = page.locator(".messages").inner_text()
    assert "Das neue Passwort von acme-ftp ist:" in message


def test_broker_list_and_run_detail_have_plain_labels(german_admin, live_server):
    page = german_admin
    acme = make_broker("acme", name="Acme Immobilien")
    make_broker("neu", name="Neuer Makler", approved=False)
    listing = make_listing(acme, "W00001", "Helle Wohnung in Hamburg")
    run = make_run(
        acme,
        status=ImportRun.Status.PARTLY,
        file_name="acme-20261101.zip",
        entries=[
            {
                "objektnr": "W00001",
                "title": listing.title,
                "action": "CHANGE",
                "outcome": "created",
                "line": 2,
                "listing": listing,
            },
            {
                "objektnr": "W00002",
                "title": "Büro in Köln",
                "action": "CHANGE",
                "outcome": "updated",
                "line": 2,
            },
            {
                "objektnr": "W00003",
                "title": "Haus in Bremen",
                "action": "DELETE",
                "outcome": "withdrawn",
                "line": 2,
            },
        ],
    )
    page.goto(f"{live_server.url}/admin/snippets/wagtail_openimmo/broker/")
    text = visible_text(page)
    for word in ("True", "False"):
        assert word not in text
    assert "Ja" in text and "Nein" in text
    docs_shots(page, "admin-brokers")

    page.goto(f"{live_server.url}/admin/openimmo/runs/inspect/{run.pk}/")
    text = visible_text(page)
    for word in ("True", "False", "CHANGE", "DELETE", "Zeile 2"):
        assert word not in text, word
    log = page.locator("[data-openimmo-log]").inner_text()
    assert "Zeile" not in log  # a one-line file: every property on line 2 says nothing
    assert "Neu" in log and "Änderung" in log and "Löschung" in log
    docs_shots(page, "admin-run-detail")
