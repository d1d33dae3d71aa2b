"""How fast the OpenImmo writer goes, and how much memory it needs, on a large stock.

    python benchmarks/export_throughput.py            # 20,000 properties
    python benchmarks/export_throughput.py 100000

Writes generated properties (``generate.demo_property`` as stored trees, each overlaid with
changed columns as the exporter does for an edited listing) with ``OpenImmoWriter`` to a
temporary file and prints properties per second and peak RSS. Speed is reported here, never
asserted in tests; the memory bound is asserted in ``tests/exporting/test_writer.py``.
"""

from __future__ import annotations

import copy
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wagtail_openimmo.openimmo import generate, patch  # noqa: E402
from wagtail_openimmo.openimmo.tree import element_to_data  # noqa: E402
from wagtail_openimmo.openimmo.writer import OpenImmoWriter  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(count: int) -> None:
    templates = [
        element_to_data(generate.property_element(generate.demo_property(n, images=4)))
        for n in range(12)
    ]
    columns = [patch.current_values(t) for t in templates]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xml"
        started = time.perf_counter()
        overlay_time = 0.0
        with (
            open(path, "wb") as fh,
            OpenImmoWriter(
                fh, umfang="VOLL", anbieter={"firma": "Demo", "openimmo_anid": "DEMO"}
            ) as writer,
        ):
            for i in range(count):
                k = i % len(templates)
                wanted = copy.copy(columns[k])
                wanted["kaufpreis"] = Decimal(100000 + i)
                t0 = time.perf_counter()
                data, _changed = patch.overlay(templates[k], wanted)
                overlay_time += time.perf_counter() - t0
                writer.write_property(data)
        finished = time.perf_counter()
        size = path.stat().st_size
    total = finished - started
    print(f"file: {size / 1e6:.0f} MB, {count} properties")
    print(
        f"total: {total:.1f} s, {count / total:.0f} properties/s "
        f"(overlay {overlay_time:.1f} s, writing {total - overlay_time:.1f} s)"
    )
    print(f"peak RSS: {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
