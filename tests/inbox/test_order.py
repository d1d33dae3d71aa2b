"""One broker's files are applied in the order the broker wrote them."""

import datetime as dt
import zipfile

from tests.inbox_support import stamp, write_upload, zip_bytes
from wagtail_openimmo.inbox import order
from wagtail_openimmo.openimmo import generate


def test_header_timestamp_of_zip_and_xml(tmp_path):
    z = write_upload(tmp_path, "a.zip", zip_bytes(timestamp=stamp(5)))
    x = write_upload(tmp_path, "b.xml", generate.xml_bytes([], timestamp=stamp(7)))
    assert order.transfer_timestamp(z) == stamp(5)
    assert order.transfer_timestamp(x) == stamp(7)


def test_header_without_zone_is_local_time(tmp_path, settings):
    xml = generate.xml_bytes([], timestamp=dt.datetime(2026, 11, 1, 12, 0))
    path = write_upload(tmp_path, "a.xml", xml)
    assert order.transfer_timestamp(path) == dt.datetime(2026, 11, 1, 11, 0, tzinfo=dt.UTC)


def test_no_header_timestamp(tmp_path):
    bare = write_upload(tmp_path, "a.xml", b"<openimmo><anbieter/></openimmo>")
    broken = write_upload(tmp_path, "b.zip", b"PK\x03\x04 not a zip")
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as zf:
        zf.writestr("readme.txt", "no xml")
    assert order.transfer_timestamp(bare) is None
    assert order.transfer_timestamp(broken) is None
    assert order.transfer_timestamp(tmp_path / "c.zip") is None


def test_file_name_timestamps():
    berlin = dt.timezone(dt.timedelta(hours=1))
    assert order.name_timestamp("Portal-4711-20261101123456.zip") == dt.datetime(
        2026, 11, 1, 12, 34, 56, tzinfo=berlin
    )
    assert order.name_timestamp("export_2026-11-01_12-34-56.zip") == dt.datetime(
        2026, 11, 1, 12, 34, 56, tzinfo=berlin
    )
    assert order.name_timestamp("export.zip") is None
    assert order.name_timestamp("20261399999999.zip") is None


def test_sort_key_prefers_header_then_name_then_upload_time(tmp_path):
    # uploaded in the "wrong" order: the header decides
    newer = write_upload(tmp_path, "1.zip", zip_bytes(timestamp=stamp(10)), mtime=100)
    older = write_upload(tmp_path, "2.zip", zip_bytes(timestamp=stamp(1)), mtime=200)
    named = write_upload(tmp_path, "x-20261101115500.zip", b"no header", mtime=300)
    plain = write_upload(tmp_path, "y.zip", b"no header", mtime=50)
    files = sorted([newer, older, named, plain], key=lambda p: order.sort_key(p, p.stat().st_mtime))
    assert [p.name for p in files] == ["y.zip", "x-20261101115500.zip", "2.zip", "1.zip"]
