"""Hostile or broken XML is refused with a reason, never crashes the importer."""

import zipfile

import pytest

from tests.importing.helpers import Prop, transfer
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ListingPage

pytestmark = pytest.mark.django_db

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<openimmo><anbieter><firma>&lol2;</firma></anbieter></openimmo>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<openimmo><anbieter><firma>&secret;</firma></anbieter></openimmo>"""


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (LAUGHS, "dtd_refused"),
        (XXE, "dtd_refused"),
        (b"<openimmo>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</openimmo>", "xml_syntax"),
        (b"\x00\x01\x02 binary", "xml_syntax"),
        (b'<?xml version="1.0" encoding="no-such-encoding"?><openimmo/>', "xml_syntax"),
        (transfer(Prop())[:-40], "xml_syntax"),  # cut off in the middle
    ],
    ids=["billion-laughs", "xxe", "too-deep", "binary", "unknown-encoding", "truncated"],
)
def test_hostile_xml_is_refused(tmp_path, broker, content, code):
    path = tmp_path / "upload.xml"
    path.write_bytes(content)
    result = import_file(path, broker)
    assert result.refused and [e["code"] for e in result.errors] == [code], result.as_json()
    assert not ListingPage.objects.exists()


@pytest.mark.parametrize(("content", "code"), [(LAUGHS, "dtd_refused"), (XXE, "dtd_refused")])
def test_hostile_xml_inside_a_zip_is_refused_as_a_whole(tmp_path, broker, content, code):
    """The XML of a ZIP is read with the same safe reader: one bad file refuses the upload."""
    from tests.importing.helpers import small_jpeg

    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("1-good.xml", transfer(Prop()))
        zf.writestr("2-evil.xml", content)
        zf.writestr("bild.jpg", small_jpeg(1))
    result = import_file(path, broker)
    assert result.refused and [e["code"] for e in result.errors] == [code], result.as_json()
    assert "root:" not in result.message  # nothing of /etc/passwd
    assert not ListingPage.objects.exists()


def test_a_property_over_the_size_limit_is_rejected_and_the_others_imported(tmp_path, broker):
    """Issue 15, item 1: the importer passes MAX_PROPERTY_ELEMENTS to the reader; a VOLL
    transfer does not withdraw the listing it could not read (its number is kept)."""
    from tests.importing.helpers import openimmo_settings, write_upload

    write_upload(tmp_path / "first.xml", transfer(Prop(intern="1", extern="A1"), umfang="VOLL"))
    assert import_file(tmp_path / "first.xml", broker).created == 1
    xml = transfer(Prop(intern="1", extern="A1"), Prop(intern="2", extern="A2"), umfang="VOLL")
    # 3000 tiny elements in the first property's <verwaltung_techn>, after its numbers
    xml = xml.replace(b"</verwaltung_techn>", b"<x/>" * 3000 + b"</verwaltung_techn>", 1)
    path = write_upload(tmp_path / "second.xml", xml)
    with openimmo_settings(MAX_PROPERTY_ELEMENTS=2000):
        result = import_file(path, broker)
    assert (result.rejected, result.created, result.withdrawn) == (1, 1, 0)
    [problem] = result.as_json()["errors"]
    assert problem["objektnr"] == "A1" and problem["code"] == "property_too_large"
    assert "2000" in problem["message"]
    assert ListingPage.objects.get(objektnr_intern="1").live
    assert ListingPage.objects.filter(objektnr_intern="2", live=True).exists()
