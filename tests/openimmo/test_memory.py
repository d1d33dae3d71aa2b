"""Memory does not grow with the number of ``<immobilie>``: a test on RSS growth, not on time.

A ~200 MB transfer is written to disk as a stream (a few generated properties repeated with
new numbers), then read in a subprocess that reports its peak RSS at each stage.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from wagtail_openimmo.openimmo import generate

ROOT = Path(__file__).resolve().parents[2]
TARGET_BYTES = 200 * 1000 * 1000
MAX_GROWTH_BYTES = 60 * 1024 * 1024

READER = r"""
import json, resource, sys
from wagtail_openimmo.openimmo import read_transfer

def peak():  # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

stages = {"imported": peak()}
transfer = read_transfer(sys.argv[1], max_bytes=1 << 30)
stages["header"] = peak()
count = errors = 0
for record in transfer.records():
    count += 1
    errors += len(record.errors)
    if count == 1000:
        stages["first_1000"] = peak()
stages["all"] = peak()
print(json.dumps({"stages": stages, "count": count, "errors": errors,
                  "expected": transfer.property_count}))
"""


def _templates(kinds: int = 24) -> list[bytes]:
    """Serialised generated properties with ``__NR__`` where their numbers go."""
    rnd = random.Random(7)
    out = []
    for n in range(kinds):
        prop = generate.demo_property(n, images=0)
        prop.objektnr_intern = "__NR__"
        prop.objektnr_extern = "W__NR__"
        prop.openimmo_obid = "DEMO___NR__"
        # a broker's description is a few KB of text
        prop.beschreibung = " ".join(
            f"Die Wohnung ist {rnd.choice(generate.WORDS)}." for _ in range(200)
        )
        out.append(etree.tostring(generate.property_element(prop), encoding="utf-8") + b"\n")
    return out


def write_big_transfer(path: Path, target_bytes: int) -> int:
    """Stream a VOLL transfer of about ``target_bytes`` to ``path``; returns the count."""
    templates = _templates()
    count = size = 0
    with path.open("wb") as fh:
        fh.write(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<openimmo>\n'
            b'<uebertragung art="OFFLINE" umfang="VOLL" modus="CHANGE" version="1.2.7b" '
            b'sendersoftware="test" senderversion="1" timestamp="2024-01-01T00:00:00+01:00"/>\n'
            b"<anbieter>\n<firma>Gross Immobilien</firma>\n<openimmo_anid>BIG</openimmo_anid>\n"
        )
        while size < target_bytes:
            chunk = templates[count % len(templates)].replace(b"__NR__", str(count).encode())
            fh.write(chunk)
            size += len(chunk)
            count += 1
        fh.write(b"</anbieter>\n</openimmo>\n")
    return count


@pytest.mark.slow
def test_peak_memory_is_bounded_for_a_200_mb_file(tmp_path):
    path = tmp_path / "big-transfer.xml"
    try:
        written = write_big_transfer(path, TARGET_BYTES)
        assert path.stat().st_size >= TARGET_BYTES
        result = subprocess.run(
            [sys.executable, "-c", READER, str(path)],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        path.unlink(missing_ok=True)  # pytest keeps tmp dirs; 200 MB must not stay
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    stages = report["stages"]
    assert report["count"] == report["expected"] == written > 20_000
    assert report["errors"] == 0
    # reading the header and broker blocks streams through the whole file
    assert stages["header"] - stages["imported"] < MAX_GROWTH_BYTES, stages
    # 1000 properties or all of them: the same memory
    assert stages["all"] - stages["first_1000"] < MAX_GROWTH_BYTES, stages
