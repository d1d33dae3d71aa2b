"""aktion CHANGE / DELETE / REFERENZ, in-place updates, editors' changes, rejection, quota."""

from decimal import Decimal

import pytest
from wagtail.models import PageLogEntry

from tests.importing.helpers import Prop, openimmo_settings, transfer, write_upload
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ImportRun, ImportRunEntry, ListingPage

pytestmark = pytest.mark.django_db


def run_import(tmp_path, broker, *props, name="upload.xml", **kwargs):
    options = {k: kwargs.pop(k) for k in ("dry_run", "force") if k in kwargs}
    path = write_upload(tmp_path / name, transfer(*props, **kwargs))
    return import_file(path, broker, **options)


def line_of(xml: bytes, text: str, occurrence: int = 1) -> int:
    lines = xml.decode().splitlines()
    seen = 0
    for number, line in enumerate(lines, start=1):
        if text in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(text)


def test_change_creates_a_published_page_with_a_revision(tmp_path, broker):
    result = run_import(tmp_path, broker, Prop(intern="7", extern="W-7", kaufpreis="199000.5"))
    assert result.status == ImportRun.Status.IMPORTED and result.created == 1
    page = ListingPage.objects.get()
    assert page.get_parent().id == broker.index_page_id
    assert page.live and page.imported and page.broker_id == broker.id
    assert page.title == "Schöne Wohnung" and page.slug == "schoene-wohnung-w-7"
    assert page.kaufpreis == Decimal("199000.50") and page.preis == Decimal("199000.50")
    assert page.ort == "Mainz" and page.objektnr_intern == "7"
    assert page.openimmo_data["tag"] == "immobilie" and len(page.openimmo_fingerprint) == 64
    assert page.revisions.count() == 1 and page.live_revision_id is not None
    assert PageLogEntry.objects.filter(page=page, action="wagtail.create").exists()
    run = result.run
    assert run.status == "imported" and run.created == 1 and run.broker_id == broker.id
    entry = ImportRunEntry.objects.get(run=run)
    assert (entry.objektnr, entry.outcome, entry.listing_id) == ("W-7", "created", page.id)


def test_update_edits_the_same_page_with_a_new_revision(tmp_path, broker):
    run_import(tmp_path, broker, Prop(kaufpreis="250000"))
    page = ListingPage.objects.get()
    url = page.url
    result = run_import(tmp_path, broker, Prop(kaufpreis="240000", titel="Neuer Titel"))
    assert (result.created, result.updated) == (0, 1)
    updated = ListingPage.objects.get()
    assert updated.id == page.id and updated.url == url  # slug made once, at creation
    assert updated.kaufpreis == Decimal("240000") and updated.title == "Neuer Titel"
    assert updated.revisions.count() == 2
    assert updated.live_revision_id != page.live_revision_id


def test_update_keeps_a_slug_an_editor_changed(tmp_path, broker):
    run_import(tmp_path, broker, Prop(kaufpreis="250000"))
    page = ListingPage.objects.get()
    page.slug = "editors-choice"
    page.save_revision().publish()
    run_import(tmp_path, broker, Prop(kaufpreis="1"))
    page.refresh_from_db()
    assert page.slug == "editors-choice" and page.kaufpreis == Decimal("1")


def test_fields_the_broker_stops_sending_are_cleared_unless_an_editor_changed_them(
    tmp_path, broker
):
    run_import(tmp_path, broker, Prop(lage="Ruhige Lage", dreizeiler="Drei Zeilen"))
    page = ListingPage.objects.get()
    page.lage = "Von der Redaktion geprüft"
    page.save_revision().publish()

    run_import(tmp_path, broker, Prop(lage=None, dreizeiler=None, wohnflaeche="81"))
    page.refresh_from_db()
    assert page.lage == "Von der Redaktion geprüft"  # the editor's value stays
    assert page.dreizeiler is None  # the broker's own value went with it
    assert page.wohnflaeche == Decimal("81")

    run_import(tmp_path, broker, Prop(lage="Neue Lage vom Makler"))
    page.refresh_from_db()
    assert page.lage == "Neue Lage vom Makler"  # a value the broker sends always wins


def test_editors_fields_that_are_no_part_of_openimmo_are_kept_on_update(tmp_path, broker):
    run_import(tmp_path, broker, Prop(kaufpreis="250000"))
    page = ListingPage.objects.get()
    page.seo_title = "Traumwohnung am Rhein"
    page.search_description = "Von der Redaktion geschrieben"
    page.show_in_menus = True
    page.save_revision().publish()
    result = run_import(tmp_path, broker, Prop(kaufpreis="245000"))
    assert result.updated == 1
    page = ListingPage.objects.get()
    assert page.kaufpreis == Decimal("245000")
    assert (page.seo_title, page.search_description, page.show_in_menus) == (
        "Traumwohnung am Rhein",
        "Von der Redaktion geschrieben",
        True,
    )
    # and the revision the import published carries them too
    latest = page.get_latest_revision_as_object()
    assert latest.seo_title == "Traumwohnung am Rhein" and latest.kaufpreis == Decimal("245000")


def test_an_editors_unpublished_draft_survives_an_update(tmp_path, broker, django_user_model):
    from tests.importing.helpers import count_writes

    editor = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    run_import(tmp_path, broker, Prop(kaufpreis="250000", lage=None, dreizeiler="Alt"))
    page = ListingPage.objects.get()
    page.lage = "Entwurf der Redaktion"
    page.seo_title = "Entwurf SEO"
    page.save_revision(user=editor)  # saved, not published

    result = run_import(tmp_path, broker, Prop(kaufpreis="240000", lage=None, dreizeiler=None))
    assert result.updated == 1
    page = ListingPage.objects.get()
    # the broker's change is live, without the editor's unfinished draft
    assert page.kaufpreis == Decimal("240000") and page.lage is None and page.seo_title == ""
    assert page.dreizeiler is None
    # the editor's draft is still what the editor opens, with the broker's change merged in
    assert page.has_unpublished_changes and page.latest_revision.user == editor
    draft = page.get_latest_revision_as_object()
    assert (draft.lage, draft.seo_title) == ("Entwurf der Redaktion", "Entwurf SEO")
    assert draft.kaufpreis == Decimal("240000") and draft.dreizeiler is None
    assert draft.openimmo_fingerprint == page.openimmo_fingerprint

    with count_writes() as writes:  # the same file again: still nothing to do
        again = run_import(tmp_path, broker, Prop(kaufpreis="240000", lage=None, dreizeiler=None))
    assert again.unchanged == 1 and writes.queries == []

    page.get_latest_revision().publish()  # the editor finishes the draft
    page = ListingPage.objects.get()
    assert (page.lage, page.kaufpreis) == ("Entwurf der Redaktion", Decimal("240000"))


def test_a_draft_that_cannot_be_kept_does_not_stop_the_import(
    tmp_path, broker, django_user_model, monkeypatch, caplog
):
    from wagtail_openimmo.importing import apply

    editor = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    run_import(tmp_path, broker, Prop(kaufpreis="250000"))
    page = ListingPage.objects.get()
    page.seo_title = "Entwurf"
    page.save_revision(user=editor)

    def broken(*args, **kwargs):
        ListingPage.objects.filter(pk=page.pk).update(seo_title="half-written")
        raise ValueError("cannot read the draft")

    monkeypatch.setattr(apply, "carry_draft", broken)
    result = run_import(tmp_path, broker, Prop(kaufpreis="240000"))
    assert result.updated == 1 and result.rejected == 0
    page = ListingPage.objects.get()
    assert page.kaufpreis == Decimal("240000") and page.seo_title == ""  # savepoint undone
    assert "could not be kept" in caplog.text


def test_delete_withdraws_by_unpublishing(tmp_path, broker):
    run_import(tmp_path, broker, Prop())
    page = ListingPage.objects.get()
    result = run_import(tmp_path, broker, Prop(aktion="DELETE", titel=None, ort=None))
    assert result.withdrawn == 1 and result.status == "imported"
    page.refresh_from_db()
    assert not page.live and page.withdrawn_at is not None
    assert PageLogEntry.objects.filter(page=page, action="wagtail.unpublish").exists()
    again = run_import(tmp_path, broker, Prop(aktion="DELETE", titel=None, ort=None))
    assert (again.withdrawn, again.unchanged) == (0, 1)


def test_delete_mode_deletes_the_page(tmp_path, broker, django_capture_on_commit_callbacks):
    from wagtail.images import get_image_model

    from tests.importing.helpers import Anhang, small_jpeg, storage_files

    before = storage_files()
    with_picture = Prop(anhaenge=[Anhang("a.jpg", "TITELBILD")])
    path = write_upload(tmp_path / "a.zip", transfer(with_picture), {"a.jpg": small_jpeg(1)})
    assert import_file(path, broker).images_created == 1
    assert len(storage_files() - before) == 1
    with (
        openimmo_settings(WITHDRAW_MODE="delete"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = run_import(tmp_path, broker, Prop(aktion="delete"))
    assert result.withdrawn == 1 and result.files_removed == 1
    assert not ListingPage.objects.exists()
    assert ImportRunEntry.objects.get(run=result.run).listing_id is None
    # the deleted listing's picture went with it, from the database and from storage
    assert not get_image_model().objects.exists() and storage_files() == before


def test_referenz_keeps_a_published_reference_object(tmp_path, broker):
    run_import(tmp_path, broker, Prop())
    result = run_import(tmp_path, broker, Prop(aktion="REFERENZ"))
    assert result.updated == 1
    page = ListingPage.objects.get()
    assert page.is_reference and page.live and page.withdrawn_at is None
    back = run_import(tmp_path, broker, Prop(aktion="CHANGE"))
    assert back.updated == 1 and not ListingPage.objects.get().is_reference


def test_delete_then_update_in_one_upload(tmp_path, broker):
    run_import(tmp_path, broker, Prop(kaufpreis="1000"))
    page = ListingPage.objects.get()
    result = run_import(tmp_path, broker, Prop(aktion="DELETE"), Prop(kaufpreis="2000"))
    assert [e.outcome for e in result.entries] == ["withdrawn", "updated"]
    page.refresh_from_db()
    assert page.live and page.withdrawn_at is None and page.kaufpreis == Decimal("2000")
    assert ListingPage.objects.count() == 1


def test_change_then_delete_in_one_upload(tmp_path, broker):
    result = run_import(tmp_path, broker, Prop(), Prop(aktion="DELETE"))
    assert [e.outcome for e in result.entries] == ["created", "withdrawn"]
    page = ListingPage.objects.get()
    assert not page.live and page.withdrawn_at is not None


def test_delete_of_an_unknown_property_is_skipped_with_a_warning(tmp_path, broker):
    result = run_import(tmp_path, broker, Prop(intern="nope", aktion="DELETE"))
    assert result.skipped == 1 and result.status == "imported"
    assert [w["code"] for w in result.warnings if w["objektnr"]] == ["delete_unknown"]


@openimmo_settings(STRICT_VALIDATION=True)  # lenient mode gives a missing title one
def test_a_bad_property_is_rejected_and_the_others_go_on(tmp_path, broker):
    run_import(tmp_path, broker, Prop(intern="1", extern="A1", kaufpreis="100"))
    xml = transfer(
        Prop(intern="1", extern="A1", titel=None, kaufpreis="999"), Prop(intern="2", extern="A2")
    )
    result = import_file(write_upload(tmp_path / "u.xml", xml), broker)
    assert result.status == ImportRun.Status.PARTLY
    assert (result.rejected, result.created) == (1, 1)
    untouched = ListingPage.objects.get(objektnr_intern="1")
    assert untouched.kaufpreis == Decimal("100") and untouched.revisions.count() == 1
    [problem] = result.as_json()["errors"]
    assert problem["objektnr"] == "A1" and problem["code"] == "title_missing"
    assert problem["line"] == line_of(xml, "<freitexte>", 1)
    assert "objekttitel" in problem["message"]
    entry = ImportRunEntry.objects.get(run=result.run, objektnr="A1")
    assert entry.outcome == "rejected" and entry.messages[0]["template"]


def test_a_file_whose_every_property_is_rejected_is_rejected(tmp_path, broker):
    result = run_import(
        tmp_path, broker, Prop(intern=None, extern=None), Prop(intern="2", aktion="MOVE")
    )
    assert result.status == ImportRun.Status.REJECTED and result.rejected == 2
    assert not result.refused and not ListingPage.objects.exists()


def test_a_needed_value_the_column_cannot_hold_rejects_the_property(tmp_path, broker):
    # a sale without its price cannot be shown (see test_column_fit.py for the others)
    result = run_import(tmp_path, broker, Prop(kaufpreis="12345678901234567"))
    assert result.rejected == 1
    assert result.errors[0]["code"] == "number_out_of_range"
    assert "kaufpreis" in result.errors[0]["path"]


def test_quota_rejects_new_live_listings_beyond_it(tmp_path, broker):
    broker.live_listing_quota = 1
    broker.save()
    result = run_import(
        tmp_path, broker, Prop(intern="1"), Prop(intern="2"), Prop(intern="3", aktion="REFERENZ")
    )
    assert [e.outcome for e in result.entries] == ["created", "rejected", "created"]
    assert result.errors[0]["code"] == "quota_exceeded"
    assert "1" in result.errors[0]["message"]
    # updating an existing live listing is always allowed
    again = run_import(tmp_path, broker, Prop(intern="1", kaufpreis="5"))
    assert again.updated == 1


def test_a_withdrawn_listing_comes_back_with_the_next_change(tmp_path, broker):
    run_import(tmp_path, broker, Prop())
    run_import(tmp_path, broker, Prop(aktion="DELETE"))
    result = run_import(tmp_path, broker, Prop())
    page = ListingPage.objects.get()
    assert result.updated == 1 and page.live and page.withdrawn_at is None


def test_a_listing_an_editor_took_offline_stays_offline(tmp_path, broker):
    run_import(tmp_path, broker, Prop(kaufpreis="100"))
    page = ListingPage.objects.get()
    page.unpublish()
    result = run_import(tmp_path, broker, Prop(kaufpreis="200"))
    page.refresh_from_db()
    assert result.updated == 1 and not page.live and page.kaufpreis == Decimal("200")
    assert "listing_hidden" in [w["code"] for w in result.warnings]
    assert run_import(tmp_path, broker, Prop(kaufpreis="200")).unchanged == 1
