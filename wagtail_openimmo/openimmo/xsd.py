"""Validation against the operator's own copy of the official OpenImmo XSD.

The OpenImmo licence forbids passing the schema on, so this package ships none: operators
download it from openimmo.de and set ``WAGTAIL_OPENIMMO["XSD_PATH"]``. Each ``<immobilie>``
is validated on its own (the schema declares it as a global element), so validation streams
like the reader does.
"""

from __future__ import annotations

import os
import threading

from lxml import etree

from .problems import Problem, _, error, warning
from .safety import PARSER_OPTIONS

MAX_FINDINGS_PER_ELEMENT = 20
_local = threading.local()


class XsdValidator:
    def __init__(self, schema: etree.XMLSchema, path: str):
        self.schema = schema
        self.path = path

    @classmethod
    def load(cls, path: str | os.PathLike) -> XsdValidator:
        """Load (and cache per thread: lxml schemas must not be shared by threads)."""
        path = os.fspath(path)
        mtime = os.stat(path).st_mtime
        cache = getattr(_local, "cache", None)
        if cache is None:
            cache = _local.cache = {}
        key = (path, mtime)
        if key not in cache:
            parser = etree.XMLParser(**PARSER_OPTIONS)
            doc = etree.parse(path, parser)
            cache[key] = cls(etree.XMLSchema(doc), path)
        return cache[key]

    def validate(self, element, *, strict: bool) -> list[Problem]:
        if self.schema.validate(element):
            return []
        make = error if strict else warning
        problems = []
        for entry in list(self.schema.error_log)[:MAX_FINDINGS_PER_ELEMENT]:
            problems.append(
                make(
                    "xsd",
                    _("Does not match the OpenImmo schema: {detail}"),
                    line=entry.line or None,
                    detail=entry.message,
                )
            )
        return problems
