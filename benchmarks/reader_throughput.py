"""How fast the OpenImmo reader goes, and how much memory it needs, on a large feed.

    python benchmarks/reader_throughput.py            # 50 MB
    python benchmarks/reader_throughput.py 200        # 200 MB

Writes a generated transfer (``generate.write_large_xml``) to a temporary directory, reads
it with ``read_transfer`` and every record, and prints properties per second and peak RSS.
Speed is reported here, never asserted in tests; the memory bound is asserted in
``tests/openimmo/test_memory.py``.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wagtail_openimmo.openimmo import generate, read_transfer  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.xml"
        count = generate.write_large_xml(path, target_bytes=megabytes * 1000 * 1000)
        size = path.stat().st_size
        started = time.perf_counter()
        transfer = read_transfer(path, max_bytes=size)
        header_done = time.perf_counter()
        read = sum(1 for _record in transfer.records())
        finished = time.perf_counter()
    assert read == count
    print(f"file: {size / 1e6:.0f} MB, {count} properties")
    print(f"header pass: {header_done - started:.1f} s")
    print(f"records: {finished - header_done:.1f} s, {count / (finished - header_done):.0f}/s")
    print(f"peak RSS: {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
