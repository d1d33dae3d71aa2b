"""Pictures and documents: order, de-duplication, replacement, checks, REMOTE downloads."""

import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from tests.importing.helpers import (
    Anhang,
    FileServer,
    Prop,
    md5,
    openimmo_settings,
    small_jpeg,
    storage_files,
    transfer,
    write_upload,
)
from wagtail_openimmo.importing import import_file, remote
from wagtail_openimmo.models import ListingAttachment, ListingPage

pytestmark = pytest.mark.django_db
Image = get_image_model()
Document = get_document_model()


def upload(tmp_path, *props, files=None, name="up.zip"):
    return write_upload(tmp_path / name, transfer(*props), files or {})


def attachments_of(page):
    return list(ListingAttachment.objects.filter(listing=page).order_by("sort_order"))


def png_claiming(width, height) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_pictures_become_wagtail_images_titelbild_first_in_the_brokers_order(tmp_path, broker):
    prop = Prop(
        anhaenge=[
            Anhang("b.jpg", "BILD", "Küche"),
            Anhang("g.jpg", "GRUNDRISS", "Grundriss"),
            Anhang("t.jpg", "TITELBILD", "Ansicht von der Straße"),
            Anhang("a.jpg", "AUSSENANSICHTEN", "Garten"),
        ]
    )
    files = {
        "b.jpg": small_jpeg(1),
        "g.jpg": small_jpeg(2),
        "t.jpg": small_jpeg(3),
        "a.jpg": small_jpeg(4),
    }
    result = import_file(upload(tmp_path, prop, files=files), broker)
    assert result.images_created == 4
    rows = attachments_of(ListingPage.objects.get())
    assert [(r.gruppe, r.titel) for r in rows] == [
        ("TITELBILD", "Ansicht von der Straße"),
        ("BILD", "Küche"),
        ("GRUNDRISS", "Grundriss"),
        ("AUSSENANSICHTEN", "Garten"),
    ]
    first = rows[0].image
    assert first.description == "Ansicht von der Straße" and (first.width, first.height) == (64, 48)
    assert first.collection.name == "acme"
    assert first.collection.get_parent().name == "OpenImmo"
    assert rows[0].content_hash and rows[0].md5 == md5(small_jpeg(3))
    with first.open_file() as fh:
        assert fh.read() == small_jpeg(3)


def test_the_same_bytes_under_another_name_are_not_stored_again(tmp_path, broker):
    picture = small_jpeg(7)
    before = storage_files()
    import_file(
        upload(
            tmp_path,
            Prop(intern="1", anhaenge=[Anhang("x.jpg"), Anhang("y.jpg")]),
            Prop(intern="2", anhaenge=[Anhang("z.jpg")]),
            files={"x.jpg": picture, "y.jpg": picture, "z.jpg": picture},
        ),
        broker,
    )
    assert Image.objects.count() == 1 and len(storage_files() - before) == 1
    assert ListingAttachment.objects.filter(image__isnull=False).count() == 3
    # renamed in the next upload: still no new image, and no new file in storage
    result = import_file(
        upload(
            tmp_path,
            Prop(intern="1", anhaenge=[Anhang("renamed.jpg")]),
            files={"renamed.jpg": picture},
        ),
        broker,
    )
    assert result.updated == 1 and result.images_created == 0
    assert Image.objects.count() == 1 and len(storage_files() - before) == 1


def test_new_bytes_under_the_same_name_replace_the_image(
    tmp_path, broker, django_capture_on_commit_callbacks
):
    prop = Prop(anhaenge=[Anhang("bild.jpg", "TITELBILD")])
    before = storage_files()
    import_file(upload(tmp_path, prop, files={"bild.jpg": small_jpeg(1)}), broker)
    old = attachments_of(ListingPage.objects.get())[0].image
    old_file = old.file.name
    with django_capture_on_commit_callbacks(execute=True):
        result = import_file(upload(tmp_path, prop, files={"bild.jpg": small_jpeg(2)}), broker)
    assert result.updated == 1 and result.images_created == 1 and result.files_removed == 1
    new = attachments_of(ListingPage.objects.get())[0].image
    assert new.pk != old.pk
    with new.open_file() as fh:
        assert fh.read() == small_jpeg(2)
    assert not Image.objects.filter(pk=old.pk).exists()
    assert old_file not in storage_files()
    assert storage_files() - before == {new.file.name}


def test_an_image_still_used_by_another_listing_is_kept(tmp_path, broker):
    shared = small_jpeg(5)
    import_file(
        upload(
            tmp_path,
            Prop(intern="1", anhaenge=[Anhang("s.jpg")]),
            Prop(intern="2", anhaenge=[Anhang("s.jpg")]),
            files={"s.jpg": shared},
        ),
        broker,
    )
    result = import_file(upload(tmp_path, Prop(intern="1")), broker)
    assert result.files_removed == 0 and Image.objects.count() == 1


def test_images_outside_the_importers_collection_are_never_removed(tmp_path, broker):
    editors = Image.objects.create(
        title="Editor",
        file=ContentFile(small_jpeg(9), "ed.jpg"),
        collection=Collection.get_first_root_node(),
    )
    import_file(
        upload(tmp_path, Prop(anhaenge=[Anhang("a.jpg")]), files={"a.jpg": small_jpeg(1)}), broker
    )
    result = import_file(upload(tmp_path, Prop()), broker)
    assert result.files_removed == 1
    assert list(Image.objects.all()) == [editors]


def test_md5_mismatch_is_a_warning(tmp_path, broker):
    data = small_jpeg(1)
    good = Anhang("good.jpg", md5=md5(data))
    bad = Anhang("bad.jpg", md5="0" * 32)
    result = import_file(
        upload(
            tmp_path, Prop(anhaenge=[good, bad]), files={"good.jpg": data, "bad.jpg": small_jpeg(2)}
        ),
        broker,
    )
    assert result.images_created == 2
    assert [w["code"] for w in result.warnings] == ["attachment_md5"]
    assert "bad.jpg" in result.warnings[0]["message"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"this is not a picture", "image_invalid"),
        (small_jpeg(1)[:300], "image_invalid"),  # truncated
        (png_claiming(40000, 40000), "image_bomb"),
        (png_claiming(9000, 9000), "image_too_large"),  # beyond MAX_IMAGE_PIXELS
    ],
    ids=["not-a-jpeg", "truncated", "bomb", "too-many-pixels"],
)
def test_files_that_are_not_what_they_claim_are_skipped_and_the_listing_imports(
    tmp_path, broker, data, code
):
    prop = Prop(anhaenge=[Anhang("bad.jpg", "TITELBILD"), Anhang("ok.jpg")])
    with openimmo_settings(MAX_IMAGE_PIXELS=50_000_000):
        result = import_file(
            upload(tmp_path, prop, files={"bad.jpg": data, "ok.jpg": small_jpeg(2)}), broker
        )
    assert result.created == 1 and result.images_created == 1
    assert [w["code"] for w in result.warnings] == [code]
    assert [r.file_name for r in attachments_of(ListingPage.objects.get())] == ["ok.jpg"]
    # unchanged next time, and the broker is reminded that the file is still missing
    again = import_file(
        upload(tmp_path, prop, files={"bad.jpg": data, "ok.jpg": small_jpeg(2)}, name="again.zip"),
        broker,
    )
    assert again.unchanged == 1
    assert [w["code"] for w in again.warnings] == ["attachment_still_skipped"]


def test_a_missing_file_is_a_warning(tmp_path, broker):
    result = import_file(upload(tmp_path, Prop(anhaenge=[Anhang("gone.jpg")])), broker)
    assert result.created == 1
    assert [(w["code"], w["objektnr"]) for w in result.warnings] == [("attachment_missing", "E100")]


def test_a_file_beyond_the_size_cap_is_skipped(tmp_path, broker):
    with openimmo_settings(MAX_ATTACHMENT_BYTES=100):
        result = import_file(
            upload(tmp_path, Prop(anhaenge=[Anhang("a.jpg")]), files={"a.jpg": small_jpeg(1)}),
            broker,
        )
    assert result.created == 1 and result.images_created == 0
    assert [w["code"] for w in result.warnings] == ["attachment_too_large"]


def test_documents_links_and_inline_pictures(tmp_path, broker, file_server):
    pdf = b"%PDF-1.4\n% a document\n"
    prop = Prop(
        anhaenge=[
            Anhang("expose.pdf", "DOKUMENTE", "Exposé", format="application/pdf"),
            Anhang("evil.html", "DOKUMENTE", "Evil", format="text/html"),
            Anhang(file_server.url("/tour"), "LINKS", "Rundgang", location="REMOTE", format="html"),
            Anhang(None, "TITELBILD", "Inline", location="INTERN", inhalt=small_jpeg(3)),
        ]
    )
    result = import_file(
        upload(tmp_path, prop, files={"expose.pdf": pdf, "evil.html": b"<x>"}), broker
    )
    assert (result.images_created, result.documents_created) == (1, 1)
    assert [w["code"] for w in result.warnings] == ["document_type"]
    rows = attachments_of(ListingPage.objects.get())
    assert [(r.kind, r.titel) for r in rows] == [
        ("image", "Inline"),
        ("document", "Exposé"),
        ("link", "Rundgang"),
    ]
    assert rows[1].document.title == "Exposé" and rows[1].document.file.read() == pdf
    assert rows[2].url == file_server.url("/tour")
    assert file_server.requests == []  # links are not downloaded


def test_documents_that_are_not_what_they_claim_are_skipped(tmp_path, broker):
    pdf = b"%PDF-1.7\n1 0 obj\n"
    prop = Prop(
        anhaenge=[
            Anhang("expose.pdf", "DOKUMENTE", "Exposé", format="application/pdf"),
            Anhang("fake.pdf", "DOKUMENTE", "HTML", format="application/pdf"),
            Anhang("plan.docx", "DOKUMENTE", "Plan", format="docx"),
            Anhang("notes.txt", "DOKUMENTE", "Script", format="text/plain"),
        ]
    )
    files = {
        "expose.pdf": pdf,
        "fake.pdf": b"\n<!DOCTYPE html><script>alert(1)</script>",
        "plan.docx": b"this is not a zip",
        "notes.txt": b"  <script>alert(1)</script>",
    }
    result = import_file(upload(tmp_path, prop, files=files), broker)
    assert result.created == 1 and result.documents_created == 1
    invalid = [w for w in result.warnings if w["code"] == "document_invalid"]
    assert [w["code"] for w in result.warnings] == ["no_images", *["document_invalid"] * 3]
    assert "fake.pdf" in invalid[0]["message"] and "PDF" in invalid[0]["message"]
    [row] = attachments_of(ListingPage.objects.get())
    assert row.titel == "Exposé" and row.document.file.read() == pdf


def test_remote_pictures_are_downloaded_once(tmp_path, broker, file_server):
    file_server.files["/p/1.jpg"] = small_jpeg(1)
    prop = Prop(anhaenge=[Anhang(file_server.url("/p/1.jpg"), "TITELBILD", location="REMOTE")])
    result = import_file(upload(tmp_path, prop), broker)
    assert result.images_created == 1 and file_server.requests == ["/p/1.jpg"]
    row = attachments_of(ListingPage.objects.get())[0]
    assert row.url == file_server.url("/p/1.jpg") and row.content_hash
    assert import_file(upload(tmp_path, prop), broker).unchanged == 1
    changed = Prop(kaufpreis="1", anhaenge=prop.anhaenge)
    assert import_file(upload(tmp_path, changed), broker).updated == 1
    assert file_server.requests == ["/p/1.jpg"]  # neither re-import downloaded it again


def test_remote_pictures_renamed_or_replaced(tmp_path, broker, file_server):
    """Same bytes under a new URL: no new image. New bytes under the same URL with a new
    <check>: downloaded again and the image replaced."""
    old, new = small_jpeg(1), small_jpeg(2)
    file_server.files["/a.jpg"] = old
    first = Prop(
        anhaenge=[Anhang(file_server.url("/a.jpg"), "TITELBILD", location="REMOTE", md5=md5(old))]
    )
    assert import_file(upload(tmp_path, first), broker).images_created == 1
    image = attachments_of(ListingPage.objects.get())[0].image

    file_server.files["/renamed.jpg"] = old
    renamed = Prop(
        anhaenge=[
            Anhang(file_server.url("/renamed.jpg"), "TITELBILD", location="REMOTE", md5=md5(old))
        ]
    )
    result = import_file(upload(tmp_path, renamed), broker)
    assert (result.updated, result.images_created) == (1, 0)
    assert attachments_of(ListingPage.objects.get())[0].image == image

    file_server.files["/renamed.jpg"] = new
    replaced = Prop(
        anhaenge=[
            Anhang(file_server.url("/renamed.jpg"), "TITELBILD", location="REMOTE", md5=md5(new))
        ]
    )
    result = import_file(upload(tmp_path, replaced), broker)
    assert (result.updated, result.images_created, result.files_removed) == (1, 1, 1)
    current = attachments_of(ListingPage.objects.get())[0].image
    assert current != image and not Image.objects.filter(pk=image.pk).exists()
    with current.open_file() as fh:
        assert fh.read() == new
    assert file_server.requests == ["/a.jpg", "/renamed.jpg", "/renamed.jpg"]


def test_remote_downloads_are_tried_three_times(tmp_path, broker, file_server):
    file_server.files["/flaky.jpg"] = small_jpeg(1)
    file_server.fail["/flaky.jpg"] = 2
    file_server.fail["/down.jpg"] = 99
    prop = Prop(
        anhaenge=[
            Anhang(file_server.url("/flaky.jpg"), location="REMOTE"),
            Anhang(file_server.url("/down.jpg"), location="REMOTE"),
        ]
    )
    result = import_file(upload(tmp_path, prop), broker)
    assert result.created == 1 and result.images_created == 1
    assert file_server.requests.count("/flaky.jpg") == 3
    assert file_server.requests.count("/down.jpg") == 3
    [warning] = result.warnings
    assert warning["code"] == "remote_status" and "503" in warning["message"]


def test_a_server_that_does_not_answer_in_time_is_given_up_after_three_tries(
    tmp_path, broker, file_server
):
    file_server.files["/stalls.jpg"] = small_jpeg(1)
    file_server.stall["/stalls.jpg"] = 30  # far beyond REMOTE_TIMEOUT
    file_server.files["/ok.jpg"] = small_jpeg(2)
    prop = Prop(
        anhaenge=[
            Anhang(file_server.url("/stalls.jpg"), "TITELBILD", location="REMOTE"),
            Anhang(file_server.url("/ok.jpg"), location="REMOTE"),
        ]
    )
    with openimmo_settings(REMOTE_TIMEOUT=0.3):
        result = import_file(upload(tmp_path, prop), broker)
    assert result.created == 1 and result.images_created == 1
    assert file_server.requests.count("/stalls.jpg") == 3
    [warning] = result.warnings
    assert warning["code"] == "remote_timeout" and "/stalls.jpg" in warning["message"]
    assert "took too long" in warning["message"]


def test_a_server_dripping_bytes_is_cut_off_by_the_overall_deadline(tmp_path, broker, file_server):
    """Each byte comes within the read timeout, but the whole file would take minutes."""
    file_server.files["/drip.jpg"] = small_jpeg(1)
    file_server.drip["/drip.jpg"] = 0.05
    prop = Prop(anhaenge=[Anhang(file_server.url("/drip.jpg"), location="REMOTE")])
    with openimmo_settings(REMOTE_TIMEOUT=0.2, REMOTE_RETRIES=1):
        result = import_file(upload(tmp_path, prop), broker)
    assert result.created == 1 and result.images_created == 0
    assert [w["code"] for w in result.warnings] == ["remote_timeout"]
    assert file_server.requests == ["/drip.jpg"]  # REMOTE_RETRIES=1: a single try


def test_remote_size_cap(tmp_path, broker, file_server):
    file_server.files["/big.jpg"] = small_jpeg(1)
    prop = Prop(anhaenge=[Anhang(file_server.url("/big.jpg"), location="REMOTE")])
    with openimmo_settings(REMOTE_MAX_BYTES=100):
        result = import_file(upload(tmp_path, prop), broker)
    assert [w["code"] for w in result.warnings] == ["remote_too_large"]
    assert result.created == 1


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.jpg", "//127.0.0.1/x.jpg"]
)
def test_urls_that_are_not_http_are_refused(tmp_path, broker, url):
    result = import_file(upload(tmp_path, Prop(anhaenge=[Anhang(url, location="REMOTE")])), broker)
    assert result.created == 1
    assert [w["code"] for w in result.warnings] == ["remote_scheme"]


def test_internal_addresses_are_refused(tmp_path, broker):
    # REMOTE_ALLOW_PRIVATE_NETWORKS is off here (the default), unlike with ``file_server``
    with FileServer() as server:
        server.files["/x.jpg"] = small_jpeg(1)
        for url in (server.url("/x.jpg"), server.url("/x.jpg").replace("127.0.0.1", "localhost")):
            result = import_file(
                upload(tmp_path, Prop(anhaenge=[Anhang(url, location="REMOTE")])), broker
            )
            assert [w["code"] for w in result.warnings] == ["remote_private_address"]
        assert server.requests == []


def test_the_connected_address_is_checked_too(monkeypatch):
    """Even if name resolution is fooled (DNS rebinding), nothing is sent to 127.0.0.1."""
    monkeypatch.setattr(remote, "resolve_and_check", lambda host, port: None)
    with FileServer() as server:
        server.files["/x.jpg"] = b"secret"
        with pytest.raises(remote.RemoteError) as caught:
            remote.download(server.url("/x.jpg"))
        assert caught.value.code == "remote_private_address"
        assert server.requests == []


def test_a_redirect_to_an_internal_address_is_refused(file_server, monkeypatch):
    file_server.files["/x.jpg"] = b"secret"
    calls = []

    def only_first_is_public(address, *, host):
        calls.append(address)
        if len(calls) > 2:  # the pre-check and the first connection pass; the redirect not
            raise remote.RemoteError("remote_private_address", "{host}", host=host)

    monkeypatch.setattr(remote, "check_address", only_first_is_public)
    target = file_server.url("/x.jpg").replace("127.0.0.1", "localhost")  # a new connection
    with pytest.raises(remote.RemoteError) as caught:
        remote.download(file_server.url("/redirect-to/" + target))
    assert caught.value.code == "remote_private_address"
    assert file_server.requests == ["/redirect-to/" + target]


def test_a_download_that_failed_is_tried_again_without_writing_until_it_works(
    tmp_path, broker, file_server
):
    from tests.importing.helpers import count_writes

    file_server.files["/p.jpg"] = small_jpeg(1)
    file_server.fail["/p.jpg"] = 3  # every try of the first import fails
    prop = Prop(anhaenge=[Anhang(file_server.url("/p.jpg"), "TITELBILD", location="REMOTE")])
    first = import_file(upload(tmp_path, prop), broker)
    assert first.created == 1 and [w["code"] for w in first.warnings] == ["remote_status"]

    file_server.fail["/p.jpg"] = 3  # still down: tried again, nothing written
    with count_writes() as writes:
        down = import_file(upload(tmp_path, prop), broker)
    assert writes.queries == [] and down.unchanged == 1
    assert [w["code"] for w in down.warnings] == ["remote_status"]
    assert len(file_server.requests) == 6

    healed = import_file(upload(tmp_path, prop), broker)  # back up
    assert healed.updated == 1 and healed.images_created == 1
    assert attachments_of(ListingPage.objects.get())[0].gruppe == "TITELBILD"
    assert import_file(upload(tmp_path, prop), broker).unchanged == 1
    assert len(file_server.requests) == 7  # and no download after that


def test_inline_base64_is_not_kept_in_the_stored_record(tmp_path, broker):
    prop = Prop(anhaenge=[Anhang(None, "TITELBILD", location="INTERN", inhalt=small_jpeg(4))])
    import_file(upload(tmp_path, prop), broker)
    page = ListingPage.objects.get()
    text = str(page.openimmo_data)
    assert "anhanginhalt" in text and "/9j/" not in text  # the element, not the JPEG
    assert attachments_of(page)[0].image.file_size == len(small_jpeg(4))


def _remote_props(file_server, count):
    props = []
    for n in range(count):
        file_server.files[f"/p/{n}.jpg"] = small_jpeg(n)
        props.append(
            Prop(intern=str(n), extern=f"E{n}",
                 anhaenge=[Anhang(file_server.url(f"/p/{n}.jpg"), "TITELBILD",
                                  location="REMOTE")])
        )
    return props


from tests.importing.test_actions import run_import  # noqa: E402


def test_downloads_per_import_are_capped_in_number(tmp_path, broker, file_server):
    """Issue 15, item 10: the rest is skipped with one warning; every listing is imported."""
    props = _remote_props(file_server, 5)
    with openimmo_settings(REMOTE_MAX_DOWNLOADS=2):
        result = run_import(tmp_path, broker, *props)
    assert result.created == 5 and result.images_created == 2
    assert file_server.requests == ["/p/0.jpg", "/p/1.jpg"]
    budget = [w for w in result.warnings if w["code"] == "remote_budget"]
    assert len(budget) == 1 and budget[0]["objektnr"] == "E2"
    assert "at most 2 attachments" in budget[0]["message"]
    # the next import fetches what was skipped (within its own budget)
    again = run_import(tmp_path, broker, *props)
    assert again.images_created == 3 and not [
        w for w in again.warnings if w["code"] == "remote_budget"
    ]


def test_downloads_per_import_are_capped_in_time(tmp_path, broker, file_server):
    props = _remote_props(file_server, 4)
    for n in range(4):
        file_server.stall[f"/p/{n}.jpg"] = 0.4
    with openimmo_settings(REMOTE_MAX_SECONDS=0.6):
        result = run_import(tmp_path, broker, *props)
    assert result.created == 4
    assert file_server.requests == ["/p/0.jpg", "/p/1.jpg"]  # 0.8 s spent after two
    assert [w["code"] for w in result.warnings].count("remote_budget") == 1
