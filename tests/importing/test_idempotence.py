"""Importing the same file again writes nothing; dry runs write nothing; crashes leave no halves."""

import errno

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.models import PageLogEntry, Revision

from tests.importing.helpers import (
    Anhang,
    Prop,
    count_writes,
    media_files,
    small_jpeg,
    transfer,
    write_upload,
)
from wagtail_openimmo.importing import apply, import_file
from wagtail_openimmo.models import ImportRun, ImportRunEntry, ListingAttachment, ListingPage
from wagtail_openimmo.openimmo.generate import demo_property, write_zip

pytestmark = pytest.mark.django_db
Image = get_image_model()


def feed(
    tmp_path, numbers, *, name="feed.zip", umfang="VOLL", images=2, anid="ACME-ANID", **kwargs
):
    props = [demo_property(n, images=images, image_size=(64, 48)) for n in numbers]
    for prop, aktion in zip(props, kwargs.pop("aktionen", [None] * len(props)), strict=True):
        prop.aktion = aktion
    path = tmp_path / name
    write_zip(path, props, umfang=umfang, anid=anid, **kwargs)
    return path


def snapshot():
    return {
        "pages": ListingPage.objects.count(),
        "revisions": Revision.objects.count(),
        "logs": PageLogEntry.objects.count(),
        "images": Image.objects.count(),
        "attachments": ListingAttachment.objects.count(),
        "files": media_files(),
    }


def test_importing_the_same_file_again_writes_nothing(tmp_path, broker):
    path = feed(tmp_path, range(4), aktionen=[None, "CHANGE", "REFERENZ", None])
    first = import_file(path, broker)
    assert first.created == 4 and first.images_created == 8
    before = snapshot()
    with count_writes() as writes:
        again = import_file(path, broker)
    assert writes.queries == []
    assert again.status == "imported" and again.unchanged == 4
    assert (again.created, again.updated, again.withdrawn) == (0, 0, 0)
    assert snapshot() == before
    # the run log is written, and only the run log
    assert again.run.unchanged == 4 and again.run.entries.count() == 4


def test_re_import_after_deletes_and_withdrawals_writes_nothing(tmp_path, broker):
    import_file(feed(tmp_path, range(3), umfang="TEIL", name="a.zip"), broker)
    path = write_upload(
        tmp_path / "b.xml",
        transfer(
            Prop(intern="1000", extern="W00000", aktion="DELETE"),
            Prop(intern="unknown", aktion="DELETE"),
            Prop(intern=None, extern=None),  # rejected: no object number
        ),
    )
    first = import_file(path, broker)
    assert (first.withdrawn, first.skipped, first.rejected) == (1, 1, 1)
    with count_writes() as writes:
        again = import_file(path, broker)
    assert writes.queries == []
    assert (again.unchanged, again.skipped, again.rejected) == (1, 1, 1)


def test_a_dry_run_writes_nothing_at_all(tmp_path, broker):
    import_file(feed(tmp_path, range(2), name="old.zip"), broker)
    before = snapshot()
    runs = ImportRun.objects.count()
    path = feed(tmp_path, [1, 2], name="new.zip")
    with CaptureQueriesContext(connection) as ctx:
        preview = import_file(path, broker, dry_run=True)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert snapshot() == before and ImportRun.objects.count() == runs
    assert preview.run is None and preview.dry_run
    assert (preview.created, preview.unchanged, preview.withdrawn) == (1, 1, 1)
    assert preview.images_created == 2


def scenario_files(tmp_path):
    """An upload that creates, updates, leaves, withdraws, rejects and deletes again."""
    base = write_upload(
        tmp_path / "base.xml",
        transfer(
            Prop(intern="1", kaufpreis="1"),
            Prop(intern="2"),
            Prop(intern="3"),
            Prop(intern="4"),
            umfang="TEIL",
        ),
    )
    upload = write_upload(
        tmp_path / "upload.zip",
        transfer(
            Prop(intern="1", kaufpreis="2"),  # updated
            Prop(intern="2"),  # unchanged
            Prop(intern="5", anhaenge=[Anhang("a.jpg")]),  # created
            Prop(intern="5", aktion="DELETE"),  # ... and withdrawn again
            Prop(intern="6", aktion="DELETE"),  # unknown: skipped
            Prop(intern=None, extern=None),  # rejected: no object number
            Prop(intern="3", aktion="REFERENZ"),  # updated (reference); 4 withdrawn by VOLL
            umfang="VOLL",
        ),
        {"a.jpg": small_jpeg(1)},
    )
    return base, upload


COUNTS = (
    "status",
    "created",
    "updated",
    "unchanged",
    "withdrawn",
    "rejected",
    "skipped",
    "images_created",
)


def test_a_dry_run_reports_exactly_what_the_import_then_does(tmp_path, broker):
    base, upload = scenario_files(tmp_path)
    import_file(base, broker)
    preview = import_file(upload, broker, dry_run=True)
    real = import_file(upload, broker)
    assert {k: getattr(preview, k) for k in COUNTS} == {k: getattr(real, k) for k in COUNTS}
    assert [(e.objektnr, e.action, e.outcome) for e in preview.entries] == [
        (e.objektnr, e.action, e.outcome) for e in real.entries
    ]
    assert (
        real.created,
        real.updated,
        real.unchanged,
        real.withdrawn,
        real.rejected,
        real.skipped,
    ) == (1, 2, 1, 2, 1, 1)


def test_a_dry_run_of_a_held_voll_says_held(tmp_path, broker):
    import_file(
        write_upload(
            tmp_path / "a.xml", transfer(Prop(intern="1"), Prop(intern="2"), Prop(intern="3"))
        ),
        broker,
    )
    path = write_upload(tmp_path / "b.xml", transfer(Prop(intern="1"), umfang="VOLL"))
    assert import_file(path, broker, dry_run=True).status == "held"
    assert import_file(path, broker, dry_run=True, force=True).withdrawn == 2


def test_progress_is_reported(tmp_path, broker):
    calls = []
    import_file(feed(tmp_path, range(3)), broker, progress=lambda *a: calls.append(a))
    assert [c for c in calls if c[0] == "properties"] == [("properties", i, 3) for i in (1, 2, 3)]
    assert [c for c in calls if c[0] == "attachments"] == [
        ("attachments", i, 2) for i in (1, 2)
    ] * 3


class Crash(OperationalError):
    """Not one property's fault (the database went away): the run fails as a whole."""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_between_two_properties_and_the_rerun(tmp_path, monkeypatch):
    from tests.helpers import make_broker

    broker = make_broker("crash")
    path = feed(tmp_path, range(4), anid="CRASH-ANID")
    real_process = apply.process
    calls = []

    def crash_before_the_third(ctx, record, xml, position):
        calls.append(position)
        if position == 2:
            raise Crash("power cut")
        return real_process(ctx, record, xml, position)

    monkeypatch.setattr(apply, "process", crash_before_the_third)
    with pytest.raises(Crash):
        import_file(path, broker)
    run = ImportRun.objects.get()
    assert run.status == "failed" and "power cut" in run.message
    pages = ListingPage.objects.filter(broker=broker)
    assert sorted(pages.values_list("objektnr_extern", flat=True)) == ["W00000", "W00001"]
    for page in pages:  # each applied completely
        assert page.live and page.revisions.count() == 1
        assert page.attachments.filter(image__isnull=False).count() == 2

    monkeypatch.setattr(apply, "process", real_process)
    rerun = import_file(path, broker)
    # the crashed run was never reported: the two listings it created are new to the broker
    # in the report of the run that completes the file (issue 15, item 8), not "unchanged"
    assert (rerun.created, rerun.unchanged, rerun.withdrawn) == (4, 0, 0)
    assert ListingPage.objects.filter(broker=broker).count() == 4
    assert Image.objects.count() == 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_inside_a_property_leaves_no_trace(tmp_path, monkeypatch):
    from tests.helpers import make_broker

    broker = make_broker("crash2")
    path = feed(tmp_path, range(2), umfang="TEIL", anid="CRASH2-ANID")
    files_before = media_files()
    real_write = apply._write_page

    def crash_on_second(ctx, record, page, *args, **kwargs):
        if record.fields["objektnr_extern"] == "W00001":
            # the second property's images are stored by now; then the page fails
            raise OSError(errno.ENOSPC, "disk full")
        return real_write(ctx, record, page, *args, **kwargs)

    monkeypatch.setattr(apply, "_write_page", crash_on_second)
    with pytest.raises(OSError, match="disk full"):
        import_file(path, broker)
    assert list(ListingPage.objects.values_list("objektnr_extern", flat=True)) == ["W00000"]
    assert Image.objects.count() == 2  # only the first property's
    new_files = media_files() - files_before
    assert len(new_files) == 2  # the second property's files were deleted again
    assert ImportRunEntry.objects.filter(outcome="created").count() == 1

    monkeypatch.setattr(apply, "_write_page", real_write)
    rerun = import_file(path, broker)
    assert (rerun.created, rerun.unchanged) == (2, 0)  # the crashed run was never reported
    # once the file went through, the same file again is unchanged
    again = import_file(path, broker)
    assert (again.created, again.unchanged) == (0, 2)
    assert Image.objects.count() == 4 and len(media_files() - files_before) == 4


def test_storage_is_only_used_through_django_storage(tmp_path, broker, monkeypatch):
    """Images land where the configured storage puts them, not in an assumed MEDIA_ROOT."""
    from django.core.files.storage import InMemoryStorage

    memory = InMemoryStorage()
    monkeypatch.setattr(Image._meta.get_field("file"), "storage", memory)
    before = media_files()
    result = import_file(feed(tmp_path, [0], images=1), broker)
    assert result.images_created == 1
    image = Image.objects.get()
    assert memory.exists(image.file.name) and media_files() == before
