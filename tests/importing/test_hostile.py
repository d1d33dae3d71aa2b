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
