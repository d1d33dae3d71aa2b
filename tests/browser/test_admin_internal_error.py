"""A property the importer failed on, as the operator sees it: German admin, wide and narrow."""

from __future__ import annotations

import pytest
from wagtail.users.models import UserProfile

from tests.browser.conftest import SCREENSHOTS
from tests.importing.helpers import Prop, transfer, write_upload
from wagtail_openimmo.importing import apply, import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_operator_reads_the_traceback_of_a_property_the_import_failed_on(
    chromium, live_server, django_user_model, broker, monkeypatch, tmp_path
):
    real = apply._write_page

    def failing(ctx, record, *args, **kwargs):
        if record.fields.get("objektnr_intern") == "2":
            raise RuntimeError("Bildbibliothek nicht ladbar")
        return real(ctx, record, *args, **kwargs)

    monkeypatch.setattr(apply, "_write_page", failing)
    path = write_upload(
        tmp_path / "acme-20261203.xml",
        transfer(Prop(intern="1", extern="W1"), Prop(intern="2", extern="W2", titel="Altbau")),
    )
    result = import_file(path, broker)
    assert (result.status, result.created, result.rejected) == ("partly_imported", 1, 1)

    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw-123")
    UserProfile.get_for_user(admin).__class__.objects.filter(user=admin).update(
        preferred_language="de"
    )
    context = chromium(locale="de-DE")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pw-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    for name, size in (("wide", (1366, 900)), ("narrow", (390, 844))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.goto(f"{live_server.url}/admin/openimmo/runs/inspect/{result.run.pk}/")
        row = page.locator("[data-outcome=rejected]")
        text = row.inner_text()
        assert "Das Portal ist an diesem Objekt gescheitert" in text, text
        assert "RuntimeError" not in text  # folded away until the operator opens it
        row.get_by_text("Technische Einzelheiten für den Betreiber").click()
        assert "RuntimeError: Bildbibliothek nicht ladbar" in row.inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size[0] + 1 or name == "narrow", width  # the wide page does not scroll
        page.screenshot(path=str(SCREENSHOTS / f"admin-internal-error-{name}.png"), full_page=True)
