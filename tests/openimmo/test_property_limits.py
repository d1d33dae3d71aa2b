"""One ``<immobilie>`` is bounded in bytes and elements while it streams (issue 15, item 1).

A property made of millions of tiny elements used to be built in memory whole (20 MB of XML
took 2 GB). Now a property beyond ``max_property_elements`` / ``max_property_bytes`` is
yielded as a rejected record with its number and a reason, its content is freed as it
streams past, and the properties around it are read as usual.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from wagtail_openimmo.openimmo import generate, read_transfer

ROOT = Path(__file__).resolve().parents[2]

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking pytest worker (which
# may hold 150 MB of Django) across exec; VmHWM belongs to the new process's memory.
READER = r"""
import json, sys
from wagtail_openimmo.openimmo import read_transfer

def peak():
    with open("/proc/self/status") as fh:
        line = next(l for l in fh if l.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024

transfer = read_transfer(sys.argv[1])
records = [{"nr": r.objektnr, "errors": [p.code for p in r.errors],
            "text": [str(p.message) for p in r.errors]} for r in transfer.records()]
print(json.dumps({"records": records,
                  "peak": peak()}))
"""


def _read_in_subprocess(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", READER, str(path)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_20_mb_property_of_tiny_elements_is_rejected_in_flat_memory(tmp_path):
    path = tmp_path / "bloated.xml"
    number = generate.write_bloated_xml(path, target_bytes=20 << 20, shape="elements")
    assert path.stat().st_size > 20 << 20
    report = _read_in_subprocess(path)
    records = report["records"]
    assert [r["nr"] for r in records] == ["W00000", number, "W00002"]
    assert [r["errors"] for r in records] == [[], ["property_too_large"], []]
    assert "50000 elements" in records[1]["text"][0]
    # the default limits: 2.6 million elements were 2 GB before; a generous bound
    assert report["peak"] < 400 << 20, report["peak"]


def test_a_property_of_big_texts_is_rejected_by_its_bytes(tmp_path):
    path = tmp_path / "texts.xml"
    generate.write_bloated_xml(path, target_bytes=12 << 20, shape="text")
    transfer = read_transfer(path, max_property_bytes=8 << 20)
    records = list(transfer.records())
    assert [r.objektnr for r in records] == ["W00000", "BLOAT-1", "W00002"]
    assert [[p.code for p in r.errors] for r in records] == [[], ["property_too_large"], []]
    assert "8 MB" in str(records[1].errors[0].message)
    assert records[0].fields["objekttitel"] and records[2].fields["objekttitel"]


def test_limits_are_counted_per_property_not_per_file(tmp_path):
    """Many properties near the limit are all read: the count starts anew with each."""
    path = tmp_path / "many.xml"
    generate.write_xml(path, [generate.demo_property(n, images=0) for n in range(40)])
    plain = list(read_transfer(path).records())
    assert all(r.ok for r in plain)
    elements = max(len(list(_iter(r.data))) for r in plain)
    # counted per chunk the parser reads (32 KB, at most 8192 tags): exact to one chunk
    limited = list(read_transfer(path, max_property_elements=elements + 8192).records())
    assert len(limited) == 40 and all(r.ok for r in limited)
    # below what one property has: every one is rejected, each with its own number
    tight = list(read_transfer(path, max_property_elements=10).records())
    assert [r.objektnr for r in tight] == [r.objektnr for r in plain]
    assert {p.code for r in tight for p in r.errors} == {"property_too_large"}


def test_bloat_inside_verwaltung_techn_keeps_the_number(tmp_path):
    """The identifiers before the bloat are kept even when the bloat sits beside them."""
    path = tmp_path / "techn.xml"
    junk = b"<x/>" * 40_000
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?><openimmo><uebertragung umfang="TEIL"/>'
        b"<anbieter><openimmo_anid>A</openimmo_anid>"
        b"<immobilie><verwaltung_techn><objektnr_intern>7</objektnr_intern>"
        b"<objektnr_extern>E7</objektnr_extern>" + junk + b"</verwaltung_techn></immobilie>"
        b"<immobilie><verwaltung_techn><objektnr_extern>E8</objektnr_extern>"
        b"</verwaltung_techn></immobilie></anbieter></openimmo>"
    )
    records = list(read_transfer(path, max_property_elements=1000).records())
    assert [r.objektnr for r in records] == ["E7", "E8"]
    assert records[0].fields["objektnr_intern"] == "7"
    assert [p.code for p in records[0].errors] == ["property_too_large"]
    assert "property_too_large" not in [p.code for p in records[1].errors]


def test_bloat_outside_properties_does_not_build_up(tmp_path):
    """Millions of elements between properties are freed as well (not bounded, just freed)."""
    path = tmp_path / "between.xml"
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0"?><openimmo><uebertragung umfang="TEIL"/><anbieter>'
                 b"<openimmo_anid>A</openimmo_anid><user_defined_anyfield>")
        for _ in range(300):
            fh.write(b"<f>1</f>" * 8192)
        fh.write(b"</user_defined_anyfield><immobilie><verwaltung_techn><objektnr_extern>E1"
                 b"</objektnr_extern></verwaltung_techn></immobilie></anbieter></openimmo>")
    report = _read_in_subprocess(path)
    assert [r["nr"] for r in report["records"]] == ["E1"]
    assert "property_too_large" not in report["records"][0]["errors"]
    assert report["peak"] < 150 << 20, report["peak"]


def _iter(data):
    yield data
    for child in data.get("children", []):
        yield from _iter(child)
