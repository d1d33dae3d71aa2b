"""The lossless round trip: import a file, export it, import the export.

Into a fresh broker (its own collection, so no picture is reused): the same listings with the
same columns, the same stored OpenImmo record and the same files (bytes, titles, groups,
order). Into the original broker: nothing is written at all.

Every real sample in ``../shared/openimmo/samples`` that imports takes part (only Justimmo's
does as it is: the others are importers' edge cases that are rejected), plus generated feeds
with files in the ZIP, and listings an editor changed or made.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from tests.exporting.builders import document_attachment, make_document, read_zip
from tests.helpers import make_broker
from tests.importing.helpers import FileServer, count_writes, openimmo_settings, small_jpeg
from tests.importing.test_samples import EXPECTED, sample_path
from wagtail_openimmo.exporting import export_broker
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.importing.apply import COLUMNS
from wagtail_openimmo.listing_images import title_first
from wagtail_openimmo.models import Broker, ListingAttachment, ListingIndexPage, ListingPage
from wagtail_openimmo.openimmo import generate, patch, read_transfer

pytestmark = pytest.mark.django_db

# Every sample that imports at least one listing as it is.
IMPORTING_SAMPLES = sorted(
    name for name, (_status, _refused, counts, _codes) in EXPECTED.items() if counts.get("created")
)


@pytest.fixture(autouse=True)
def _fast_remote():
    with openimmo_settings(REMOTE_BACKOFF_SECONDS=0, REMOTE_TIMEOUT=3):
        yield


@pytest.fixture
def file_server():
    with FileServer() as server, openimmo_settings(REMOTE_ALLOW_PRIVATE_NETWORKS=True):
        yield server


def file_digest(attachment: ListingAttachment) -> str | None:
    stored = attachment.image if attachment.kind == "image" else attachment.document
    if stored is None:
        return None
    with stored.file.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def attachment_view(attachment: ListingAttachment) -> dict:
    stored = attachment.image if attachment.kind == "image" else attachment.document
    return {
        "kind": attachment.kind,
        "gruppe": attachment.gruppe,
        "titel": attachment.titel,
        "format": attachment.format,
        "file_name": attachment.file_name,
        "url": attachment.url if attachment.kind == "link" else "",
        "sha256": file_digest(attachment),
        "stored_title": stored.title if stored is not None else None,
    }


def listing_view(page: ListingPage) -> dict:
    """Everything the round trip must keep of a listing, in comparable form."""
    return {
        "columns": {column: getattr(page, column) for _name, column in COLUMNS},
        "state": {
            "live": page.live,
            "is_reference": page.is_reference,
            "imported": page.imported,
            "slug": page.slug,
        },
        "record": patch.comparable(page.openimmo_data) if page.imported else None,
        "attachments": [
            attachment_view(a)
            for a in page.attachments.select_related("image", "document").order_by(
                *title_first()
            )
        ],
    }


def site_view(broker) -> dict[str, dict]:
    pages = ListingPage.objects.filter(broker=broker).order_by("pk")
    return {page.objektnr_extern: listing_view(page) for page in pages}


def assert_same(before: dict, after: dict) -> None:
    """Field by field, so a failure names the listing and the field."""
    assert sorted(after) == sorted(before)
    for key, old in before.items():
        new = after[key]
        for column, value in old["columns"].items():
            assert new["columns"][column] == value, (key, column)
        assert new["state"] == old["state"], key
        assert new["record"] == old["record"], key
        assert len(new["attachments"]) == len(old["attachments"]), key
        for n, (a, b) in enumerate(zip(old["attachments"], new["attachments"], strict=True)):
            assert b == a, (key, n)


def export_of(broker, tmp_path, name="export.zip", **kwargs):
    result = export_broker(broker, tmp_path / name, **kwargs)
    assert result.problems == []
    # the project's own rules in strict mode find nothing wrong with what was written
    xml, _members = read_zip(result.path)
    transfer = read_transfer(xml, strict=True)
    for record in transfer.records():
        assert record.errors == [], record.errors
    return result


def empty_site() -> None:
    """No broker, listing, image or document left: as on a new site."""
    for index in ListingIndexPage.objects.all():
        index.delete()  # and the listings below it
    Broker.objects.all().delete()
    for model in (get_image_model(), get_document_model()):
        model.objects.all().delete()
    assert not ListingPage.objects.exists()


def round_trip(broker, tmp_path, *, imported: int):
    """Export ``broker``; import that back (no writes) and into an empty site (the same)."""
    before = site_view(broker)
    assert len(before) == imported
    result = export_of(broker, tmp_path)

    with count_writes() as writes:
        again = import_file(result.path, broker)
    assert again.status == "imported", (again.message, again.problems)
    assert (again.created, again.updated, again.unchanged) == (0, 0, imported)
    assert again.images_created == 0
    assert writes.queries == []
    assert site_view(broker) == before

    slug = broker.slug
    empty_site()
    fresh = make_broker(slug, anid="")
    into_fresh = import_file(result.path, fresh)
    assert into_fresh.status == "imported", (into_fresh.message, into_fresh.problems)
    assert into_fresh.created == imported
    assert into_fresh.images_created == len(
        {a["sha256"] for v in before.values() for a in v["attachments"] if a["kind"] == "image"}
    )
    assert_same(before, site_view(fresh))
    return result, fresh


@pytest.fixture
def justimmo(tmp_path, file_server):
    """The Justimmo sample with its picture URLs pointing at a local server."""
    text = sample_path("justimmo-php-sdk__realty_detail.xml").read_text("utf-8")
    paths = sorted(
        {
            line.split("http://files.justimmo.at", 1)[1].split("<", 1)[0]
            for line in text.splitlines()
            if "http://files.justimmo.at" in line
        }
    )
    for n, path in enumerate(paths):
        file_server.files[path] = small_jpeg(n)
    path = tmp_path / "justimmo.xml"
    path.write_text(text.replace("http://files.justimmo.at", file_server.base), "utf-8")
    return path


def test_the_samples_that_import_are_known():
    assert IMPORTING_SAMPLES == ["justimmo-php-sdk__realty_detail.xml"]


@pytest.mark.parametrize("name", IMPORTING_SAMPLES)
def test_a_real_sample_survives_the_round_trip(name, justimmo, tmp_path):
    broker = make_broker("samples", anid="")
    first = import_file(justimmo, broker)
    assert first.created == EXPECTED[name][2]["created"]
    result, fresh = round_trip(broker, tmp_path, imported=first.created)
    # remote pictures went into the ZIP as files, links stayed links
    assert (result.files, result.links) == (11, 1)
    page = ListingPage.objects.get(broker=fresh)
    assert [a.kind for a in page.attachments.order_by("sort_order")] == ["image"] * 11 + ["link"]


def demo_feed(path, count=4, *, images=2):
    props = [generate.demo_property(n, images=images, image_size=(64, 48)) for n in range(count)]
    generate.write_zip(path, props, umfang="VOLL", anid="ACME-ANID")
    return props


def test_a_generated_feed_with_files_survives_the_round_trip(broker, tmp_path):
    demo_feed(tmp_path / "feed.zip")
    assert import_file(tmp_path / "feed.zip", broker).created == 4
    round_trip(broker, tmp_path, imported=4)


def test_editor_changes_and_editor_made_listings_survive_the_round_trip(broker, tmp_path):
    demo_feed(tmp_path / "feed.zip", count=2)
    import_file(tmp_path / "feed.zip", broker)
    edited = ListingPage.objects.filter(broker=broker).order_by("pk").first()
    edited.kaufpreis = Decimal("123456.00")
    edited.lage = None
    edited.title = "Vom Redakteur"
    edited.attachments.add(document_attachment(make_document(name="grundriss.pdf")))
    edited.save_revision().publish()
    before = site_view(broker)
    result = export_of(broker, tmp_path)

    with count_writes() as writes:
        again = import_file(result.path, broker)
    assert (again.unchanged, writes.queries) == (2, [])
    empty_site()
    fresh = make_broker("acme", anid="")
    assert import_file(result.path, fresh).created == 2
    after = site_view(fresh)
    assert after[edited.objektnr_extern]["columns"]["kaufpreis"] == Decimal("123456.00")
    assert after[edited.objektnr_extern]["columns"]["lage"] is None
    added = [a for a in after[edited.objektnr_extern]["attachments"] if a["kind"] == "document"]
    assert [(a["file_name"], a["gruppe"]) for a in added] == [("grundriss.pdf", "DOKUMENTE")]
    for key, old in before.items():
        assert after[key]["columns"] == old["columns"], key
        assert after[key]["attachments"] == old["attachments"], key
