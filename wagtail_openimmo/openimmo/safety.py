"""Reading untrusted XML safely, and guessing what encoding the file really uses.

Broker files are other people's data and may be hostile. Every parse goes through
``PARSER_OPTIONS``: no DTD loading, no entity expansion, no network. A document that declares
a DTD at all is refused before its records are read, twice over: a quick scan of the bytes
before the root element (``check_prolog``) and, because a scan can be fooled by encodings or
a prolog longer than it reads, the parser's own view of the prolog (``check_doctype``). Files
beyond a size limit are refused unread.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field

from lxml import etree

from .problems import Problem, TransferRefused, _, error, warning

PARSER_OPTIONS = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Without a BOM, UTF-16 and UTF-32 show themselves by where the NUL bytes of "<?" fall
# (XML 1.0, appendix F). libxml2 detects them the same way.
_BOMLESS = (
    (b"<\0\0\0", "utf-32-le"),
    (b"\0\0\0<", "utf-32-be"),
    (b"<\0?\0", "utf-16-le"),
    (b"\0<\0?", "utf-16-be"),
)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
LATIN_NAMES = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-8859-15",
               "iso8859-15", "windows-1252", "cp1252"}
# Windows exporters write Windows-1252 (with "€" at 0x80) and call it ISO-8859-1, whose
# 0x80-0x9F are invisible control characters; browsers read the label as Windows-1252 too.
ISO_8859_1_NAMES = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1"}
ASCII_NAMES = {"us-ascii", "ascii"}  # a subset of UTF-8: checked like UTF-8
HEAD_BYTES = 1 << 20  # the quick DTD scan reads this much of the prolog
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


@dataclass
class Sniffed:
    """What ``sniff`` learnt about a file before parsing it."""

    size: int
    declared_encoding: str | None
    bom: str | None
    parse_encoding: str | None  # an override for the parser, or None to trust the file
    problems: list[Problem] = field(default_factory=list)
    root_tag: str | None = None  # the root element's tag, namespace included


def _read_head(fh) -> bytes:
    fh.seek(0)
    head = fh.read(HEAD_BYTES)
    fh.seek(0)
    return head


def dtd_refused(line: int | None = None) -> TransferRefused:
    return TransferRefused(
        error(
            "dtd_refused",
            _(
                "The file declares a DTD or entities (<!DOCTYPE …>). OpenImmo files need none, "
                "and such files can be used to attack the server, so the file was refused "
                "unread. Please export it without a DOCTYPE."
            ),
            line=line,
        )
    )


def check_prolog(head: bytes, encoding: str | None) -> None:
    """Refuse documents with a DTD (``<!DOCTYPE``) or entity declarations.

    OpenImmo never needs a DTD; entity declarations are how XXE and "billion laughs" attacks
    work. The prolog is everything before the root element. ``encoding`` is the one a BOM or
    the NUL-byte pattern revealed; otherwise the prolog is ASCII in every encoding we read.
    A comment or processing instruction that runs past ``head`` ends the scan without a
    verdict: ``check_doctype`` then decides with the parser.
    """
    text = head.decode(encoding or "latin-1", errors="replace")
    pos = 0
    length = len(text)
    while pos < length:
        if text[pos] in " \t\r\n\ufeff":
            pos += 1
        elif text.startswith("<?", pos):
            end = text.find("?>", pos)
            if end < 0:
                break
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
            if end < 0:
                break
            pos = end + 3
        elif text.startswith("<!", pos):
            raise dtd_refused(text.count("\n", 0, pos) + 1)
        else:
            return  # the root element starts here


def check_doctype(fh, encoding: str | None) -> str | None:
    """Let the parser read up to the root element and refuse any DTD it saw on the way.

    The parser runs with ``PARSER_OPTIONS``, so even a hostile DTD is only declared here,
    never loaded or expanded. A syntax error is left for the reader to report with its line.
    Returns the root element's tag (the reader follows it to free what it has read).
    """
    parser = etree.XMLPullParser(events=("start",), encoding=encoding, **PARSER_OPTIONS)
    fh.seek(0)
    try:
        while True:
            chunk = fh.read(1 << 16)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            for _event, element in parser.read_events():
                if element.getroottree().docinfo.doctype:
                    raise dtd_refused(element.sourceline)
                return element.tag
            if not chunk:
                return None
    except etree.XMLSyntaxError:
        return None
    finally:
        fh.seek(0)


def _valid_utf8(fh) -> tuple[bool, bool]:
    """(is valid UTF-8, has non-ASCII bytes), reading the file in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    non_ascii = False
    fh.seek(0)
    try:
        while chunk := fh.read(1 << 20):
            if not non_ascii and max(chunk) > 0x7F:
                non_ascii = True
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False, non_ascii
    finally:
        fh.seek(0)
    return True, non_ascii


def _search(fh, pattern: re.Pattern) -> bool:
    fh.seek(0)
    try:
        while chunk := fh.read(1 << 20):
            if pattern.search(chunk):
                return True
        return False
    finally:
        fh.seek(0)


def _single_byte_encoding(fh) -> str:
    """Windows-1252 for bytes that are not UTF-8, unless it has no character for one of them.

    ISO-8859-1 can decode any byte, so nothing is lost then.
    """
    return "iso-8859-1" if _search(fh, _CP1252_UNDEFINED) else "windows-1252"


def _mismatch(declared: str) -> Problem:
    return warning(
        "encoding_mismatch",
        _(
            "The file declares {declared} but its content is UTF-8; it was read as UTF-8 "
            "(otherwise umlauts would turn into “Ã¶”). Please fix the XML header."
        ),
        line=1,
        declared=declared.upper(),
    )


def sniff(fh, *, max_bytes: int) -> Sniffed:
    """Size, BOM, declared and real encoding, and the DTD check, before parsing."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    if size > max_bytes:
        raise TransferRefused(
            error(
                "file_too_large",
                _("The XML file is {size} bytes, more than the limit of {limit} bytes."),
                size=size,
                limit=max_bytes,
            )
        )
    if size == 0:
        raise TransferRefused(error("file_empty", _("The XML file is empty.")))
    head = _read_head(fh)
    problems: list[Problem] = []
    bom = next((name for mark, name in _BOMS if head.startswith(mark)), None)
    if bom:
        problems.append(
            warning(
                "byte_order_mark",
                _("The file starts with a byte order mark ({encoding}); it was skipped."),
                line=1,
                encoding=bom.upper(),
            )
        )
    wide = None if bom else next((n for mark, n in _BOMLESS if head.startswith(mark)), None)
    check_prolog(head, bom if bom and bom != "utf-8" else wide)

    declared = None
    if bom in (None, "utf-8") and wide is None:
        match = _DECLARATION.match(head[3:] if bom == "utf-8" else head)
        if match:
            declared = match.group(1).decode("ascii").lower()

    override = None
    if wide or bom not in (None, "utf-8"):
        pass  # UTF-16/32: the parser detects them itself
    elif bom is None and (declared is None or declared in ("utf-8", "utf8", *ASCII_NAMES)):
        valid, non_ascii = _valid_utf8(fh)
        if valid and non_ascii and declared in ASCII_NAMES:
            override = "utf-8"
            problems.append(_mismatch(declared))
        elif not valid:
            override = _single_byte_encoding(fh)
            problems.append(
                warning(
                    "encoding_guessed",
                    _(
                        "The file declares {declared} but is not valid UTF-8; it was read as "
                        "ISO-8859-1 (Windows-1252). Please fix the encoding in the XML header."
                    )
                    if declared
                    else _(
                        "The file has no encoding declaration and is not UTF-8; it was read as "
                        "ISO-8859-1 (Windows-1252). Please declare the encoding in the XML "
                        "header, for example <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>."
                    ),
                    line=1,
                    declared=(declared or "").upper(),
                )
            )
    elif declared in LATIN_NAMES:
        valid, non_ascii = _valid_utf8(fh)
        if valid and non_ascii:
            override = "utf-8"
            problems.append(_mismatch(declared))
        elif (
            not valid
            and declared in ISO_8859_1_NAMES
            and _search(fh, _C1_BYTES)
            and not _search(fh, _CP1252_UNDEFINED)
        ):
            override = "windows-1252"
    root_tag = check_doctype(fh, override)
    return Sniffed(size, declared, bom, override, problems, root_tag)
