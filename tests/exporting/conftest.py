import pytest

from wagtail_openimmo.exporting import export as export_module
from wagtail_openimmo.openimmo import read_transfer
from wagtail_openimmo.openimmo.writer import OpenImmoWriter

# What the project's own rules find in strict mode that a valid export must never show:
# structure (order, unknown elements, kinds of property) and the value sets the exporter
# writes (aktion, attachment groups, the header). Completeness codes (kaufpreis_missing…)
# are the importer's requirements, not the schema's, and some tests export bare listings.
SCHEMA_CODES = {
    "element_order",
    "element_unknown",
    "objektart_invalid",
    "gruppe_invalid",
    "aktion_invalid",
    "aktion_new",
    "umfang_invalid",
    "umfang_missing",
    "no_uebertragung",
    "several_anbieter",
    "timestamp",
}


def schema_findings(xml: bytes) -> list[tuple[str, str | None, dict]]:
    transfer = read_transfer(xml, strict=True)
    problems = list(transfer.problems)
    for record in transfer.records():
        problems.extend(record.problems)
    return [(p.code, p.path, p.params) for p in problems if p.code in SCHEMA_CODES]


class CheckedWriter(OpenImmoWriter):
    """The exporter's writer, checking every file it writes with the strict rules."""

    written: list[bytes] = []

    def __exit__(self, exc_type, exc, tb):
        fh = self.fh
        result = super().__exit__(exc_type, exc, tb)
        if exc_type is None:
            fh.seek(0)
            xml = fh.read()
            CheckedWriter.written.append(xml)
            assert schema_findings(xml) == []
        return result


@pytest.fixture(autouse=True)
def every_export_is_checked(monkeypatch):
    """Every export made in these tests passes the project's strict rules."""
    CheckedWriter.written = []
    monkeypatch.setattr(export_module, "OpenImmoWriter", CheckedWriter)
    yield CheckedWriter.written
