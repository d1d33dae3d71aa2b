"""Helpers that build import runs, their log entries and listing pages directly.

They stand in for the importer where a test is about what happens after a run (reports,
retention, the admin); the findings in them come from the real reader, so their templates
and parameters are exactly what the importer stores.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.utils import timezone
from lxml import etree

from wagtail_openimmo.messages import problem_record
from wagtail_openimmo.models import ImportRun, ImportRunEntry, ListingPage
from wagtail_openimmo.openimmo import generate
from wagtail_openimmo.openimmo.reader import read_transfer


def reader_findings(n: int = 0, *, drop: tuple[str, ...] = (), images: int = 0) -> list[dict]:
    """The run-log records of what the reader finds in generated property ``n`` once the
    elements named in ``drop`` are removed from it (in strict mode, where a missing price
    rejects the property; lenient mode only warns)."""
    root = etree.fromstring(generate.xml_bytes([generate.demo_property(n, images=images)]))
    for name in drop:
        for element in list(root.iter(name)):
            element.getparent().remove(element)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "openimmo.xml"
        path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        (record,) = list(read_transfer(path, strict=True).records())
        return [problem_record(p) for p in record.problems]


def make_listing(broker, objektnr: str, title: str, *, live: bool = True) -> ListingPage:
    page = ListingPage(
        title=title, slug=objektnr.lower(), broker=broker, objektnr_extern=objektnr,
        imported=True, live=live,
    )
    broker.index_page.add_child(instance=page)
    if live:
        page.save_revision().publish()
    return page


def make_run(broker, *, status=ImportRun.Status.IMPORTED, entries=(), file_name="feed.zip",
             **fields) -> ImportRun:
    """A finished run with ``entries`` (dicts of ImportRunEntry fields); the counters are
    derived from the entries' outcomes unless given."""
    now = timezone.now()
    run = ImportRun.objects.create(
        broker=broker, file_name=file_name, status=status, started_at=now, finished_at=now,
        umfang=fields.pop("umfang", "TEIL"), **fields,
    )
    counts = {}
    for position, data in enumerate(entries):
        ImportRunEntry.objects.create(run=run, position=position, **data)
        counts[data["outcome"]] = counts.get(data["outcome"], 0) + 1
        warnings = [m for m in data.get("messages", []) if m.get("severity") == "warning"]
        if warnings and data["outcome"] != "rejected":
            counts["warnings"] = counts.get("warnings", 0) + 1
    for name in ("created", "updated", "unchanged", "withdrawn", "rejected", "warnings"):
        if name not in fields:
            setattr(run, name, counts.get(name, 0))
    run.save()
    return run

# What the reader tells a broker whose property for sale has no price, in both languages.
KAUFPREIS_EN = "The purchase price is missing: a property for sale (vermarktungsart KAUF)"
KAUFPREIS_DE = "Pflichtfeld preise/kaufpreis fehlt bei Vermarktungsart KAUF"
