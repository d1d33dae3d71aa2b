"""The upload's SHA-256 is learnt while its ZIP is unpacked, not by reading it twice.

Whatever the ZIP's layout -- members in order, data descriptors (a ZIP written to a pipe),
folders and archiver junk that are skipped, a nested ZIP, a member read out of order --
and whether the upload is imported or refused, the run records exactly what
``sha256sum`` says of the file, before any property is applied.
"""

import hashlib
import io
import zipfile

import pytest

from tests.importing.helpers import Anhang, small_jpeg, write_upload
from tests.importing.test_uploads import good_xml
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.importing.uploads import UploadRefused, _HashingFile, open_upload
from wagtail_openimmo.models import ImportRun

pytestmark = pytest.mark.django_db


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Pipe(io.RawIOBase):
    """A stream zipfile cannot seek in: it writes a data descriptor after each member."""

    def __init__(self):
        self.buffer = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        return len(data)


def streamed_zip(path, members: dict[str, bytes]):
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            with archive.open(name, "w") as fh:
                fh.write(data)
    path.write_bytes(bytes(pipe.buffer))
    return path


def members(count: int = 3) -> dict[str, bytes]:
    pictures = {f"p{n}.jpg": small_jpeg(n) for n in range(count)}
    return {"openimmo.xml": good_xml(*(Anhang(name) for name in pictures)), **pictures}


def layouts(tmp_path):
    files = members()
    yield "in order", write_upload(tmp_path / "plain.zip", files.pop("openimmo.xml"), files)
    yield "data descriptors", streamed_zip(tmp_path / "streamed.zip", members())
    junk = tmp_path / "junk.zip"
    with zipfile.ZipFile(junk, "w") as archive:
        archive.writestr("bilder/", b"")
        archive.writestr("__MACOSX/._p0.jpg", b"\0" * 200_000)  # skipped, larger than a gap
        for name, data in members().items():
            archive.writestr(f"bilder/{name}" if name.endswith(".jpg") else name, data)
        archive.writestr(".DS_Store", b"junk")
    yield "folders and junk", junk
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for name, data in members().items():
            archive.writestr(name, data)
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as archive:
        archive.writestr("export/inner.zip", inner.getvalue())
        archive.writestr("readme.txt", b"x" * 100)
    yield "a ZIP in the ZIP", nested


def test_the_checksum_of_every_layout_is_that_of_the_file(tmp_path):
    for label, path in layouts(tmp_path):
        noted = []
        with open_upload(path, on_checksum=lambda *args, n=noted: n.append(args)) as upload:
            assert upload.xml_files, label
            expected = (sha256(path), path.stat().st_size)
            assert (upload.checksum, upload.size) == expected, label
            assert noted == [expected], label


def test_reads_in_any_order_give_the_checksum_of_the_file(tmp_path):
    path = tmp_path / "data.bin"
    data = bytes(range(256)) * 4000  # ~1 MB
    path.write_bytes(data)
    hashing = _HashingFile(path)
    try:
        for start, length in [
            (len(data) - 100, 100),
            (0, 10),
            (10, 500),
            (600, 50),
            (5, 20),
            (700_000, 10),
            (650, 5000),
        ]:
            hashing.seek(start)
            assert hashing.read(length) == data[start : start + length]
        assert hashing.checksum() == (hashlib.sha256(data).hexdigest(), len(data))
        hashing.seek(0)
        assert hashing.read(3) == data[:3]  # still readable; the checksum stays
        assert hashing.checksum()[0] == hashlib.sha256(data).hexdigest()
    finally:
        hashing.close()


@pytest.mark.parametrize(
    "members, code",
    [
        ({"openimmo.xml": b"<openimmo/>", "tool.exe": b"MZ" + b"\0" * 100}, "zip_executable"),
        ({"a.jpg": small_jpeg(1)}, "no_openimmo_xml"),
    ],
)
def test_a_refused_zip_still_gets_its_checksum(tmp_path, broker, members, code):
    path = tmp_path / "refused.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    noted = []
    with (
        pytest.raises(UploadRefused) as refused,
        open_upload(path, on_checksum=lambda *args: noted.append(args)),
    ):
        pass
    assert refused.value.problem.code == code
    assert noted == [(sha256(path), path.stat().st_size)]
    result = import_file(path, broker)
    assert result.refused
    assert ImportRun.objects.get(pk=result.run.pk).checksum == sha256(path)


def test_runs_record_the_checksum_of_what_they_imported(tmp_path, broker):
    for label, path in layouts(tmp_path):
        result = import_file(path, broker)
        assert not result.refused, label
        run = ImportRun.objects.get(pk=result.run.pk)
        assert (run.checksum, run.size) == (sha256(path), path.stat().st_size), label


def test_a_damaged_zip_and_a_bare_xml_get_their_checksum_too(tmp_path, broker):
    files = members(1)
    good = write_upload(tmp_path / "good.zip", files.pop("openimmo.xml"), files)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    bare = tmp_path / "bare.xml"
    bare.write_bytes(good_xml())
    for path in (damaged, bare):
        result = import_file(path, broker)
        assert ImportRun.objects.get(pk=result.run.pk).checksum == sha256(path), path.name


def test_a_file_of_an_unknown_broker_gets_its_checksum(tmp_path):
    path = tmp_path / "stranger.xml"
    path.write_bytes(good_xml())
    result = import_file(path, None)
    assert result.refused
    assert ImportRun.objects.get(pk=result.run.pk).checksum == sha256(path)


def test_the_checksum_is_stored_before_the_first_property_is_applied(tmp_path, broker, monkeypatch):
    from wagtail_openimmo.importing import isolation

    files = members(2)
    path = write_upload(tmp_path / "up.zip", files.pop("openimmo.xml"), files)
    stored = []
    real = isolation.process

    def process(ctx, *args, **kwargs):
        stored.append(ImportRun.objects.get(pk=ctx.run.pk).checksum)
        return real(ctx, *args, **kwargs)

    monkeypatch.setattr(isolation, "process", process)
    import_file(path, broker)
    assert stored == [sha256(path)]
