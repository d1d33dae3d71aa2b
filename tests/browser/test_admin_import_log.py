"""The import log in a real browser: log in, open the log, open a run, run an import now.

Playwright drives Debian's ``chromium`` (``/usr/bin/chromium``, installed by ``.ci/run``).
Without it the test is skipped with the reason, unless ``OPENIMMO_REQUIRE_BROWSER=1`` (CI),
where a missing browser is a failure. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.inbox_support import zip_bytes
from tests.runs import KAUFPREIS_EN, make_listing, make_run, reader_findings
from wagtail_openimmo.models import ImportRun
from wagtail_openimmo.openimmo import generate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("OPENIMMO_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    if os.environ.get("OPENIMMO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"OPENIMMO_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous (the documented workaround for Django with Playwright).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="openimmo-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="en-GB",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(20_000)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def shot(page, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-import-log-{name}.png"), full_page=True)


def test_admin_opens_the_import_log_and_a_run_and_runs_an_import(
    page, live_server, django_user_model, broker, settings, tmp_path
):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "secret-pw")
    # An upload an external FTP server left in the broker's folder: "Run import now" takes it.
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}
    upload = settings.OPENIMMO_INBOX_DIR / broker.slug / "fresh-upload.zip"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(
        zip_bytes([generate.demo_property(7, images=1, image_size=(16, 12))], anid="ACME-ANID",
                  umfang="TEIL")
    )
    listing = make_listing(broker, "W00001", "Helle Wohnung in Hamburg")
    run = make_run(broker, status=ImportRun.Status.PARTLY, file_name="acme-20261101.zip",
                   entries=[
                       {"objektnr": "W00000", "title": "Wohnung in Berlin", "action": "CHANGE",
                        "outcome": "rejected", "line": 2,
                        "messages": reader_findings(0, drop=("kaufpreis",))},
                       {"objektnr": "W00001", "title": listing.title, "action": "CHANGE",
                        "outcome": "created", "line": 40, "listing": listing},
                   ])

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    # The dashboard panel shows the run.
    panel = page.locator("[data-openimmo-dashboard]")
    assert "acme-20261101.zip" in panel.inner_text()
    shot(page, "1-dashboard")

    # Through the menu: OpenImmo → Import runs.
    page.get_by_role("button", name="OpenImmo").click()
    page.get_by_role("link", name="Import runs", exact=True).click()
    page.wait_for_url("**/admin/openimmo/runs/")
    assert page.get_by_role("link", name="acme-20261101.zip").is_visible()
    shot(page, "2-index")

    page.get_by_role("link", name="acme-20261101.zip").click()
    page.wait_for_url(f"**/admin/openimmo/runs/inspect/{run.pk}/")
    log = page.locator("[data-openimmo-log]")
    text = log.inner_text()
    assert "W00000" in text
    assert KAUFPREIS_EN in text
    edit = log.get_by_role("link", name="Edit")
    assert edit.get_attribute("href") == f"/admin/pages/{listing.pk}/edit/"
    shot(page, "3-run")

    page.goto(f"{live_server.url}/admin/openimmo/runs/")
    page.click("[data-openimmo-run-now]")
    page.wait_for_url("**/admin/openimmo/runs/")
    message = page.locator(".messages").inner_text()
    assert "Import queued" in message, message
    # django-q runs in sync mode in the tests: the queued scan has imported the upload, and
    # the log the browser is back on lists its run.
    assert page.get_by_role("link", name="fresh-upload.zip").is_visible()
    [fresh] = ImportRun.objects.filter(file_name="fresh-upload.zip")
    assert fresh.status == ImportRun.Status.IMPORTED and fresh.created == 1
    assert not upload.exists()
    shot(page, "4-run-now")
