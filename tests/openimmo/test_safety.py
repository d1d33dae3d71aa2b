"""Hostile and broken files are refused with a clear error, without touching what they name.

"Never read" is checked, not assumed: a referenced URL points at a local HTTP server that
counts requests, and a referenced file is a named pipe whose opening a watcher would see
(a reader opening it would block until the watcher writes the marker).
"""

from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wagtail_openimmo.openimmo import TransferRefused, read_transfer

from .build import DECLARATION, immobilie, line_of, read, transfer

MARKER = "MARKER-7f3a9c-SECRET"
BODY = (
    "<openimmo><anbieter><immobilie><freitexte><objekttitel>&e;</objekttitel></freitexte>"
    "</immobilie></anbieter></openimmo>"
)


class Recorder(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.requests.append(self.path)
        payload = f'<!ENTITY e "{MARKER}">'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A server on 127.0.0.1 that records every request it gets."""
    handler = type("Handler", (Recorder,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class PipeWatcher:
    """A named pipe that notices when anyone opens it for reading."""

    def __init__(self, path):
        self.path = path
        os.mkfifo(path)
        self.opened = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody has it open for reading
                time.sleep(0.005)
                continue
            self.opened = True
            try:
                os.write(fd, MARKER.encode())
            finally:
                os.close(fd)

    def stop(self):
        time.sleep(0.05)  # give a reader that opened it a chance to be seen
        self._stop.set()
        self._thread.join()


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(MARKER, encoding="utf-8")
    return path


@pytest.fixture
def pipe(tmp_path):
    watcher = PipeWatcher(tmp_path / "secret.pipe")
    yield watcher
    watcher.stop()


def refused(data: bytes | str, **kwargs):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(TransferRefused) as info:
        read_transfer(raw, **kwargs)
    problem = info.value.problem
    assert problem.severity == "error"
    assert MARKER not in str(info.value) + repr(problem)
    return problem


def assert_dtd_refused(problem, line=None):
    assert problem.code == "dtd_refused"
    assert "DOCTYPE" in problem.message and problem.message.endswith(".")
    if line is not None:
        assert problem.line == line


# --- DTDs and entities ---------------------------------------------------------------------


def test_xxe_file_entity_is_refused_unread(secret, pipe):
    for target in (secret, pipe.path):
        xml = f'{DECLARATION}\n<!DOCTYPE openimmo [<!ENTITY e SYSTEM "file://{target}">]>\n{BODY}'
        assert_dtd_refused(refused(xml), line=2)
    pipe.stop()
    assert not pipe.opened


def test_xxe_url_entity_is_refused_without_a_request(http_server):
    base, requests = http_server
    xml = f'<!DOCTYPE openimmo [<!ENTITY e SYSTEM "{base}/entity">]>\n{BODY}'
    assert_dtd_refused(refused(xml), line=1)
    assert requests == []


def test_external_dtd_is_refused_without_a_request(http_server):
    base, requests = http_server
    xml = f'{DECLARATION}\n<!DOCTYPE openimmo SYSTEM "{base}/openimmo.dtd">\n<openimmo/>'
    assert_dtd_refused(refused(xml), line=2)
    xml = f'<!DOCTYPE openimmo PUBLIC "-//X//DTD X//EN" "{base}/public.dtd"><openimmo/>'
    assert_dtd_refused(refused(xml))
    assert requests == []


def test_parameter_entity_is_refused_without_a_request(http_server):
    base, requests = http_server
    xml = f'<!DOCTYPE openimmo [<!ENTITY % p SYSTEM "{base}/p.dtd"> %p;]>\n{BODY}'
    assert_dtd_refused(refused(xml))
    assert requests == []


def test_billion_laughs_is_refused_quickly():
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = f"<!DOCTYPE openimmo [{entities}]>\n" + BODY.replace("&e;", "&lol9;")
    started = time.perf_counter()
    assert_dtd_refused(refused(xml))
    assert time.perf_counter() - started < 5  # not expanded (10^9 "lol"s would take ages)


def test_internal_subset_without_entities_is_refused_too():
    assert_dtd_refused(refused("<!DOCTYPE openimmo>\n<openimmo/>"))


@pytest.mark.parametrize("comment_bytes", [100_000, 3 << 20], ids=["100KB", "3MiB"])
def test_doctype_after_a_long_comment(secret, pipe, comment_bytes):
    """The quick scan reads the first MiB; the parser-level check covers what follows."""
    padding = "<!--" + "x" * comment_bytes + "-->\n"
    xml = (
        f"{DECLARATION}\n{padding}<?pi data?>\n"
        f'<!DOCTYPE openimmo [<!ENTITY e SYSTEM "file://{pipe.path}">]>\n{BODY}'
    )
    # the quick scan names the DOCTYPE's line; past its first MiB the parser names the root's
    where = "<!DOCTYPE" if comment_bytes < (1 << 20) else "<openimmo>"
    assert_dtd_refused(refused(xml), line=line_of(xml, where))
    pipe.stop()
    assert not pipe.opened


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_doctype_in_utf16_is_refused(codec, pipe):
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        f'<!DOCTYPE openimmo [<!ENTITY e SYSTEM "file://{pipe.path}">]>\n{BODY}'
    )
    assert_dtd_refused(refused(xml.encode(codec)), line=2)
    pipe.stop()
    assert not pipe.opened


def test_doctype_after_bom_is_refused():
    assert_dtd_refused(refused(b"\xef\xbb\xbf<!DOCTYPE openimmo>\n<openimmo/>"))


def test_xinclude_is_not_processed(secret, http_server):
    base, requests = http_server
    include = (
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret}" '
        'parse="text"/>'
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{base}/x.xml"/>'
    )
    xml = f'<?xml-stylesheet type="text/xsl" href="{base}/style.xsl"?>\n' + transfer(
        immobilie(freitexte=f"<lage>Zentral{include}</lage>")
    ).replace(DECLARATION + "\n", "")
    _result, (record,) = read(xml)
    assert MARKER not in repr(record.data) + repr(record.fields)
    assert requests == []


# --- limits and broken files ---------------------------------------------------------------


def test_size_limit_is_checked_before_parsing():
    data = transfer().encode()
    problem = refused(data + b"<not xml", max_bytes=len(data))
    assert problem.code == "file_too_large"
    assert str(len(data) + 8) in problem.message and str(len(data)) in problem.message
    assert read_transfer(data, max_bytes=len(data)).property_count == 1


def test_size_limit_applies_to_files_on_disk(tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(transfer(*(immobilie(str(i)) for i in range(50))).encode())
    assert refused(path.read_bytes(), max_bytes=1000).code == "file_too_large"
    with pytest.raises(TransferRefused) as info:
        read_transfer(path, max_bytes=1000)
    assert info.value.problem.code == "file_too_large"


def test_empty_file(tmp_path):
    assert refused(b"").code == "file_empty"
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    with pytest.raises(TransferRefused) as info:
        read_transfer(path)
    assert info.value.problem.code == "file_empty"
    assert info.value.problem.message == "The XML file is empty."


@pytest.mark.parametrize(
    "data,line",
    [
        (b"   \n\t ", 2),
        (b"PK\x03\x04\x14\x00\x00\x00binary", 1),
        (b"\xff\xd8\xff\xe0JFIF", 1),
        (b"hello", 1),
    ],
    ids=["whitespace", "zip", "jpeg", "text"],
)
def test_bytes_that_are_not_xml(data, line):
    problem = refused(data)
    assert problem.code == "xml_syntax" and problem.line == line


def test_not_well_formed_names_the_line():
    xml = transfer(immobilie("1"), immobilie("2").replace("</geo>", "</gео>"))  # Cyrillic "е"
    problem = refused(xml)
    assert problem.code == "xml_syntax"
    assert problem.line == line_of(xml, "</gео>")
    assert problem.message.startswith("The file is not well-formed XML: ")
    assert "\n" not in problem.message and str(problem).startswith(f"line {problem.line}: ")


def test_truncated_upload_is_refused():
    xml = transfer(immobilie("1"), immobilie("2"))
    problem = refused(xml[: len(xml) // 2])
    assert problem.code == "xml_syntax"


def test_excessive_nesting_is_refused():
    deep = "<a>" * 5000 + "x" + "</a>" * 5000
    problem = refused(transfer(immobilie(freitexte=f"<lage>{deep}</lage>")))
    assert problem.code == "xml_syntax"
