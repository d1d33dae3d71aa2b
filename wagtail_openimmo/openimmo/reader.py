"""Stream an OpenImmo file into typed records, with bounded memory.

    transfer = read_transfer("export.xml")
    transfer.uebertragung.umfang        # "VOLL" or "TEIL"
    transfer.anbieter                   # the broker blocks, with their identifiers
    for record in transfer.records():   # one PropertyRecord per <immobilie>, in file order
        ...

``read_transfer`` reads the file once up front (with lxml ``iterparse``, clearing what it has
read) to learn the header and the ``<anbieter>`` identifiers -- exporters may put
``openimmo_anid`` after the properties -- and ``records()`` reads it again, yielding one
record at a time. Memory therefore does not grow with the number of properties.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from . import rules, values
from .fields import extract_fields, find_path
from .problems import Problem, Text, TransferRefused, _, error, warning
from .records import ACTIONS, Anbieter, AttachmentRef, PropertyRecord, Uebertragung
from .safety import PARSER_OPTIONS, dtd_refused, sniff
from .tree import element_to_data, localname
from .xsd import XsdValidator

DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB
# One <immobilie> is built in memory whole (to check and store it); these bound it. A real
# property has a few hundred elements and, with pictures inline as Base64, some MB.
DEFAULT_MAX_PROPERTY_BYTES = 64 << 20  # 64 MiB
DEFAULT_MAX_PROPERTY_ELEMENTS = 50_000
# Identifiers read from a property over the limit, so that the report can name it and a VOLL
# transfer does not withdraw the listing it could not read.
_ID_FIELDS = ("objektnr_extern", "objektnr_intern", "openimmo_obid")
CURRENT_VERSION = "1.2.7b"
# 1.2.7b files often still say 1.2.7, and 1.2.7c only adds optional attributes: all current.
CURRENT_VERSIONS = ("1.2.7", "1.2.7b", "1.2.7c")
OLD_VERSIONS = ("1.2", "1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.2.6")

_PASS1_TAGS = ["{*}uebertragung", "{*}anbieter", "{*}anbieternr", "{*}firma",
               "{*}openimmo_anid", "{*}immobilie"]
_PASS2_TAGS = ["{*}anbieter", "{*}immobilie"]
# What tells which listing a property is (see importing/matching.py).
IDENTITY_FIELDS = frozenset({"objektnr_intern", "openimmo_obid", "objektnr_extern", "sprache"})
# What ``records(shortcut=...)`` reads of each property first (an unchanged property's log
# line needs its number and title).
LIGHT_FIELDS = IDENTITY_FIELDS | {"objekttitel"}


@dataclass
class Transfer:
    """One OpenImmo file: header, broker blocks, file-level problems, and its records."""

    source: Path | bytes
    uebertragung: Uebertragung
    anbieter: list[Anbieter]
    root_tag: str
    namespace: str | None
    size: int
    parse_encoding: str | None
    strict: bool = False
    xsd: XsdValidator | None = None
    problems: list[Problem] = field(default_factory=list)
    max_property_bytes: int = DEFAULT_MAX_PROPERTY_BYTES
    max_property_elements: int = DEFAULT_MAX_PROPERTY_ELEMENTS
    root_name: str | None = None  # the root element's tag, for the event filter

    @property
    def property_count(self) -> int:
        return sum(a.property_count for a in self.anbieter)

    @property
    def umfang(self) -> str:
        return self.uebertragung.umfang

    def records(self, shortcut=None) -> Iterator[PropertyRecord]:
        """Yield every ``<immobilie>`` in document order (re-readable).

        A property is built in memory only up to ``max_property_bytes`` and
        ``max_property_elements``; beyond that its content is thrown away as it streams past
        and it is yielded as a rejected record that carries only its identifiers.

        ``shortcut(record)``, if given, is first called with a light record of each property
        (its numbers, ``sprache``, ``objekttitel``, ``aktion``, line and ``source_*``; no
        checks, no attachments, no stored tree), when the property has been read and the
        ones before it have been handled. What it returns, unless None, is yielded instead
        of the full record, which is then never built.
        """
        if shortcut is None:
            return self._read(self._record)

        def make(element, anbieter, position):
            light = self._light(element, anbieter, position)
            taken = shortcut(light)
            return taken if taken is not None else self._record(element, anbieter, position)

        return self._read(make)

    def identities(self, shortcut=None) -> Iterator[PropertyRecord]:
        """Like ``records()``, but each record carries only its numbers and ``sprache``.

        Enough to tell which listing a property is, at a fraction of the cost of a full
        record (no checks, no attachments, no stored tree).

        ``shortcut(record)``, if given, is called as in ``records()`` with the light record
        of each property (which carries the numbers too) until it first returns None; what
        it returns is yielded instead. From the first None on, only identity records are
        read.
        """
        if shortcut is None:
            return self._read(self._identity)
        taking = True

        def make(element, anbieter, position):
            nonlocal taking
            if not taking:
                return self._identity(element, anbieter, position)
            light = self._light(element, anbieter, position)
            taken = shortcut(light)
            if taken is None:
                taking = False
                return light
            return taken

        return self._read(make)

    def _read(self, make) -> Iterator[PropertyRecord]:
        with _open(self.source) as raw:
            fh = _Pruning(raw, self.max_property_bytes, self.max_property_elements)
            context = etree.iterparse(
                fh,
                events=("start", "end"),
                tag=_tags(_PASS2_TAGS, self.root_name),
                encoding=self.parse_encoding,
                **PARSER_OPTIONS,
            )
            anbieter_index = -1
            position = 0
            implicit = next((a for a in self.anbieter if a.implicit), None)
            try:
                for event, element in context:
                    if fh.root is None:
                        fh.root = element.getroottree().getroot()
                    name = localname(element.tag)
                    if name == "anbieter":
                        if event == "start":
                            anbieter_index += 1
                        else:
                            _release(element)
                        continue
                    if name != "immobilie" or fh.keep not in (None, element):
                        continue  # the root, or a property inside a property
                    if event == "start":
                        fh.follow(element)
                        continue
                    parent = element.getparent()
                    in_anbieter = parent is not None and localname(parent.tag) == "anbieter"
                    anbieter = (
                        self.anbieter[anbieter_index]
                        if in_anbieter and 0 <= anbieter_index < len(self.anbieter)
                        else implicit
                    )
                    fh.check_end(element)
                    if fh.over:
                        yield self._oversized(element, fh, anbieter, position)
                    else:
                        yield make(element, anbieter, position)
                    fh.follow(None)
                    position += 1
                    _release(element)
            except etree.XMLSyntaxError as exc:
                # pass 1 parsed the same bytes, so this is rare (file changed meanwhile)
                raise TransferRefused(_syntax_problem(exc)) from exc
            finally:
                del context

    def _identity(self, element, anbieter: Anbieter, position: int) -> PropertyRecord:
        _strip_namespaces(element)
        record = PropertyRecord(anbieter=anbieter, line=element.sourceline, position=position)
        record.fields, record.field_lines, _notes = extract_fields(element, IDENTITY_FIELDS)
        return record

    def _light(self, element, anbieter: Anbieter, position: int) -> PropertyRecord:
        _strip_namespaces(element)
        record = PropertyRecord(anbieter=anbieter, line=element.sourceline, position=position)
        record.aktion, record.problems = _aktion(element)
        record.fields, record.field_lines, _notes = extract_fields(element, LIGHT_FIELDS)
        record.source_digest, record.source_paths = source_of(element)
        return record

    def _oversized(self, element, fh: _Pruning, anbieter: Anbieter, position: int):
        """The rejected record of a property over the size limits: identifiers and reason."""
        fh.note_ids(element)
        record = PropertyRecord(anbieter=anbieter, line=element.sourceline, position=position)
        record.fields = dict(fh.ids)
        record.data = {"tag": "immobilie"}
        by_elements = fh.elements > self.max_property_elements
        record.problems = [
            error(
                "property_too_large",
                _("The property is too large to be read: it has more than {max_elements} "
                  "elements (the limit per property). It was rejected unread; the other "
                  "properties of the file were read.")
                if by_elements else
                _("The property is too large to be read: it has more than {max_mb} MB (the "
                  "limit per property). It was rejected unread; the other properties of the "
                  "file were read."),
                line=element.sourceline,
                max_elements=self.max_property_elements,
                max_mb=_megabytes(self.max_property_bytes),
            )
        ]
        return record

    def _record(self, element, anbieter: Anbieter, position: int) -> PropertyRecord:
        _strip_namespaces(element)
        record = PropertyRecord(anbieter=anbieter, line=element.sourceline, position=position)
        record.aktion, aktion_problems = _aktion(element)
        record.fields, record.field_lines, notes = extract_fields(element)
        record.attachments, attachment_problems = read_attachments(element)
        record.data = element_to_data(element)
        record.data.pop("tail", None)
        record.source_digest, record.source_paths = source_of(element)
        record.problems = [*aktion_problems, *notes, *attachment_problems]
        if self.xsd is not None:
            record.problems.extend(self.xsd.validate(element, strict=self.strict))
        record.problems.extend(rules.check_record(record, element, strict=self.strict))
        return record


class _open:
    """A binary file handle for a path or for bytes."""

    def __init__(self, source):
        self.source = source

    def __enter__(self):
        if isinstance(self.source, bytes | bytearray):
            self.fh = io.BytesIO(self.source)
        else:
            self.fh = open(self.source, "rb")  # noqa: SIM115 - closed in __exit__
        return self.fh

    def __exit__(self, *exc):
        self.fh.close()


class _Pruning:
    """The file handle the parser reads from, which frees what has been read between reads.

    lxml builds the whole tree while it parses; the reader only sees the elements it asked
    for (properties, broker blocks). Before each read of the next chunk (about 32 KB) every
    closed element that is not needed any more is deleted -- everything outside the element
    being followed (``keep``: the current property, or the header). The elements still open
    form a chain from the root, each the last child of its parent, so all earlier children
    along that chain are closed and can go; this runs in C (slice deletion), whatever the
    number of elements.

    While an element is followed its bytes and elements are counted as the chunks stream in
    (elements as ``<`` that do not close a tag; exact to a chunk or two). Beyond the limits
    it is ``over``: from then on its content is pruned as well, keeping its identifiers for
    the report. A property that ends within the limits of the stream count has its elements
    counted exactly at its end (``check_end``).
    """

    def __init__(self, fh, max_bytes: int, max_elements: int):
        self.fh = fh
        self.max_bytes = max_bytes
        self.max_elements = max_elements
        self.root = None
        self.keep = None
        self.bytes = self.elements = 0
        self.over = False
        self.ids: dict[str, str] = {}

    def follow(self, element) -> None:
        self.keep = element
        self.bytes = self.elements = 0
        self.over = False
        self.ids = {}

    def read(self, size: int = -1) -> bytes:
        if self.root is not None:
            self._prune()
        data = self.fh.read(size)
        if self.keep is not None and not self.over:
            self.bytes += len(data)
            self.elements += data.count(b"<") - data.count(b"</")
            if self.bytes > self.max_bytes or self.elements > self.max_elements:
                self.over = True
                self._prune()
        return data

    def check_end(self, element) -> None:
        """The exact element count of a property read whole (the stream count starts with the
        chunk after its start, so a property inside one chunk is counted here)."""
        if not self.over and element.xpath("count(.//*)") + 1 > self.max_elements:
            self.elements = self.max_elements + 1
            self.over = True

    def _prune(self) -> None:
        if self.over:
            self.note_ids(self.keep)
        node = self.root
        while node is not None and (node is not self.keep or self.over):
            if len(node) > 1:
                del node[:-1]
            node = node[-1] if len(node) else None

    def note_ids(self, element) -> None:
        """Keep the identifiers of a property whose content is being thrown away."""
        if len(self.ids) == len(_ID_FIELDS):
            return
        techn = element.find("{*}verwaltung_techn")
        if techn is None:
            return
        for name in _ID_FIELDS:
            if name in self.ids:
                continue
            node = techn.find("{*}" + name)
            value = values.clean_text(node.text) if node is not None else None
            if value and len(value) <= 255:
                self.ids[name] = value


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):g}"


def _tags(tags: list[str], root_name: str | None) -> list[str]:
    """The event filter: ``tags`` and the root element, which the pruning starts from."""
    if root_name and "}" in root_name:
        root_name = root_name.rsplit("}", 1)[-1]
    if root_name:
        return [*tags, "{*}" + root_name.split(":")[-1]]
    return tags


def _release(element) -> None:
    """Free what has been read: the element's content and its earlier siblings."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# The elements with a namespace or a namespaced attribute, in document order (found in C;
# most files have none, and the others few besides the tags).
_NAMESPACED = etree.XPath(
    "descendant-or-self::*[namespace-uri() != '' or @*[namespace-uri() != '']]"
)


def _strip_namespaces(element) -> None:
    """Reduce tags and attributes to their local names (OpenImmo is read by name)."""
    for node in _NAMESPACED(element):
        if isinstance(node.tag, str) and node.tag[0] == "{":
            node.tag = localname(node.tag)
        for key in list(node.attrib):
            if key[0] == "{":
                value = node.attrib.pop(key)
                if not key.startswith("{http://www.w3.org/2001/XMLSchema-instance}"):
                    node.set(localname(key), value)


def _syntax_problem(exc: etree.XMLSyntaxError) -> Problem:
    line = exc.position[0] if getattr(exc, "position", None) else getattr(exc, "lineno", None)
    detail = str(exc.msg if getattr(exc, "msg", None) else exc)
    return error(
        "xml_syntax",
        _("The file is not well-formed XML: {detail}"),
        line=line,
        detail=" ".join(detail.split()),
    )


def _aktion(element) -> tuple[str, list[Problem]]:
    """The action of a property. Absent, CHANGE and the non-standard NEW all mean upsert."""
    node = find_path(element, "verwaltung_techn/aktion")
    if node is None:
        return "CHANGE", []
    raw = next((v for k, v in node.attrib.items() if localname(k) == "aktionart"), None)
    if raw is None or not raw.strip():
        return "CHANGE", []
    value = raw.strip().upper()
    problems = []
    if value == "NEW":
        problems.append(
            warning(
                "aktion_new",
                _("aktionart=“NEW” is not part of OpenImmo; the property was treated as CHANGE."),
                line=node.sourceline,
                path="verwaltung_techn/aktion",
            )
        )
        return "CHANGE", problems
    if value in ACTIONS:
        if raw.strip() != value:
            problems.append(
                warning(
                    "aktion_case",
                    _("aktionart=“{value}” should be written in capitals ({upper})."),
                    line=node.sourceline,
                    path="verwaltung_techn/aktion",
                    value=raw,
                    upper=value,
                )
            )
        return value, problems
    problems.append(
        error(
            "aktion_invalid",
            _("aktionart=“{value}” is unknown; allowed are CHANGE, DELETE and REFERENZ."),
            line=node.sourceline,
            path="verwaltung_techn/aktion",
            value=raw,
        )
    )
    return "CHANGE", problems


def _text(node, name: str) -> str | None:
    child = find_path(node, name)
    return values.clean_text(child.text) if child is not None else None


def _attr(node, name: str) -> str | None:
    value = next((v for k, v in node.attrib.items() if localname(k) == name), None)
    return values.clean_text(value)


def _is_url(text: str) -> bool:
    lower = text.lower()
    return lower.startswith(("http://", "https://", "ftp://", "file:", "//"))


def _anhang_nodes(immobilie) -> list:
    """The ``<anhang>`` elements of a property: in ``<anhaenge>`` or directly below it."""
    nodes = []
    for child in immobilie:
        name = localname(child.tag)
        if name == "anhaenge":
            nodes.extend(c for c in child if localname(c.tag) == "anhang")
        elif name == "anhang":
            nodes.append(child)
    return nodes


def source_of(immobilie) -> tuple[str, list[str] | None]:
    """SHA-256 of a namespace-free ``<immobilie>`` as lxml serializes it (canonical: the
    same for the same content, whatever the file's encoding or its place in the file), and
    the ``pfad`` of each of its attachments in order -- None when any attachment is not a
    plain file path (inline content, a URL, neither: the importer's shortcut leaves those to
    the full path).
    """
    digest = hashlib.sha256(etree.tostring(immobilie, with_tail=False)).hexdigest()
    paths: list[str] | None = []
    # lxml's own lookups by plain name (this runs for every property of every import): the
    # element is namespace-free, and a tag with an undeclared prefix never gets this far
    # (the parser refuses the file as not well-formed)
    for child in immobilie.iterchildren("anhaenge", "anhang"):
        for node in child.iterchildren("anhang") if child.tag == "anhaenge" else (child,):
            daten = node.find("daten")
            pfad = values.clean_text(daten.findtext("pfad")) if daten is not None else None
            inhalt = daten.find("anhanginhalt") if daten is not None else None
            if not pfad or _is_url(pfad) or (inhalt is not None and (inhalt.text or "").strip()):
                return digest, None
            paths.append(pfad)
    return digest, paths


def read_attachments(immobilie) -> tuple[list[AttachmentRef], list[Problem]]:
    """``<anhang>`` elements of a property, in the broker's order.

    They sit in ``<anhaenge>`` or, as some exporters write them, directly under
    ``<immobilie>``. Where the bytes are is decided by what the data is, not by ``location``
    (see the notes in ``records.AttachmentRef``).
    """
    nodes = _anhang_nodes(immobilie)
    refs: list[AttachmentRef] = []
    problems: list[Problem] = []
    for position, node in enumerate(nodes):
        daten = find_path(node, "daten")
        ref = AttachmentRef(
            position=position,
            gruppe=(_attr(node, "gruppe") or "").upper() or None,
            location=(_attr(node, "location") or "").upper() or None,
            titel=_text(node, "anhangtitel"),
            format=_text(node, "format"),
            line=node.sourceline,
        )
        check = find_path(node, "check")
        if check is not None:
            ref.check_type = (_attr(check, "ctype") or "").upper() or None
            ref.check_value = values.clean_text(check.text)
        pfad = _text(daten, "pfad") if daten is not None else None
        inhalt = find_path(daten, "anhanginhalt") if daten is not None else None
        if inhalt is not None and (inhalt.text or "").strip():
            try:
                ref.content = base64.b64decode("".join(inhalt.text.split()), validate=True)
            except (binascii.Error, ValueError):
                problems.append(
                    warning(
                        "attachment_base64",
                        _("Attachment {position}: anhanginhalt is not valid Base64; skipped."),
                        line=inhalt.sourceline,
                        path="anhaenge/anhang/daten/anhanginhalt",
                        position=position + 1,
                    )
                )
                continue
            ref.path = pfad
        elif pfad and _is_url(pfad):
            ref.url = pfad
        elif pfad:
            ref.path = pfad
        else:
            problems.append(
                warning(
                    "attachment_empty",
                    _("Attachment {position} ({gruppe}) has neither a file path nor content; "
                      "skipped."),
                    line=node.sourceline,
                    path="anhaenge/anhang",
                    position=position + 1,
                    gruppe=ref.gruppe or "?",
                )
            )
            continue
        refs.append(ref)
    return refs, problems


def read_transfer(
    source: str | os.PathLike | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = False,
    xsd_path: str | os.PathLike | None = None,
    max_property_bytes: int = DEFAULT_MAX_PROPERTY_BYTES,
    max_property_elements: int = DEFAULT_MAX_PROPERTY_ELEMENTS,
) -> Transfer:
    """Check and pre-read an OpenImmo file; raise ``TransferRefused`` if it cannot be read.

    ``strict`` turns schema findings and element order into errors (the default reports
    schema findings as warnings: real exporters' files rarely pass the XSD). ``xsd_path``
    is the operator's own copy of the official OpenImmo XSD, if any. A property beyond
    ``max_property_bytes`` or ``max_property_elements`` is read as a rejected record.
    """
    if not isinstance(source, bytes | bytearray):
        source = Path(source)
    xsd = XsdValidator.load(xsd_path) if xsd_path else None
    with _open(source) as raw:
        sniffed = sniff(raw, max_bytes=max_bytes)
        fh = _Pruning(raw, max_property_bytes, max_property_elements)
        header, anbieter, root_tag, namespace, problems = _first_pass(
            fh, sniffed.parse_encoding, xsd=xsd, strict=strict, root_name=sniffed.root_tag
        )
    problems = [*sniffed.problems, *problems]
    return Transfer(
        source=source,
        uebertragung=header,
        anbieter=anbieter,
        root_tag=root_tag,
        namespace=namespace,
        size=sniffed.size,
        parse_encoding=sniffed.parse_encoding,
        strict=strict,
        xsd=xsd,
        problems=problems,
        max_property_bytes=max_property_bytes,
        max_property_elements=max_property_elements,
        root_name=sniffed.root_tag,
    )


def _first_pass(fh: _Pruning, encoding, *, xsd: XsdValidator | None = None,
                strict: bool = False, root_name: str | None = None):
    # Properties are only counted here: ``fh`` frees everything but the header as it goes.
    context = etree.iterparse(
        fh, events=("start", "end"), tag=_tags(_PASS1_TAGS, root_name), encoding=encoding,
        **PARSER_OPTIONS,
    )
    header = Uebertragung()
    header_seen = False
    anbieter: list[Anbieter] = []
    current: Anbieter | None = None
    implicit: Anbieter | None = None
    problems: list[Problem] = []
    root = None
    try:
        for event, element in context:
            if root is None:
                root = fh.root = element.getroottree().getroot()
                # safety.sniff has refused DTDs already; this guards against a gap in it
                if element.getroottree().docinfo.doctype:
                    raise dtd_refused(root.sourceline)
            name = localname(element.tag)
            if fh.keep is not None and element is not fh.keep:
                continue  # inside the header
            parent = element.getparent()
            parent_name = localname(parent.tag) if parent is not None else ""
            if name == "anbieter":
                if event == "start":
                    current = Anbieter(index=len(anbieter), line=element.sourceline)
                    anbieter.append(current)
                else:
                    current = None
                    _release(element)
            elif name == "immobilie":
                if event == "start":
                    if current is not None and parent_name == "anbieter":
                        current.property_count += 1
                    else:
                        if implicit is None:
                            implicit = Anbieter(index=-1, line=element.sourceline, implicit=True)
                        implicit.property_count += 1
                else:
                    _release(element)
            elif name == "uebertragung" and not header_seen:
                if event == "start":
                    fh.follow(element)
                    continue
                fh.follow(None)
                if fh.over:
                    raise TransferRefused(
                        error("header_too_large",
                              _("The <uebertragung> header is larger than a property may be "
                                "({max_elements} elements, {max_mb} MB); the file was "
                                "refused."),
                              line=element.sourceline, max_elements=fh.max_elements,
                              max_mb=_megabytes(fh.max_bytes))
                    )
                header_seen = True
                header = _header(element, problems)
                if xsd is not None:
                    _strip_namespaces(element)
                    problems.extend(xsd.validate(element, strict=strict))
            elif event == "end" and current is not None and parent_name == "anbieter":
                setattr(current, name, values.clean_text(element.text))
    except etree.XMLSyntaxError as exc:
        raise TransferRefused(_syntax_problem(exc)) from exc
    if context.root is not None:
        root = context.root
    del context
    if root is None:
        raise TransferRefused(error("not_openimmo", _("The file contains no XML elements.")))
    if root.getroottree().docinfo.doctype:
        raise dtd_refused(root.sourceline)
    root_tag = localname(root.tag)
    namespace = etree.QName(root).namespace
    if implicit is not None:
        implicit.index = len(anbieter)
        anbieter.append(implicit)
    if root_tag != "openimmo":
        if not any(a.property_count for a in anbieter):
            raise TransferRefused(
                error(
                    "not_openimmo",
                    _("This is not an OpenImmo file: its root element is <{root}>, not "
                      "<openimmo>, and it contains no <immobilie>."),
                    line=root.sourceline,
                    root=root_tag,
                )
            )
        problems.append(
            warning("root_not_openimmo",
                    _("The root element is <{root}>, not <openimmo>; it was read anyway."),
                    line=root.sourceline, root=root_tag)
        )
    if namespace:
        problems.append(
            warning(
                "namespace",
                _("The file uses the XML namespace “{namespace}” (OpenImmo 1.2.0 and older); "
                  "since 1.2.1 OpenImmo has none. It was read without it."),
                line=root.sourceline,
                namespace=namespace,
            )
        )
    if implicit is not None:
        problems.append(
            warning("no_anbieter",
                    _("Properties found outside an <anbieter> element: {count}. They were "
                      "read without broker identifiers."),
                    line=implicit.line, count=implicit.property_count)
        )
    blocks = [a for a in anbieter if not a.implicit]
    if len(blocks) > 1:
        problems.append(
            warning("several_anbieter",
                    _("The file has {count} <anbieter> blocks; all must belong to the same "
                      "broker."),
                    line=blocks[1].line, count=len(blocks))
        )
    if not header_seen and root_tag == "openimmo":
        problems.append(
            warning("no_uebertragung",
                    _("The file has no <uebertragung> header; it was treated as a partial "
                      "transfer (TEIL)."),
                    line=root.sourceline)
        )
    return header, anbieter, root_tag, namespace, problems


def _header(element, problems: list[Problem]) -> Uebertragung:
    attrs = {localname(k): v for k, v in element.attrib.items()}
    header = Uebertragung(line=element.sourceline, attrs=attrs)
    for name in ("art", "modus", "version", "sendersoftware", "senderversion", "techn_email",
                 "regi_id"):
        setattr(header, name, values.clean_text(attrs.get(name)))
    umfang = (attrs.get("umfang") or "").strip().upper()
    if umfang in ("VOLL", "TEIL"):
        header.umfang = umfang
        header.umfang_sent = True
    elif umfang:
        problems.append(
            error("umfang_invalid",
                  _("umfang=“{value}” is unknown (VOLL or TEIL); the file was treated as TEIL."),
                  line=element.sourceline, value=attrs.get("umfang"))
        )
    else:
        problems.append(
            warning("umfang_missing",
                    _("The header has no umfang; the file was treated as a partial transfer "
                      "(TEIL), which withdraws nothing."),
                    line=element.sourceline)
        )
    version = (header.version or "").strip().lower()
    if version and version not in CURRENT_VERSIONS:
        known = version in OLD_VERSIONS
        problems.append(
            warning(
                "old_version" if known else "unknown_version",
                _("The file says OpenImmo version {version}; this app reads {current} and "
                  "older 1.2.x files by element name.") if known else
                _("The file says OpenImmo version “{version}”, which is unknown; it was read "
                  "as {current}."),
                line=element.sourceline,
                version=header.version,
                current=CURRENT_VERSION,
            )
        )
    raw = attrs.get("timestamp")
    if raw:
        header.timestamp, notes = values.parse_datetime(raw)
        for template in notes:
            problems.append(
                warning("timestamp", template, line=element.sourceline,
                        label=Text(_("Transfer timestamp")), value=raw)
            )
    return header
