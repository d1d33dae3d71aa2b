"""ZIPs as real exporters make them are accepted; unsafe ones are refused as a whole."""

import stat
import tempfile
import zipfile

import pytest

from tests.helpers import shared_sample
from tests.importing.helpers import (
    Anhang,
    Prop,
    openimmo_settings,
    small_jpeg,
    transfer,
    write_upload,
    zip_bytes,
)
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.importing.uploads import UploadRefused, open_upload
from wagtail_openimmo.models import ImportRun, ListingAttachment, ListingPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Temporary folders of the importer go here, so tests can see they are cleaned up (its
    scratch folders, normally in <inbox>/.openimmo/work/, and anything in tempfile's)."""
    from wagtail_openimmo import workspace

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(workspace, "work_root", lambda: folder)
    return folder


def good_xml(*anhaenge, **kwargs):
    return transfer(Prop(anhaenge=list(anhaenge), **kwargs))


def make_zip(path, members):
    """``members``: name -> bytes, or name -> (bytes, dict of ZipInfo attributes)."""
    flagged = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in members.items():
            data, attrs = value if isinstance(value, tuple) else (value, {})
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3
            for key, attr in attrs.items():
                if key == "flag_bits":
                    flagged.append((name, attr))  # zipfile resets it while writing
                else:
                    setattr(info, key, attr)
            zf.writestr(info, data)
    for name, bits in flagged:
        _set_flag_bits(path, name, bits)
    return path


def _set_flag_bits(path, name, bits):
    """Patch the general-purpose flags of ``name`` in the local and central headers."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo(name).header_offset
    data[offset + 6] |= bits
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + length]) == encoded:
            data[central + 8] |= bits
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def assert_refused(result, code):
    assert result.refused and result.status == ImportRun.Status.REJECTED, result.as_json()
    assert [e["code"] for e in result.errors] == [code]
    assert result.message
    assert not ListingPage.objects.exists()
    run = result.run
    assert run.status == "rejected" and run.message == result.message
    assert run.problems[-1]["code"] == code


SYMLINK = {"external_attr": (stat.S_IFLNK | 0o777) << 16}
EXECUTABLE = {"external_attr": (stat.S_IFREG | 0o755) << 16}
ENCRYPTED = {"flag_bits": 0x1}


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ({"../evil.jpg": b"x"}, "zip_unsafe_path"),
        ({"bilder/../../evil.jpg": b"x"}, "zip_unsafe_path"),
        ({"/etc/evil.jpg": b"x"}, "zip_absolute_path"),
        ({"C:\\Windows\\evil.jpg": b"x"}, "zip_absolute_path"),
        ({"link.jpg": (b"/etc/passwd", SYMLINK)}, "zip_symlink"),
        ({"install.sh": b"#!/bin/sh"}, "zip_executable"),
        ({"shell.php": b"<?php ?>"}, "zip_executable"),
        ({"bilder/setup.EXE": b"MZ"}, "zip_executable"),
        ({".htaccess": b"x"}, "zip_executable"),
        ({"run": (b"x", EXECUTABLE)}, "zip_executable"),
        ({"bilder/foto.jpg": b"\x7fELF\x02\x01\x01" + bytes(64)}, "zip_executable"),
        ({"foto.jpg": b"#!/bin/sh\nrm -rf /"}, "zip_executable"),
        ({"doc.pdf": b"MZ" + bytes(58) + b"\x40\x00\x00\x00PE\x00\x00"}, "zip_executable"),
        ({"secret.jpg": (b"x", ENCRYPTED)}, "zip_encrypted"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else v,
)
def test_unsafe_zips_are_refused_as_a_whole(tmp_path, private_tmp, broker, members, code):
    path = make_zip(tmp_path / "up.zip", {"openimmo.xml": good_xml(), **members})
    assert_refused(import_file(path, broker), code)
    assert not (tmp_path / "evil.jpg").exists() and not (tmp_path.parent / "evil.jpg").exists()
    assert list(private_tmp.iterdir()) == []


def test_exec_bits_on_data_files_are_harmless(tmp_path, broker):
    """Real exporters set them (ext-realty's foo.zip has an XML with mode 0775)."""
    path = make_zip(
        tmp_path / "up.zip",
        {
            "openimmo.xml": (good_xml(Anhang("foto.jpg")), EXECUTABLE),
            "foto.jpg": (small_jpeg(1), EXECUTABLE),
        },
    )
    result = import_file(path, broker)
    assert result.created == 1 and result.images_created == 1


def test_a_zip_larger_than_the_limit_once_unpacked_is_refused(tmp_path, broker):
    path = make_zip(tmp_path / "up.zip", {"openimmo.xml": good_xml(), "big.jpg": bytes(200_000)})
    assert path.stat().st_size < 10_000
    with openimmo_settings(MAX_UPLOAD_UNCOMPRESSED_BYTES=100_000):
        assert_refused(import_file(path, broker), "zip_too_large")


def test_a_zip_bomb_hidden_in_a_nested_zip_is_refused(tmp_path, broker):
    inner = zip_bytes({"openimmo.xml": good_xml(), "zeros.jpg": bytes(300_000)})
    path = make_zip(tmp_path / "up.zip", {"inner.zip": inner})
    with openimmo_settings(MAX_UPLOAD_UNCOMPRESSED_BYTES=100_000):
        assert_refused(import_file(path, broker), "zip_too_large")


def test_a_zip_with_too_many_members_is_refused(tmp_path, broker):
    members = {"openimmo.xml": good_xml(), **{f"b{i}.jpg": b"x" for i in range(6)}}
    path = make_zip(tmp_path / "up.zip", members)
    with openimmo_settings(MAX_ZIP_MEMBERS=5):
        assert_refused(import_file(path, broker), "zip_too_many_members")


def test_zips_nested_too_deep_are_refused(tmp_path, broker):
    level2 = zip_bytes({"openimmo.xml": good_xml()})
    level1 = zip_bytes({"level2.zip": level2})
    path = make_zip(tmp_path / "up.zip", {"level1.zip": level1})
    with openimmo_settings(MAX_ZIP_DEPTH=1):
        assert_refused(import_file(path, broker), "zip_nested_too_deep")
    assert import_file(path, broker).created == 1  # the default allows two levels


def test_a_damaged_zip_is_refused(tmp_path, broker):
    whole = make_zip(
        tmp_path / "whole.zip", {"openimmo.xml": good_xml(), "a.jpg": small_jpeg(1)}
    ).read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(whole[: len(whole) // 2])
    assert_refused(import_file(path, broker), "zip_damaged")


def test_a_zip_without_xml_is_refused(tmp_path, broker):
    path = make_zip(tmp_path / "up.zip", {"bild.jpg": small_jpeg(1)})
    assert_refused(import_file(path, broker), "no_openimmo_xml")


def test_a_zip_whose_xml_files_are_not_openimmo_is_refused(tmp_path, broker):
    path = make_zip(tmp_path / "up.zip", {"a.xml": b"<foo>bar</foo>", "b.xml": b"<x/>"})
    result = import_file(path, broker)
    assert_refused(result, "no_openimmo_xml")
    assert "a.xml, b.xml" in result.message


def test_a_file_that_is_no_xml_at_all_is_refused(tmp_path, broker):
    path = tmp_path / "upload.xml"
    path.write_bytes(b"%PDF-1.4 not xml")
    assert_refused(import_file(path, broker), "xml_syntax")


def test_a_missing_file_is_refused(tmp_path, broker):
    assert_refused(import_file(tmp_path / "gone.zip", broker), "upload_missing")


def test_several_xml_files_are_imported_in_name_order(tmp_path, broker):
    path = make_zip(
        tmp_path / "up.zip",
        {
            "2-second.xml": transfer(Prop(kaufpreis="2")),
            "1-first.xml": transfer(Prop(kaufpreis="1")),
            "manifest.xml": b"<manifest/>",
        },
    )
    result = import_file(path, broker)
    assert [e.outcome for e in result.entries] == ["created", "updated"]
    assert ListingPage.objects.get().kaufpreis == 2
    codes = [w["code"] for w in result.warnings]
    assert "xml_ignored" in codes and "several_xml" in codes


def test_xml_in_a_subfolder_with_windows_paths_and_other_case(tmp_path, broker):
    xml = good_xml(
        Anhang("bilder/eins.jpg", "TITELBILD", "Eins"),
        Anhang("C:\\Export\\Bilder\\ZWEI.JPG", "BILD", "Zwei"),
        Anhang("..\\bilder\\drei.jpg", "BILD", "Drei"),
    )
    path = make_zip(
        tmp_path / "up.zip",
        {
            "export/openimmo.xml": xml,
            "export/bilder/eins.jpg": small_jpeg(1),
            "export/bilder/zwei.jpg": small_jpeg(2),
            "bilder/drei.jpg": small_jpeg(3),
            "__MACOSX/export/._openimmo.xml": b"junk",
        },
    )
    result = import_file(path, broker)
    assert result.created == 1 and result.warnings == [], result.warnings
    titles = list(ListingAttachment.objects.values_list("titel", flat=True))
    assert titles == ["Eins", "Zwei", "Drei"]


def test_a_zip_inside_the_zip(tmp_path, broker):
    inner = zip_bytes({"openimmo.xml": good_xml(Anhang("bild.jpg")), "bild.jpg": small_jpeg(1)})
    path = make_zip(tmp_path / "up.zip", {"inner.zip": inner})
    result = import_file(path, broker)
    assert result.created == 1 and result.images_created == 1


def test_attachment_names_are_found_whatever_their_case(tmp_path, broker):
    path = make_zip(
        tmp_path / "up.zip",
        {"openimmo.xml": good_xml(Anhang("BILD.JPG")), "bild.jpg": small_jpeg(1)},
    )
    assert import_file(path, broker).images_created == 1


def test_a_bare_xml_may_use_files_next_to_it_but_not_elsewhere(tmp_path, broker):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "Bild.jpg").write_bytes(small_jpeg(1))
    (tmp_path / "secret.jpg").write_bytes(small_jpeg(2))
    xml = good_xml(Anhang("bild.jpg"), Anhang("../secret.jpg"), Anhang("/etc/hostname"))
    result = import_file(write_upload(folder / "openimmo.xml", xml), broker)
    assert result.images_created == 1
    assert [w["code"] for w in result.warnings] == ["attachment_missing"] * 2


def test_open_upload_cleans_up_its_temporary_folder(tmp_path, private_tmp):
    path = write_upload(tmp_path / "up.zip", good_xml(Anhang("a.jpg")), {"a.jpg": b"x"})
    with open_upload(path) as upload:
        assert upload.is_zip and [x.name for x in upload.xml_files] == ["openimmo.xml"]
        assert upload.find("A.JPG", upload.xml_files[0]).read_bytes() == b"x"
        assert list(private_tmp.iterdir())
    assert list(private_tmp.iterdir()) == []
    with pytest.raises(UploadRefused), open_upload(make_zip(tmp_path / "x.zip", {"../x": b"1"})):
        pass
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["ext-realty__empty.zip", "ext-realty__bar-bar.zip", "ext-realty__contains-folder.zip"]
)
def test_sample_zips_without_openimmo_are_refused(name, broker):
    result = import_file(shared_sample(name), broker)
    assert_refused(result, "no_openimmo_xml")
