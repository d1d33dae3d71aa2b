"""The export actions in the real admin: a broker's "Export as OpenImmo" button and the bulk
action for listings selected in the page explorer, both downloading the ZIP."""

from __future__ import annotations

import zipfile

import pytest

from tests.browser.conftest import screenshot
from tests.exporting.builders import imported_listing
from wagtail_openimmo.openimmo import read_transfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "secret-pw")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def records_in(download) -> list:
    with zipfile.ZipFile(download.path()) as zf:
        names = zf.namelist()
        xml = zf.read("openimmo.xml")
    transfer = read_transfer(xml, strict=True)
    return transfer, [r.objektnr for r in transfer.records()], names


def test_export_buttons_download_openimmo_in_the_admin(
    chromium, live_server, django_user_model, broker
):
    first = imported_listing(broker, 1, images=1)
    second = imported_listing(broker, 2, images=0)
    imported_listing(broker, 3, images=0)
    page = chromium().new_page()
    log_in(page, live_server, django_user_model)

    # 1. The broker listing: the row's "Export as OpenImmo" downloads the whole stock
    page.goto(f"{live_server.url}/admin/snippets/wagtail_openimmo/broker/")
    row = page.locator("tr", has_text=broker.name)
    row.get_by_role("button", name="More options").click()
    with page.expect_download() as info:
        row.get_by_role("link", name="Export as OpenImmo").click()
    download = info.value
    assert download.suggested_filename.startswith("openimmo-acme-")
    transfer, numbers, names = records_in(download)
    assert transfer.umfang == "VOLL"
    assert numbers == ["W00001", "W00002", "W00003"]
    assert "W00001_1.jpg" in names

    # 2. The page explorer: select two listings, "Export as OpenImmo", confirm
    page.goto(f"{live_server.url}/admin/pages/{broker.index_page_id}/")
    for listing in (first, second):
        page.locator(f"input[data-bulk-action-checkbox][data-object-id='{listing.pk}']").check()
    # the fifth bulk action: Wagtail puts it in the footer's "More" menu
    footer = page.locator("[data-bulk-action-footer]")
    # Wagtail's bulk-actions.js hooks the menu's items up when the menu says it is shown
    # ("w-dropdown:shown"); a person never clicks faster than that, a test can
    page.evaluate(
        """() => { window.moreShown = new Promise((resolve) =>
            document.addEventListener("w-dropdown:shown", resolve, { once: true })); }"""
    )
    footer.get_by_role("button", name="More").click()
    page.evaluate("() => window.moreShown.then(() => true)")
    footer.get_by_role("link", name="Export selected listings as OpenImmo").click()
    page.wait_for_url("**/bulk/wagtailcore/page/export_openimmo/**")
    assert "Export 2 listings as OpenImmo" in page.title()
    screenshot(page, "admin-export-bulk-confirm")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    transfer, numbers, names = records_in(info.value)
    assert transfer.umfang == "TEIL"
    assert numbers == ["W00001", "W00002"]
    assert names == ["W00001_1.jpg", "openimmo.xml"]
