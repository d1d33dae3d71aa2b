"""One hostile property: time and memory of reading a transfer whose middle ``<immobilie>``
is hundreds of MB of tiny elements (or big texts), the attack of issue 15, item 1.

    python benchmarks/property_bloat.py               # 200 MB of tiny elements
    python benchmarks/property_bloat.py 200 text      # 200 MB of 1 MB texts

The file (``generate.write_bloated_xml``: three properties, the second bloated) is read with
the default limits (MAX_PROPERTY_BYTES 64 MiB, MAX_PROPERTY_ELEMENTS 50,000) in a fresh
process; the result goes to ``benchmarks/results/property-bloat-<MB>-<shape>.json``. Before
the limits a 200 MB file of this shape took 18 GB of RAM and 264 s.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wagtail_openimmo.openimmo import generate  # noqa: E402

READER = r"""
import json, sys, time
from wagtail_openimmo.openimmo import read_transfer

def peak():
    with open("/proc/self/status") as fh:
        return int(next(l for l in fh if l.startswith("VmHWM:")).split()[1]) * 1024

started = time.perf_counter()
transfer = read_transfer(sys.argv[1])
header = time.perf_counter()
records = [(r.objektnr, [p.code for p in r.errors]) for r in transfer.records()]
print(json.dumps({"records": records, "pass1_s": header - started,
                  "total_s": time.perf_counter() - started, "peak_rss_bytes": peak()}))
"""


def main(megabytes: int, shape: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bloated.xml"
        generate.write_bloated_xml(path, target_bytes=megabytes << 20, shape=shape)
        size = path.stat().st_size
        result = subprocess.run(
            [sys.executable, "-c", READER, str(path)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, check=True,
        )
    report = json.loads(result.stdout)
    report.update(
        file_bytes=size, shape=shape, date=time.strftime("%Y-%m-%d"),
        machine={"cpus": os.cpu_count(), "python": platform.python_version(),
                 "load_before": os.getloadavg()[0]},
    )
    return report


if __name__ == "__main__":
    mb = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    kind = sys.argv[2] if len(sys.argv) > 2 else "elements"
    out = main(mb, kind)
    target = ROOT / "benchmarks" / "results" / f"property-bloat-{mb}-{kind}.json"
    target.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
