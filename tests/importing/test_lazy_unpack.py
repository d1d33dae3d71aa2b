"""A ZIP's pictures are checked and hashed from the ZIP, and unpacked only when needed.

An unchanged re-import compares SHA-256 hashes only, so it never writes a picture to disk;
a property that is written unpacks its files first. The checks are those of unpacking.
"""

import hashlib
import warnings
import zipfile

import pytest

from tests.importing.helpers import Anhang, md5, small_jpeg, write_upload
from tests.importing.test_uploads import good_xml
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.importing.uploads import Upload, open_upload
from wagtail_openimmo.models import ListingAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def unpacked(monkeypatch):
    """The members the importer unpacks (a spy around the real ``Upload.extract``)."""
    seen = []
    real = Upload.extract

    def extract(self, path):
        hashes = real(self, path)
        if hashes is not None:
            seen.append(path.name)
        return hashes

    monkeypatch.setattr(Upload, "extract", extract)
    return seen


def test_pictures_are_hashed_from_the_zip_and_unpacked_when_found(tmp_path):
    picture = small_jpeg(1)
    path = write_upload(tmp_path / "up.zip", good_xml(Anhang("a.jpg")), {"a.jpg": picture})
    with open_upload(path) as upload:
        xml = upload.xml_files[0]
        place = upload.lookup("a.jpg", xml)
        assert not place.exists()  # not unpacked yet
        assert upload.digest(place) == (hashlib.sha256(picture).hexdigest(), len(picture))
        assert upload.find("A.JPG", xml).read_bytes() == picture
        assert upload.extract(place) is None  # once only


def test_an_unchanged_reimport_unpacks_no_picture_a_changed_property_its_own(
    tmp_path, broker, unpacked
):
    files = {"a.jpg": small_jpeg(1), "b.jpg": small_jpeg(2)}
    xml = good_xml(Anhang("a.jpg", md5=md5(files["a.jpg"])), Anhang("b.jpg"))
    path = write_upload(tmp_path / "up.zip", xml, files)
    first = import_file(path, broker)
    assert first.created == 1 and first.images_created == 2 and first.warnings == []
    assert sorted(unpacked) == ["a.jpg", "b.jpg"]
    unpacked.clear()
    again = import_file(path, broker)
    assert again.unchanged == 1 and unpacked == []
    # a new price: the property is written, its files unpacked, the pictures reused
    changed = write_upload(tmp_path / "changed.zip", good_xml(*_refs(), kaufpreis="1.00"), files)
    result = import_file(changed, broker)
    assert result.updated == 1 and result.images_created == 0
    assert sorted(unpacked) == ["a.jpg", "b.jpg"]
    assert ListingAttachment.objects.filter(md5=md5(files["a.jpg"])).count() == 1


def _refs():
    return Anhang("a.jpg", md5=md5(small_jpeg(1))), Anhang("b.jpg")


def test_a_member_twice_and_a_file_where_a_folder_would_be_keep_the_first(tmp_path, broker):
    path = tmp_path / "up.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        zf.writestr("openimmo.xml", good_xml(Anhang("a.jpg"), Anhang("b.jpg")))
        zf.writestr("a.jpg", small_jpeg(1))
        zf.writestr("a.jpg", small_jpeg(2))  # the same name again
        zf.writestr("b.jpg", small_jpeg(3))
        zf.writestr("b.jpg/c.jpg", small_jpeg(4))  # b.jpg is a file, not a folder
    result = import_file(path, broker)
    assert result.created == 1 and result.images_created == 2
    codes = [w["code"] for w in result.warnings]
    assert codes.count("zip_duplicate") == 2
    hashes = set(ListingAttachment.objects.values_list("content_hash", flat=True))
    assert hashes == {hashlib.sha256(small_jpeg(n)).hexdigest() for n in (1, 3)}
