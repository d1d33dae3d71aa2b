"""How fast the importer is: a feed of N properties with M pictures each, imported, then again.

    python benchmarks/import_benchmark.py --properties 1000 --images 5

Sets up a throwaway SQLite database and media folder in a temporary directory (the example
site's settings, pointed there by environment variables), generates the feed with real JPEGs
in a separate process (so that its memory does not count), imports it, imports it again
unchanged, and prints properties/s, images/s, the peak memory of the importing process and
the time of the unchanged re-import. The numbers also go to a JSON file
(``benchmarks/results/import-<N>x<M>.json`` unless ``--output`` says otherwise).

Beside the absolute times it measures, in the same run, the *floor*: what merely reading the
upload costs -- lxml ``iterparse`` of its XML plus SHA-256 of every other member, streamed
straight from the ZIP -- and prints each import as a multiple of it. The ratios compare CPU
time (user + system of this process), which other jobs on a shared machine disturb far less
than wall-clock time; both are recorded, with the load average before and after.
A feed of more members than ``MAX_ZIP_MEMBERS`` allows (more than 20,000 at the default)
is imported with that limit raised for the run (``settings_raised`` in the JSON).
``--profile DIR`` writes cProfile statistics of both imports (``first.prof``,
``unchanged.prof``; read them with ``python -m pstats``).

This is a benchmark, not a test: nothing here fails because it is slow.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
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


def floor_seconds(path: Path, repeat: int = 3) -> float:
    """What reading the upload costs at the least, in CPU seconds: parse the XML, hash every
    attachment.

    lxml ``iterparse`` of each XML member (clearing what it has read) plus SHA-256 of every
    other member, both streamed from the ZIP without unpacking; the best of ``repeat`` runs.
    """
    from lxml import etree

    best = float("inf")
    for _ in range(repeat):
        started = cpu_seconds()
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as fh:
                    if info.filename.lower().endswith(".xml"):
                        for _event, element in etree.iterparse(fh, events=("end",)):
                            if element.tag == "immobilie":  # keep memory flat, as the reader
                                element.clear()
                                while element.getprevious() is not None:
                                    del element.getparent()[0]
                    else:
                        digest = hashlib.sha256()
                        while chunk := fh.read(1 << 20):
                            digest.update(chunk)
        best = min(best, cpu_seconds() - started)
    return best


def cpu_seconds() -> float:
    """User + system CPU time of this process so far: on a machine shared with other jobs,
    less disturbed by them than the wall-clock time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


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
    parser.add_argument(
        "--profile", type=Path, default=None, help="write cProfile statistics to this folder"
    )
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
            # as in production: with DEBUG on, Django keeps a log of every query, which
            # costs time and memory that a production import does not spend
            "DEBUG": "0",
        }
    )
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings

    from wagtail_openimmo.conf import get_setting

    # A feed larger than the default MAX_ZIP_MEMBERS (20,000: 4,000 properties × 5 pictures)
    # would be refused as a whole; the benchmark raises the limit for its own run.
    members = args.properties * args.images + 1
    raised = {}
    if members > int(get_setting("MAX_ZIP_MEMBERS")):
        raised["MAX_ZIP_MEMBERS"] = members
        settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, **raised}
        print(f"MAX_ZIP_MEMBERS raised to {members} for this run")
    from django.core.management import call_command
    from django.db import connection

    from wagtail_openimmo.brokers import create_broker
    from wagtail_openimmo.importing import import_file

    call_command("migrate", verbosity=0)
    broker = create_broker("bench", name="Benchmark Immobilien", anid="BENCH-ANID", approved=True)
    load_before = load_average()
    floor = floor_seconds(feed)
    rss_before = peak_rss_mib()
    print(f"floor (iterparse + SHA-256 from the ZIP): {floor:.2f} s CPU")

    def timed(name: str, *, count_writes: bool):
        """Import the feed once; with ``count_writes``, count the SQL statements that write,
        apart from the run log (the counting itself costs time: the first import, which
        writes anyway, is not watched)."""
        writes: list[str] = []

        def watch(execute, sql, params, many, context):
            verb = sql.lstrip().split(None, 1)[0].upper()
            if verb in ("INSERT", "UPDATE", "DELETE") and "wagtail_openimmo_importrun" not in sql:
                writes.append(sql[:80])
            return execute(sql, params, many, context)

        profiler = cProfile.Profile() if args.profile else None
        cpu_started = cpu_seconds()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        with connection.execute_wrapper(watch) if count_writes else contextlib.nullcontext():
            result = import_file(feed, broker)
        seconds = time.perf_counter() - started
        result.bench_cpu = cpu_seconds() - cpu_started
        result.bench_writes = len(writes)
        if profiler is not None:
            profiler.disable()
            args.profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(args.profile / f"{name}.prof")
        return result, seconds

    first, import_seconds = timed("first", count_writes=False)
    rss_import = peak_rss_mib()
    print(
        f"first import: {import_seconds:.1f} s, {first.bench_cpu:.1f} s CPU "
        f"({first.bench_cpu / floor:.1f} × floor)"
    )

    again, unchanged_seconds = timed("unchanged", count_writes=True)
    print(
        f"unchanged re-import: {unchanged_seconds:.2f} s, {again.bench_cpu:.2f} s CPU "
        f"({again.bench_cpu / floor:.1f} × floor)"
    )
    floor_after = floor_seconds(feed)
    floor = min(floor, floor_after)

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
            "ms_per_property": round(1000 * import_seconds / max(1, args.properties), 1),
            "images_per_second": round(first.images_created / import_seconds, 1),
            "cpu_seconds": round(first.bench_cpu, 2),
            "cpu_ms_per_property": round(1000 * first.bench_cpu / max(1, args.properties), 1),
            "times_floor": round(first.bench_cpu / floor, 1),
        },
        "unchanged_reimport": {
            "status": str(again.status),
            "unchanged": again.unchanged,
            "seconds": round(unchanged_seconds, 2),
            "properties_per_second": round(again.unchanged / unchanged_seconds, 1),
            "cpu_seconds": round(again.bench_cpu, 3),
            "times_floor": round(again.bench_cpu / floor, 2),
            "write_statements": again.bench_writes,
        },
        "floor": {
            "what": "lxml iterparse of the XML + SHA-256 of every attachment, from the ZIP",
            "cpu_seconds": round(floor, 3),
            "note": "times_floor compares CPU seconds (user + system) of this process",
        },
        "settings_raised": raised,
        "peak_rss_mib": round(rss_import, 1),
        "rss_before_import_mib": round(rss_before, 1),
        "media_mib": round(media_bytes / 2**20, 1),
        "machine": {
            "cpu": cpu_model(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database": "SQLite (WAL), example site settings, DEBUG off",
            "load_average_before": load_before,
            "load_average_after": load_average(),
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
