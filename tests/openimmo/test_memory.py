"""Memory does not grow with the number of ``<immobilie>``: a test on RSS growth, not on time.

A ~200 MB transfer is written to disk as a stream (``generate.write_large_xml``: a few
generated properties repeated with new numbers), then read in a subprocess that reports its
peak RSS at each stage.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_peak_memory_is_bounded_for_a_200_mb_file(tmp_path):
    path = tmp_path / "big-transfer.xml"
    try:
        written = generate.write_large_xml(path, target_bytes=TARGET_BYTES)
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
