"""A run imported by an English-speaking worker, read in the German admin (issue 13).

The summary and the hold reason are rendered in the editor's language; screenshots of the
run page at desktop and phone width go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.utils import translation
from wagtail.users.models import UserProfile

from tests.browser.conftest import SCREENSHOTS
from tests.importing.helpers import Prop, transfer, write_upload
from wagtail_openimmo.importing import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GAPS = Path(__file__).resolve().parents[1] / "fixtures" / "openimmo" / "gaps"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def login(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_german_editor_reads_an_english_workers_runs_in_german(
    chromium, live_server, django_user_model, broker, tmp_path
):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "secret-pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    with translation.override("en"):  # the worker; 3 listings from mixed.xml, 4 more
        mixed = import_file(Path(shutil.copy(GAPS / "mixed.xml", tmp_path / "mixed.xml")), broker)
        import_file(write_upload(tmp_path / "stock.xml", transfer(
            *[Prop(intern=str(i), extern=f"E{i}") for i in range(4)])), broker)
        held = import_file(
            write_upload(tmp_path / "voll.xml", transfer(Prop(intern="0", extern="E0"),
                                                         umfang="VOLL")),
            broker,
        )
    assert held.status == "held"

    context = chromium(locale="de-DE")
    page = context.new_page()
    login(page, live_server)
    for name, run in (("partly", mixed.run), ("held", held.run)):
        page.goto(f"{live_server.url}/admin/openimmo/runs/inspect/{run.pk}/")
        text = page.inner_text("main")
        if name == "partly":
            assert "1 von 4 Objekten wurden abgelehnt; siehe die Fehler." in text
            assert "of 4 properties were rejected" not in text
            assert "Der Titel fehlt (freitexte/objekttitel)" in text
        else:
            assert "Diese Vollübertragung (VOLL) würde 6 Ihrer 7" in text
            assert "This full transfer" not in text
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(
                path=str(SCREENSHOTS / f"admin-run-{name}-de-{size}.png"), full_page=True
            )
            # nothing wider than the screen on a phone
            if size == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/openimmo/held/")
    assert "Diese Vollübertragung (VOLL) würde 6 Ihrer 7" in page.inner_text("main")
