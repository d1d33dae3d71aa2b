"""Validation against the operator's own copy of the official OpenImmo XSD.

The OpenImmo licence forbids passing the schema on, so this package ships none: operators
download it from openimmo.de and set ``WAGTAIL_OPENIMMO["XSD_PATH"]``. The header
(``<uebertragung>``) and each ``<immobilie>`` are validated on their own (the schema declares
them as global elements), so validation streams like the reader does.
"""

from __future__ import annotations

import os
import threading

from lxml import etree

from .problems import Problem, _, error, warning
from .safety import PARSER_OPTIONS

MAX_FINDINGS_PER_ELEMENT = 20
_local = threading.local()


class XsdUnavailable(Exception):
    """The configured schema cannot be read or is not an XML Schema (an operator's error)."""


class XsdValidator:
    def __init__(self, schema: etree.XMLSchema, path: str):
        self.schema = schema
        self.path = path

    @classmethod
    def load(cls, path: str | os.PathLike) -> XsdValidator:
        """Load (and cache per thread: lxml schemas must not be shared by threads)."""
        path = os.fspath(path)
        try:
            mtime = os.stat(path).st_mtime
        except OSError as exc:
            raise XsdUnavailable(f"The OpenImmo XSD {path!r} cannot be read: {exc}") from exc
        cache = getattr(_local, "cache", None)
        if cache is None:
            cache = _local.cache = {}
        key = (path, mtime)
        if key not in cache:
            try:
                parser = etree.XMLParser(**PARSER_OPTIONS)
                doc = etree.parse(path, parser)
                cache[key] = cls(etree.XMLSchema(doc), path)
            except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
                raise XsdUnavailable(
                    f"The OpenImmo XSD {path!r} is not a usable XML Schema: {exc}"
                ) from exc
        return cache[key]

    def validate(self, element, *, strict: bool) -> list[Problem]:
        """Findings for one namespace-free element: warnings, or errors when ``strict``."""
        if self.schema.validate(element):
            return []
        make = error if strict else warning
        problems = []
        for entry in list(self.schema.error_log)[:MAX_FINDINGS_PER_ELEMENT]:
            path = (entry.path or "").lstrip("/")
            if path.startswith("immobilie/"):
                path = path[len("immobilie/") :]
            problems.append(
                make(
                    "xsd",
                    _("Does not match the OpenImmo schema: {detail}"),
                    line=entry.line or None,
                    path=path or None,
                    detail=entry.message,
                )
            )
        return problems
