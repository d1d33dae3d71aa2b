"""The shortcut for unchanged properties: a quick fingerprint of what was sent.

An unchanged property is recognised before its full record is built (``apply.unchanged_entry``):
the SHA-256 of its ``<immobilie>`` element as read, the SHA-256 of each file it references
and the import's settings and versions, compared with what the last import stored with the
listing. It must come to exactly what the full path would: any change -- a field, a file's
bytes, the mode, the listing's state -- goes the full way, and an unchanged property's log
line is the same either way.
"""

import hashlib
import zipfile

import pytest

from tests.importing.helpers import (
    Anhang,
    Prop,
    count_writes,
    openimmo_settings,
    small_jpeg,
    transfer,
    write_upload,
)
from tests.importing.test_idempotence import feed, snapshot
from wagtail_openimmo.importing import apply, import_file
from wagtail_openimmo.models import ListingAttachment, ListingPage
from wagtail_openimmo.openimmo.reader import Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_reads(monkeypatch):
    """How many full records the reader builds (the shortcut builds none)."""
    built = []
    original = Transfer._record

    def counting(self, element, anbieter, position):
        built.append(position)
        return original(self, element, anbieter, position)

    monkeypatch.setattr(Transfer, "_record", counting)
    return built


def log_lines(result) -> list[tuple]:
    return [
        (e.position, e.objektnr, e.title, e.action, e.outcome, e.line, e.listing_id, e.messages)
        for e in result.entries
    ]


def without_shortcut(monkeypatch, path, broker):
    """The import of ``path`` as the full path alone decides it."""
    with monkeypatch.context() as patch:
        patch.setattr(apply, "unchanged_entry", lambda *args: None)
        return import_file(path, broker)


def replace_member(path, name: str, data: bytes):
    """The same ZIP with member ``name`` holding other bytes."""
    copy = path.with_name("copy-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(copy, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == name else src.read(info))
    copy.replace(path)


def test_an_unchanged_file_takes_the_shortcut_and_logs_what_the_full_path_logs(
    tmp_path, broker, full_reads, monkeypatch
):
    path = feed(tmp_path, range(4), aktionen=[None, "CHANGE", "REFERENZ", None])
    first = import_file(path, broker)
    assert first.created == 4
    assert all(len(p.openimmo_quick_fingerprint) == 64 for p in ListingPage.objects.all())
    before = snapshot()
    full_reads.clear()
    with count_writes() as writes:
        quick = import_file(path, broker)
    assert full_reads == [] and writes.queries == []
    slow = without_shortcut(monkeypatch, path, broker)
    assert len(full_reads) == 4  # the full path read every property
    assert quick.unchanged == slow.unchanged == 4
    assert log_lines(quick) == log_lines(slow)
    assert snapshot() == before


def test_a_changed_field_goes_the_full_way(tmp_path, broker, full_reads):
    import_file(feed(tmp_path, range(3), name="a.zip"), broker)
    path = feed(tmp_path, range(3), name="b.zip", images=2)
    # the same feed with one title changed
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("openimmo.xml")
    assert xml.count(b"<objekttitel>") == 3
    start = xml.index(b"<objekttitel>")
    end = xml.index(b"</objekttitel>", start)
    xml = xml[:start] + b"<objekttitel>Ganz neu" + xml[end:]
    replace_member(path, "openimmo.xml", xml)
    full_reads.clear()
    result = import_file(path, broker)
    assert [e.outcome for e in result.entries] == ["updated", "unchanged", "unchanged"]
    assert full_reads == [0]
    assert ListingPage.objects.get(pk=result.entries[0].listing_id).title == "Ganz neu"


def test_a_picture_with_other_bytes_under_the_same_name_goes_the_full_way(
    tmp_path, broker, full_reads
):
    path = feed(tmp_path, range(2), images=2)
    import_file(path, broker)
    with zipfile.ZipFile(path) as archive:
        pictures = [n for n in archive.namelist() if not n.endswith(".xml")]
    replace_member(path, pictures[0], small_jpeg(999))
    full_reads.clear()
    result = import_file(path, broker)
    assert sorted(e.outcome for e in result.entries) == ["unchanged", "updated"]
    assert len(full_reads) == 1
    updated = next(e for e in result.entries if e.outcome == "updated")
    hashes = set(
        ListingAttachment.objects.filter(listing_id=updated.listing_id).values_list(
            "content_hash", flat=True
        )
    )
    assert hashlib.sha256(small_jpeg(999)).hexdigest() in hashes


def test_another_mode_or_settings_go_the_full_way(tmp_path, broker, full_reads, monkeypatch):
    path = feed(tmp_path, range(3))
    import_file(path, broker)
    full_reads.clear()
    with openimmo_settings(STRICT_VALIDATION=True):
        strict = import_file(path, broker)
        assert len(full_reads) == 3  # lenient's fingerprint does not count in strict mode
        full_reads.clear()
        slow = without_shortcut(monkeypatch, path, broker)
    assert log_lines(strict) == log_lines(slow)
    full_reads.clear()
    with openimmo_settings(MAX_PROPERTY_ELEMENTS=40_000):
        import_file(path, broker)
    assert len(full_reads) == 3
    full_reads.clear()
    import_file(path, broker)  # back to the settings it was stored with
    assert full_reads == []


def test_a_fingerprint_of_another_version_misses(tmp_path, broker, full_reads, monkeypatch):
    path = feed(tmp_path, range(2))
    import_file(path, broker)
    full_reads.clear()
    monkeypatch.setattr(apply, "QUICK_VERSION", apply.QUICK_VERSION + 1)
    with count_writes() as writes:
        result = import_file(path, broker)
    assert len(full_reads) == 2 and result.unchanged == 2 and writes.queries == []
    full_reads.clear()
    ListingPage.objects.update(openimmo_quick_fingerprint="")  # imported before the shortcut
    monkeypatch.setattr(apply, "QUICK_VERSION", apply.QUICK_VERSION - 1)
    result = import_file(path, broker)
    assert len(full_reads) == 2 and result.unchanged == 2


def test_a_file_missing_from_the_listing_goes_the_full_way(
    tmp_path, broker, full_reads, monkeypatch
):
    """An editor removed a picture: the full path reports it as still missing, every time."""
    path = feed(tmp_path, range(2), images=2)
    first = import_file(path, broker)
    listing = first.entries[0].listing_id
    ListingAttachment.objects.filter(listing_id=listing).order_by("sort_order").last().delete()
    full_reads.clear()
    quick = import_file(path, broker)
    assert len(full_reads) == 1
    slow = without_shortcut(monkeypatch, path, broker)
    assert log_lines(quick) == log_lines(slow)
    codes = [m["code"] for m in quick.entries[0].messages]
    assert codes == ["attachment_still_skipped"]


def test_a_listing_an_editor_took_offline_goes_the_full_way(
    tmp_path, broker, full_reads, monkeypatch
):
    path = feed(tmp_path, range(2))
    first = import_file(path, broker)
    page = ListingPage.objects.get(pk=first.entries[1].listing_id)
    page.unpublish()
    quick = import_file(path, broker)
    slow = without_shortcut(monkeypatch, path, broker)
    assert log_lines(quick) == log_lines(slow)
    assert not ListingPage.objects.get(pk=page.pk).live


def test_a_property_with_warnings_has_no_quick_fingerprint_and_reports_them_again(
    tmp_path, broker, full_reads
):
    # no title (composed, with a warning) and a picture missing from the upload
    xml = transfer(
        Prop(intern="1", titel=None),
        Prop(intern="2", anhaenge=[Anhang(pfad="missing.jpg")]),
        Prop(intern="3", anhaenge=[Anhang(pfad="bild.jpg")]),
    )
    path = write_upload(tmp_path / "w.zip", xml, {"bild.jpg": small_jpeg(1)})
    first = import_file(path, broker)
    assert [bool(e.messages) for e in first.entries] == [True, True, False]
    quick = dict(ListingPage.objects.values_list("objektnr_intern", "openimmo_quick_fingerprint"))
    assert quick["1"] == quick["2"] == "" and len(quick["3"]) == 64
    full_reads.clear()
    again = import_file(path, broker)
    assert full_reads == [0, 1]
    assert [e.messages for e in again.entries][2] == []
    assert again.entries[1].messages and again.unchanged == 3


def test_the_same_listing_twice_in_one_file_is_decided_in_order(tmp_path, broker, full_reads):
    """The shortcut compares with the listing as the earlier properties left it."""
    one = Prop(intern="1", kaufpreis="100000.00")
    other = Prop(intern="1", kaufpreis="200000.00")
    path = write_upload(tmp_path / "a.zip", transfer(one, other))
    import_file(path, broker)
    again = import_file(path, broker)
    # each copy differs from what the one before it left: both are applied again
    assert [e.outcome for e in again.entries] == ["updated", "updated"]
    assert ListingPage.objects.get(objektnr_intern="1").kaufpreis == 200000


def test_the_settings_part_is_the_same_in_every_process():
    """Stored by one worker, compared by another: a set-valued setting (whose order
    differs between processes) or a function must not make every fingerprint miss."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import django; django.setup()\n"
        "from django.test import override_settings\n"
        "from wagtail_openimmo.importing.apply import quick_salt\n"
        "with override_settings(WAGTAIL_OPENIMMO={'STRICT_VALIDATION': {'a', 'b', 'c', 'd'},"
        " 'COLLECTION_NAME': len}):\n"
        "    print(quick_salt())\n"
    )
    salts = set()
    for seed in ("1", "2", "3"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings"),
            "PYTHONPATH": str(root),
        }
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        salts.add(out.stdout.strip())
    assert len(salts) == 1 and len(salts.pop()) == 64


@pytest.fixture
def passes(monkeypatch):
    """Which reading passes over the XML an import makes, by kind."""
    made = []
    real_records, real_identities = Transfer.records, Transfer.identities

    def records(self, *args, **kwargs):
        made.append("records")
        return real_records(self, *args, **kwargs)

    def identities(self, *args, **kwargs):
        made.append("identities")
        return real_identities(self, *args, **kwargs)

    monkeypatch.setattr(Transfer, "records", records)
    monkeypatch.setattr(Transfer, "identities", identities)
    return made


def test_an_unchanged_full_transfer_is_read_once_after_its_first_pass(
    tmp_path, broker, passes, full_reads
):
    """The VOLL guard reads the file anyway; it decides the unchanged properties on its way,
    and the records are not read again when every property was unchanged."""
    path = feed(tmp_path, range(4))
    import_file(path, broker)
    passes.clear()
    full_reads.clear()
    result = import_file(path, broker)
    assert result.unchanged == 4 and full_reads == []
    assert passes == ["identities"]
    # TEIL has no guard: one reading of the records
    teil = feed(tmp_path, range(4), name="teil.zip", umfang="TEIL")
    passes.clear()
    assert import_file(teil, broker).unchanged == 4
    assert passes == ["records"]


def test_a_changed_property_between_unchanged_ones_is_read_again_alone(
    tmp_path, broker, passes, full_reads, monkeypatch
):
    import_file(feed(tmp_path, range(4), name="a.zip"), broker)
    path = feed(tmp_path, range(4), name="b.zip")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("openimmo.xml")
    titles = [i for i in range(len(xml)) if xml.startswith(b"<objekttitel>", i)]
    end = xml.index(b"</objekttitel>", titles[1])
    xml = xml[: titles[1]] + b"<objekttitel>Neu" + xml[end:]
    replace_member(path, "openimmo.xml", xml)
    passes.clear()
    full_reads.clear()
    quick = import_file(path, broker)
    assert [e.outcome for e in quick.entries] == ["unchanged", "updated", "unchanged", "unchanged"]
    assert passes == ["identities", "records"] and full_reads == [1]
    again = without_shortcut(monkeypatch, path, broker)
    assert [e.outcome for e in again.entries] == ["unchanged"] * 4
    assert log_lines(import_file(path, broker)) == log_lines(again)


def test_a_held_full_transfer_takes_nothing_it_decided(tmp_path, broker, passes):
    """Deciding while the guard reads writes nothing: a held file leaves no log lines."""
    import_file(feed(tmp_path, range(4), name="all.zip"), broker)
    path = feed(tmp_path, range(1), name="one.zip")  # would withdraw 3 of 4
    with count_writes() as writes:
        held = import_file(path, broker)
    assert held.status == "held" and held.entries == []
    assert passes[-1] == "identities"
    assert held.run.entries.count() == 0
    assert [q for q in writes.queries if "importrunentry" in q.lower()] == []


def test_an_upload_of_two_full_transfers_decides_across_both(tmp_path, broker, passes, monkeypatch):
    """Two VOLL files in one ZIP: the guard decides on through the second file, and a
    change in the second file stops the deciding there, not before."""
    from wagtail_openimmo.openimmo.generate import demo_property, xml_bytes

    def upload(name, title=None):
        props = [demo_property(n, images=1, image_size=(32, 24)) for n in range(4)]
        if title:
            props[3].titel = title
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.xml", xml_bytes(props[:2], umfang="VOLL", anid="ACME-ANID"))
            archive.writestr("b.xml", xml_bytes(props[2:], umfang="VOLL", anid="ACME-ANID"))
            for prop in props:
                for picture in prop.pictures:
                    archive.writestr(picture.name, picture.data)
        return path

    path = upload("same.zip")
    assert import_file(path, broker).created == 4
    passes.clear()
    quick = import_file(path, broker)
    assert quick.unchanged == 4 and passes == ["identities", "identities"]
    slow = without_shortcut(monkeypatch, path, broker)
    assert log_lines(quick) == log_lines(slow)
    changed = upload("changed.zip", title="Neuer Titel")
    passes.clear()
    result = import_file(changed, broker)
    assert [e.outcome for e in result.entries] == ["unchanged"] * 3 + ["updated"]
    assert passes == ["identities", "identities", "records", "records"]
