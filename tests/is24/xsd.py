"""Validate IS24 payloads against IS24's own XSDs (copied into tests/fixtures/is24/schemas)."""

from __future__ import annotations

from functools import cache

from lxml import etree

from tests.helpers import FIXTURES
from wagtail_openimmo.is24.mapping import to_xml

SCHEMAS = FIXTURES / "is24" / "schemas"
# realestates-1.0.xsd imports the common namespace without a location, so one wrapper
# schema imports every namespace a payload can use, with its file.
IMPORTS = [
    ("http://www.w3.org/1999/xlink", "xlink.xsd"),
    ("http://rest.immobilienscout24.de/schema/common/1.0", "common-1.0.xsd"),
    ("http://rest.immobilienscout24.de/schema/offer/realestates/1.0", "realestates-1.0.xsd"),
    ("http://rest.immobilienscout24.de/schema/attachmentsorder/1.0", "attachmentsorder-1.0.xsd"),
]


@cache
def schema() -> etree.XMLSchema:
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMAS / name).as_uri()}"/>'
        for ns, name in IMPORTS
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper))


def xsd_errors(payload: dict) -> list[str]:
    """The XSD findings for an IS24 JSON payload (converted to XML); [] when valid."""
    document = etree.fromstring(to_xml(payload))
    validator = schema()
    if validator.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in validator.error_log]
