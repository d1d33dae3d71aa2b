"""Write OpenImmo 1.2.7b transfers, one property at a time.

    with open("openimmo.xml", "wb") as fh, OpenImmoWriter(
        fh, umfang="VOLL", anbieter={"anbieternr": "4711", "firma": "Müller Immobilien",
                                     "openimmo_anid": "MUELLER1"},
    ) as writer:
        for data in records:            # each an <immobilie> in the JSON form of tree.py
            writer.write_property(data)

The file is UTF-8 without a namespace (as OpenImmo has been since 1.2.1), with the children of
every container the schema orders in that order (see ``schema.ELEMENT_ORDER``). It is written
with ``lxml.etree.xmlfile``: each property is turned into an element, written and dropped, so
memory does not grow with the number of properties.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import IO, Any

from lxml import etree

from .schema import in_schema_order
from .tree import Data

VERSION = "1.2.7b"
SENDERSOFTWARE = "wagtail-openimmo"

# Characters XML 1.0 does not allow (lxml refuses them). Editors paste them from other
# programs now and then; they carry no meaning, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", value)


def build_element(data: Data, parent=None):
    """The lxml element for a JSON tree, its containers' children in schema order."""
    tag = data["tag"]
    element = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for key, value in (data.get("attrs") or {}).items():
        element.set(key, xml_text(str(value)))
    if data.get("text") is not None:
        element.text = xml_text(data["text"])
    for child in in_schema_order(tag, data.get("children") or ()):
        build_element(child, element)
    if parent is not None and data.get("tail") is not None:
        element.tail = xml_text(data["tail"])
    return element


def timestamp_text(value: dt.datetime) -> str:
    """An ``xsd:dateTime`` with its zone (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat(timespec="seconds")


class OpenImmoWriter:
    """A context manager that writes one transfer of one broker (``anbieter``).

    ``umfang`` is VOLL (the file is the broker's whole stock) or TEIL (only changes);
    ``anbieter`` holds ``anbieternr``, ``firma`` and ``openimmo_anid``. ``property_count``
    says how many properties were written.
    """

    def __init__(
        self,
        fh: IO[bytes],
        *,
        umfang: str,
        anbieter: dict[str, Any],
        sendersoftware: str = SENDERSOFTWARE,
        senderversion: str = "",
        version: str = VERSION,
        timestamp: dt.datetime | None = None,
        art: str = "OFFLINE",
        modus: str = "CHANGE",
        techn_email: str | None = None,
        pretty_print: bool = True,
    ):
        if umfang not in ("VOLL", "TEIL"):
            raise ValueError(f"umfang must be VOLL or TEIL, not {umfang!r}")
        self.fh = fh
        self.umfang = umfang
        self.anbieter = anbieter
        self.header = {
            "art": art,
            "umfang": umfang,
            "modus": modus,
            "version": version,
            "sendersoftware": sendersoftware,
            "senderversion": senderversion or "0",
            "techn_email": techn_email,
            "timestamp": timestamp_text(timestamp or dt.datetime.now(dt.UTC).astimezone()),
        }
        self.pretty_print = pretty_print
        self.property_count = 0
        self._open: list = []  # the entered context managers, outermost first
        self._xf = None

    def __enter__(self) -> OpenImmoWriter:
        try:
            xf = self._enter(etree.xmlfile(self.fh, encoding="UTF-8"))
            self._xf = xf
            xf.write_declaration()
            self._enter(xf.element("openimmo"))
            self._newline(1)
            header = {k: xml_text(v) for k, v in self.header.items() if v}
            xf.write(etree.Element("uebertragung", header))
            self._newline(1)
            self._enter(xf.element("anbieter"))
            for name in ("anbieternr", "firma", "openimmo_anid", "lizenzkennung"):
                value = self.anbieter.get(name)
                # firma and openimmo_anid are required; the others are left out when empty
                if value or name in ("firma", "openimmo_anid"):
                    self._newline(2)
                    element = etree.Element(name)
                    element.text = xml_text(str(value or ""))
                    xf.write(element)
        except BaseException as exc:
            self._unwind(type(exc), exc, exc.__traceback__)
            raise
        return self

    def write_property(self, data: Data) -> None:
        """Write one ``<immobilie>`` (a JSON tree as ``tree.element_to_data`` gives)."""
        if self._xf is None or len(self._open) < 3:
            raise RuntimeError("OpenImmoWriter.write_property() outside its with block")
        if data.get("tag") != "immobilie":
            raise ValueError(f"expected an <immobilie>, got <{data.get('tag')}>")
        element = build_element({k: v for k, v in data.items() if k != "tail"})
        if self.pretty_print:
            # Indents only where there is no text of the element's own, so mixed content
            # (Text<br/>more) stays as it is.
            etree.indent(element, space="  ", level=2)
        self._newline(2)
        self._xf.write(element)
        self.property_count += 1

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self._unwind(exc_type, exc, tb)
            return False
        self._newline(1)
        self._open.pop().__exit__(None, None, None)  # </anbieter>
        self._newline()
        self._open.pop().__exit__(None, None, None)  # </openimmo>
        self._open.pop().__exit__(None, None, None)  # the xmlfile
        self._xf = None
        return False

    def _enter(self, manager):
        value = manager.__enter__()
        self._open.append(manager)
        return value

    def _unwind(self, exc_type, exc, tb) -> None:
        while self._open:
            manager = self._open.pop()
            with contextlib.suppress(Exception):
                manager.__exit__(exc_type, exc, tb)
        self._xf = None

    def _newline(self, depth: int = 0) -> None:
        if self.pretty_print:
            self._xf.write("\n" + "  " * depth)
