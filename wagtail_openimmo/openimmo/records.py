"""The typed results of reading a transfer: its header, its brokers and its properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .problems import Problem

ACTIONS = ("CHANGE", "DELETE", "REFERENZ")


@dataclass
class Uebertragung:
    """The ``<uebertragung>`` header.

    ``umfang`` VOLL means the file is the broker's whole stock (what is missing is
    withdrawn); TEIL means it lists only changes. A file without ``umfang`` is read as TEIL,
    the choice that can never withdraw anything by mistake.
    """

    art: str | None = None
    umfang: str = "TEIL"
    umfang_sent: bool = False
    modus: str | None = None
    version: str | None = None
    sendersoftware: str | None = None
    senderversion: str | None = None
    techn_email: str | None = None
    regi_id: str | None = None
    timestamp: dt.datetime | None = None
    line: int | None = None
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Anbieter:
    """One ``<anbieter>`` block: the broker identifiers a file carries."""

    index: int
    anbieternr: str | None = None
    firma: str | None = None
    openimmo_anid: str | None = None
    line: int | None = None
    property_count: int = 0
    implicit: bool = False  # immobilie elements without an <anbieter> around them

    @property
    def label(self) -> str:
        return self.firma or self.openimmo_anid or self.anbieternr or f"#{self.index + 1}"


@dataclass
class AttachmentRef:
    """One ``<anhang>`` as the file describes it.

    Where the bytes are: ``content`` (Base64 ``anhanginhalt``, decoded), ``url`` (a ``pfad``
    that is a URL) or ``path`` (a file next to the XML, usually in the ZIP).
    """

    position: int
    gruppe: str | None = None
    location: str | None = None
    titel: str | None = None
    format: str | None = None
    path: str | None = None
    url: str | None = None
    content: bytes | None = None
    check_type: str | None = None
    check_value: str | None = None
    line: int | None = None

    @property
    def source(self) -> str:
        if self.content is not None:
            return "inline"
        if self.url:
            return "url"
        return "file"

    @property
    def name(self) -> str:
        raw = self.path or self.url or ""
        return raw.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class PropertyRecord:
    """One ``<immobilie>``, read and checked.

    ``fields`` holds the column values that were sent (see ``fields.FIELDS``); ``data`` the
    complete element in lossless JSON form (see ``tree.py``); ``problems`` errors and warnings.
    """

    anbieter: Anbieter
    line: int | None
    position: int
    aktion: str = "CHANGE"
    fields: dict[str, Any] = field(default_factory=dict)
    field_lines: dict[str, int | None] = field(default_factory=dict)
    attachments: list[AttachmentRef] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # What the element was, for the importer's shortcut (``reader.source_of``): SHA-256 of
    # its canonical bytes, and the ``pfad`` of each attachment -- None when an attachment
    # is anything but a plain file path (inline, a URL, neither).
    source_digest: str = ""
    source_paths: list[str] | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def objektnr(self) -> str | None:
        """The number a broker knows the property by, for reports."""
        f = self.fields
        return f.get("objektnr_extern") or f.get("objektnr_intern") or f.get("openimmo_obid")

    @property
    def title(self) -> str | None:
        return self.fields.get("objekttitel")

    def identity_keys(self) -> list[tuple[str, str]]:
        """The identifiers to match an existing listing by, most stable first.

        Exporters differ in which number stays stable: ``objektnr_intern`` first, then
        ``openimmo_obid``, then ``objektnr_extern``.
        """
        return [
            (name, self.fields[name])
            for name in ("objektnr_intern", "openimmo_obid", "objektnr_extern")
            if self.fields.get(name)
        ]
