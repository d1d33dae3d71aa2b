"""How fast the importer is: a feed of N properties with M pictures each, imported, then again.

    python benchmarks/import_benchmark.py --properties 1000 --images 5

Sets up a throwaway SQLite database and media folder in a temporary directory (the example
site's settings, pointed there by environment variables), generates the feed with real JPEGs
in a separate process (so that its memory does not count), imports it, imports it again
unchanged, and prints properties/s, images/s, the peak memory of the importing process and
the time of the unchanged re-import. The numbers also go to a JSON file
(``benchmarks/results/import-<N>x<M>.json`` unless ``--output`` says otherwise).

This is a benchmark, not a test: nothing here fails because it is slow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def generate(path: Path, properties: int, images: int, width: int, height: int) -> None:
    """Write the feed as broker software would: one XML plus every picture, in one ZIP."""
    sys.path.insert(0, str(REPO))
    from wagtail_openimmo.openimmo.generate import demo_property, write_xml

    pictures = path.parent / "pictures"
    pictures.mkdir()

    def props():
        for n in range(properties):
            prop = demo_property(n, images=images, image_size=(width, height))
            for picture in prop.pictures:
                (pictures / picture.name).write_bytes(picture.data)
            yield prop

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("openimmo.xml", "w") as fh:
            write_xml(fh, props(), umfang="VOLL", anid="BENCH-ANID")
        for picture in sorted(pictures.iterdir()):
            archive.write(picture, picture.name, compress_type=zipfile.ZIP_STORED)
    shutil.rmtree(pictures)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        out = ""
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--properties", type=int, default=1000)
    parser.add_argument("--images", type=int, default=5)
    parser.add_argument("--size", default="800x600", help="picture size, WIDTHxHEIGHT")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.lower().split("x"))

    if args.generate_only:
        generate(args.generate_only, args.properties, args.images, width, height)
        return 0

    work = Path(tempfile.mkdtemp(prefix="openimmo-bench-"))
    feed = work / "feed" / "feed.zip"
    feed.parent.mkdir()
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--properties",
            str(args.properties),
            "--images",
            str(args.images),
            "--size",
            args.size,
            "--generate-only",
            str(feed),
        ],
        check=True,
    )
    generate_seconds = time.perf_counter() - started
    print(f"generated {feed.stat().st_size / 2**20:.1f} MiB feed in {generate_seconds:.1f} s")

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "example_site.settings",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "OPENIMMO_INBOX_DIR": str(work / "inbox"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from wagtail_openimmo.brokers import create_broker
    from wagtail_openimmo.importing import import_file

    call_command("migrate", verbosity=0)
    broker = create_broker("bench", name="Benchmark Immobilien", anid="BENCH-ANID", approved=True)
    rss_before = peak_rss_mib()

    started = time.perf_counter()
    first = import_file(feed, broker)
    import_seconds = time.perf_counter() - started
    rss_import = peak_rss_mib()

    started = time.perf_counter()
    again = import_file(feed, broker)
    unchanged_seconds = time.perf_counter() - started

    media_bytes = sum(p.stat().st_size for p in (work / "media").rglob("*") if p.is_file())
    result = {
        "properties": args.properties,
        "images_per_property": args.images,
        "picture_size": args.size,
        "feed_mib": round(feed.stat().st_size / 2**20, 1),
        "import": {
            "status": str(first.status),
            "created": first.created,
            "images_created": first.images_created,
            "seconds": round(import_seconds, 2),
            "properties_per_second": round(first.created / import_seconds, 1),
            "images_per_second": round(first.images_created / import_seconds, 1),
        },
        "unchanged_reimport": {
            "status": str(again.status),
            "unchanged": again.unchanged,
            "seconds": round(unchanged_seconds, 2),
            "properties_per_second": round(again.unchanged / unchanged_seconds, 1),
        },
        "peak_rss_mib": round(rss_import, 1),
        "rss_before_import_mib": round(rss_before, 1),
        "media_mib": round(media_bytes / 2**20, 1),
        "machine": {
            "cpu": cpu_model(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database": "SQLite (WAL), example site settings",
        },
    }
    print(json.dumps(result, indent=2))
    output = args.output or (
        REPO / "benchmarks" / "results" / f"import-{args.properties}x{args.images}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {output}")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    ok = first.created == args.properties and again.unchanged == args.properties
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
