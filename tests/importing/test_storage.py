"""Media only through Django's storage API: an import with a storage that has no local paths.

Django's ``InMemoryStorage`` without ``path()`` stands for S3 and the like (django-storages):
no local paths and nothing in MEDIA_ROOT, so any code that took a local path of an image or
document would fail here. Imports, re-imports, renditions, the listing page and the export
must all work.
"""

import io
import os
import zipfile

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.utils.deconstruct import deconstructible
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from tests.importing.helpers import Anhang, Prop, small_jpeg, transfer, write_upload
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ListingAttachment, ListingPage

pytestmark = pytest.mark.django_db
Image = get_image_model()
Document = get_document_model()
PDF = b"%PDF-1.4\n% an expose\n"


@deconstructible(path="tests.importing.test_storage.RemoteLikeStorage")
class RemoteLikeStorage(InMemoryStorage):
    """Django's in-memory storage without local paths, as S3 storages are.

    Like a bucket, every instance sees the same files (Wagtail deletes files in a task that
    rebuilds the storage from ``deconstruct()``).
    """

    bucket = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if RemoteLikeStorage.bucket is None:
            RemoteLikeStorage.bucket = self._root
        self._root = RemoteLikeStorage.bucket

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _relative_path(self, name):  # the in-memory tree's own use of path()
        return os.path.relpath(super().path(name), self.location)


@pytest.fixture(autouse=True)
def remote_storage(settings, tmp_path):
    RemoteLikeStorage.bucket = None
    settings.STORAGES = {
        "default": {"BACKEND": "tests.importing.test_storage.RemoteLikeStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Nothing may land in MEDIA_ROOT: point it at a folder that must stay empty.
    settings.MEDIA_ROOT = str(tmp_path / "must-stay-empty")
    with pytest.raises(NotImplementedError):
        default_storage.path("x")
    yield
    assert not (tmp_path / "must-stay-empty").exists()


def _prop(title="Wohnung mit Exposé"):
    return Prop(
        titel=title,
        anhaenge=[
            Anhang("front.jpg", "TITELBILD", "Ansicht"),
            Anhang("inside.jpg", "INNENANSICHTEN", "Wohnzimmer"),
            Anhang("expose.pdf", "DOKUMENTE", "Exposé", format="application/pdf"),
        ],
    )


def _upload(tmp_path, prop, name="up.zip"):
    files = {"front.jpg": small_jpeg(1), "inside.jpg": small_jpeg(2), "expose.pdf": PDF}
    return write_upload(tmp_path / name, transfer(prop), files)


def test_import_stores_images_and_documents_through_the_storage_api(
    tmp_path, broker, client, django_capture_on_commit_callbacks
):
    result = import_file(_upload(tmp_path, _prop()), broker)
    assert result.status == "imported", result.message
    assert (result.images_created, result.documents_created) == (2, 1)

    page = ListingPage.objects.get()
    rows = list(ListingAttachment.objects.filter(listing=page).order_by("sort_order"))
    images = [r.image for r in rows if r.kind == "image"]
    [document] = [r.document for r in rows if r.kind == "document"]
    for image in images:
        assert default_storage.exists(image.file.name)
        assert (image.width, image.height) == (64, 48)
    assert document.file.storage.open(document.file.name).read() == PDF

    # Renditions are made from, and written to, the same storage.
    rendition = images[0].get_rendition("fill-32x24")
    assert (rendition.width, rendition.height) == (32, 24)
    assert default_storage.exists(rendition.file.name)

    # The listing page renders with its pictures, as renditions in the storage.
    html = client.get(page.url).content.decode()
    renditions = [r for image in images for r in image.renditions.all()]
    assert any(r.url in html for r in renditions if r.pk != rendition.pk)
    assert all(default_storage.exists(r.file.name) for r in renditions)

    # Unchanged again: nothing new stored.
    again = import_file(_upload(tmp_path, _prop(), name="again.zip"), broker)
    assert again.unchanged == 1 and again.images_created == 0
    assert Image.objects.count() == 2 and Document.objects.count() == 1

    # A picture the broker dropped is deleted from the storage too.
    fewer = _prop()
    fewer.anhaenge = [a for a in fewer.anhaenge if a.pfad != "inside.jpg"]
    gone = next(i for i in images if i.title == "Wohnzimmer")
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail deletes files on commit
        assert import_file(_upload(tmp_path, fewer, name="fewer.zip"), broker).updated == 1
    assert not Image.objects.filter(pk=gone.pk).exists()
    assert not default_storage.exists(gone.file.name)


def test_export_reads_media_through_the_storage_api(tmp_path, broker):
    from wagtail_openimmo.exporting.export import export_broker

    import_file(_upload(tmp_path, _prop()), broker)
    result = export_broker(broker, tmp_path / "export.zip")
    with zipfile.ZipFile(io.BytesIO((tmp_path / "export.zip").read_bytes())) as zf:
        contents = {name: zf.read(name) for name in zf.namelist()}
    assert PDF in contents.values()
    assert sum(1 for data in contents.values() if data.startswith(b"\xff\xd8")) == 2
    assert result is not None


def test_the_inbox_needs_its_own_setting_without_a_media_root(settings):
    from django.core.exceptions import ImproperlyConfigured

    from wagtail_openimmo.conf import inbox_dir

    settings.OPENIMMO_INBOX_DIR = None
    settings.MEDIA_ROOT = ""
    with pytest.raises(ImproperlyConfigured, match="OPENIMMO_INBOX_DIR"):
        inbox_dir()
    settings.OPENIMMO_INBOX_DIR = "/srv/openimmo/inbox"
    assert str(inbox_dir()) == "/srv/openimmo/inbox"
