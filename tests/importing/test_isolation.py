"""One property's crash rejects that property; the file goes on. Whole-file failures still fail."""

import errno

import pytest
from django.db import OperationalError
from django.urls import reverse
from wagtail.images import get_image_model

from tests.importing.helpers import Anhang, Prop, media_files, small_jpeg, transfer, write_upload
from wagtail_openimmo.importing import apply, columns, import_file, isolation
from wagtail_openimmo.models import ImportRun, ImportRunEntry, ListingPage
from wagtail_openimmo.reports import render_run_report

Image = get_image_model()


class Bug(Exception):
    pass


def upload(tmp_path, *props, name="upload.zip", umfang="TEIL"):
    files = {f"bild{p.intern}.jpg": small_jpeg(int(p.intern)) for p in props}
    for prop in props:
        prop.anhaenge = [Anhang(pfad=f"bild{prop.intern}.jpg")]
    return write_upload(tmp_path / name, transfer(*props, umfang=umfang), files)


def fail_on(monkeypatch, target, name, intern, exc):
    real = getattr(target, name)

    def failing(ctx, record, *args, **kwargs):
        if record.fields.get("objektnr_intern") == intern:
            raise exc
        return real(ctx, record, *args, **kwargs)

    monkeypatch.setattr(target, name, failing)


def check_isolated(result, files_before):
    assert (result.status, result.created, result.rejected) == ("partly_imported", 2, 1)
    run = ImportRun.objects.get(pk=result.run.pk)
    assert (run.status, run.created, run.rejected) == ("partly_imported", 2, 1)
    assert sorted(ListingPage.objects.values_list("objektnr_intern", flat=True)) == ["1", "3"]
    entry = ImportRunEntry.objects.get(outcome="rejected")
    assert entry.objektnr == "E2"
    [message] = [m for m in entry.messages if m["code"] == "internal_error"]
    assert message["severity"] == "error"
    assert "Bug: the broken part" in message["traceback"]
    assert "Bug" not in message["message"]  # the broker reads no traceback
    # the failed property's picture was stored, then deleted again with its transaction
    assert Image.objects.count() == 2 and len(media_files() - files_before) == 2


@pytest.mark.django_db
def test_a_crash_inside_one_property_rejects_only_that_one(tmp_path, broker, monkeypatch):
    """Inside a caller's transaction (as here): the property's savepoint is rolled back."""
    files_before = media_files()
    fail_on(monkeypatch, apply, "_write_page", "2", Bug("the broken part"))
    path = upload(
        tmp_path,
        Prop(intern="1", extern="E1"),
        Prop(intern="2", extern="E2"),
        Prop(intern="3", extern="E3"),
    )
    check_isolated(import_file(path, broker), files_before)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_inside_one_property_outside_a_transaction(tmp_path, monkeypatch):
    from tests.helpers import make_broker

    broker = make_broker("acme")
    files_before = media_files()
    fail_on(monkeypatch, apply, "_write_page", "2", Bug("the broken part"))
    path = upload(
        tmp_path,
        Prop(intern="1", extern="E1"),
        Prop(intern="2", extern="E2"),
        Prop(intern="3", extern="E3"),
    )
    check_isolated(import_file(path, broker), files_before)

    monkeypatch.undo()  # the bug is fixed: the next run imports the property, once
    again = import_file(path, broker)
    assert (again.created, again.unchanged, again.rejected) == (1, 2, 0)


@pytest.mark.django_db
def test_a_crash_before_anything_is_written_is_isolated_too(tmp_path, broker, monkeypatch):
    real = columns.check

    def failing(record, **kwargs):
        if record.fields.get("objektnr_intern") == "1":
            raise ZeroDivisionError("in the column check")
        return real(record, **kwargs)

    monkeypatch.setattr(columns, "check", failing)
    result = import_file(
        write_upload(tmp_path / "u.xml", transfer(Prop(intern="1"), Prop(intern="2"))), broker
    )
    assert [e.outcome for e in result.entries] == ["rejected", "created"]
    assert result.entries[0].errors[-1]["code"] == "internal_error"


@pytest.mark.django_db
def test_a_failed_update_leaves_the_listing_as_it_was(tmp_path, broker, monkeypatch):
    import_file(write_upload(tmp_path / "a.xml", transfer(Prop(titel="Alt"))), broker)
    page = ListingPage.objects.get()
    fail_on(monkeypatch, apply, "_write_page", "100", Bug("the broken part"))
    result = import_file(write_upload(tmp_path / "b.xml", transfer(Prop(titel="Neu"))), broker)
    assert (result.status, result.rejected) == ("rejected", 1)
    page.refresh_from_db()
    assert page.title == "Alt" and page.live and page.revisions.count() == 1


@pytest.mark.django_db
def test_a_voll_withdrawal_that_fails_leaves_the_listing_online(tmp_path, broker, monkeypatch):
    import_file(
        write_upload(
            tmp_path / "a.xml",
            transfer(Prop(intern="1"), Prop(intern="2"), Prop(intern="3"), Prop(intern="4")),
        ),
        broker,
    )
    real = apply.withdraw

    def failing(ctx, known, entry):
        if entry.action == "VOLL":
            raise Bug("cannot withdraw")
        return real(ctx, known, entry)

    monkeypatch.setattr(apply, "withdraw", failing)
    path = write_upload(
        tmp_path / "b.xml",
        transfer(Prop(intern="1"), Prop(intern="2"), Prop(intern="3"), umfang="VOLL"),
    )
    result = import_file(path, broker)
    assert (result.status, result.unchanged, result.rejected) == ("partly_imported", 3, 1)
    assert ListingPage.objects.filter(live=True).count() == 4
    assert result.entries[-1].errors[0]["code"] == "internal_error_withdraw"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("server closed the connection unexpectedly"),
        OSError(errno.ENOSPC, "No space left on device"),
        MemoryError(),
    ],
    ids=["database-gone", "disk-full", "memory"],
)
def test_failures_of_the_file_as_a_whole_still_fail_the_run(tmp_path, broker, monkeypatch, exc):
    fail_on(monkeypatch, apply, "process", "2", exc)
    path = write_upload(tmp_path / "u.xml", transfer(Prop(intern="1"), Prop(intern="2")))
    with pytest.raises(type(exc)):
        import_file(path, broker)
    assert ImportRun.objects.get().status == "failed"
    assert isolation.whole_file_failure(exc)


def test_what_counts_as_one_propertys_failure():
    assert not isolation.whole_file_failure(Bug())
    assert not isolation.whole_file_failure(OSError(errno.ENAMETOOLONG, "name too long"))
    assert not isolation.whole_file_failure(OverflowError("int too large for SQLite"))
    assert isolation.whole_file_failure(KeyboardInterrupt())


@pytest.mark.django_db
def test_the_traceback_is_for_the_operator_not_for_the_broker(
    tmp_path, broker, monkeypatch, client, django_user_model
):
    fail_on(monkeypatch, apply, "_write_page", "2", Bug("the broken part"))
    path = write_upload(
        tmp_path / "u.xml", transfer(Prop(intern="1", extern="E1"), Prop(intern="2", extern="E2"))
    )
    result = import_file(path, broker)
    run = ImportRun.objects.get(pk=result.run.pk)

    subject, text, html = render_run_report(run)
    assert "E2" in text and "ein interner Fehler, kein Fehler in der Datei" in text  # German
    assert "Traceback" not in text and "Traceback" not in html and "broken part" not in text

    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.com", "pw"))
    page = client.get(reverse("wagtail_openimmo_runs:inspect", args=[run.pk]))
    body = page.content.decode()
    assert "data-openimmo-traceback" in body and "Bug: the broken part" in body
