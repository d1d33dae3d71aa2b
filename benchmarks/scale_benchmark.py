"""Scale: imports on PostgreSQL by real qcluster workers (Redis broker), memory, the index page.

    python benchmarks/scale_benchmark.py                       # the full run (issue 9)
    python benchmarks/scale_benchmark.py --brokers 4 --properties 25 --zip-mb 100   # smaller

Starts a throwaway PostgreSQL and Redis (``tests/scale/servers.py``; needs the Debian
packages ``postgresql`` and ``redis-server``), migrates a template database, and measures:

1. **Throughput** for each ``--workers`` count: every broker's feed (``--properties`` ×
   ``--images`` JPEGs) lands in its inbox folder at once and its import is queued, as the
   FTP server does; one ``qcluster`` with N workers imports them. Properties/s and
   attachments/s over the window from the first run's start to the last run's end (from
   the ``ImportRun`` rows). Then the same feeds again, unchanged.
2. **Peak memory per worker** (VmHWM of each cluster process) while one worker imports a
   ZIP of about ``--zip-mb`` MB (incompressible pictures of about 1 MB each).
3. **The listing index page** with ``--listings`` listings under one index page (a feed
   imported for real, its rows copied up to that number): response times in the site's
   own process (Django's test client: no network, no web server in the way).

Results go to ``benchmarks/results/scale-<params>.json`` (or ``--output``) with the machine
they ran on (CPU model, cores, load average before the run). Not a test: nothing fails
because it is slow.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.scale.servers import PostgresServer, RedisServer  # noqa: E402

MANAGE = REPO / "example_site" / "manage.py"
TEMPLATE = "bench_template"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    return {
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "memory_gib": round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
        ),
        "python": platform.python_version(),
        "postgresql": "",
        "shared": "the machine's cores are shared with other jobs; see the load average",
    }


# --- the feeds --------------------------------------------------------------------------


def write_feed(path: Path, broker: int, properties: int, images: int, size) -> None:
    from wagtail_openimmo.openimmo.generate import demo_property, write_zip

    props = [
        demo_property(broker * 10000 + n, images=images, image_size=size)
        for n in range(properties)
    ]
    write_zip(path, props, anid=f"B{broker:02d}-ANID", umfang="VOLL")


def _md5(data: bytes) -> str:
    import hashlib

    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _picture_class():
    from dataclasses import dataclass

    from wagtail_openimmo.openimmo.generate import Picture

    @dataclass
    class Written(Picture):
        """A picture already written to the ZIP: only its MD5 is kept, not its bytes."""

        checksum: str = ""

        @property
        def md5(self) -> str:
            return self.checksum

    return Written


def write_big_zip(path: Path, megabytes: int) -> int:
    """A ZIP of about ``megabytes`` MB: properties with noise pictures of ~1 MB each."""
    from PIL import Image

    from wagtail_openimmo.openimmo.generate import demo_property, write_xml

    _Written = _picture_class()
    per_property = 5
    count = max(1, megabytes // per_property)
    rnd = random.Random(7)
    props = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for n in range(count):
            prop = demo_property(n, images=0)
            for i in range(per_property):
                noise = Image.frombytes("RGB", (1024, 900), rnd.randbytes(1024 * 900 * 3))
                out = io.BytesIO()
                noise.save(out, "JPEG", quality=95)
                name = f"{prop.objektnr_extern}_{i + 1}.jpg"
                data = out.getvalue()
                prop.pictures.append(_Written(name, "BILD", f"Bild {i + 1}", b"", _md5(data)))
                zf.writestr(name, data)
            props.append(prop)
        with zf.open("openimmo.xml", "w") as fh:
            write_xml(fh, props, anid="BIG-ANID", umfang="VOLL")
    return count


# --- the site -----------------------------------------------------------------------------


class Site:
    def __init__(self, pg: PostgresServer, redis: RedisServer, work: Path, name: str):
        self.pg, self.redis, self.name = pg, redis, name
        self.dir = work / name
        self.dir.mkdir()
        pg.create_database(name, template=TEMPLATE)
        redis.flush()
        self.env = base_env() | {
            "DATABASE_URL": pg.url(name),
            "REDIS_URL": redis.url,
            "OPENIMMO_INBOX_DIR": str(self.dir / "inbox"),
            "MEDIA_ROOT": str(self.dir / "media"),
            "EMAIL_FILE_PATH": str(self.dir / "mail"),
        }
        self.cluster = None
        self.log = None

    @property
    def inbox(self) -> Path:
        return Path(self.env["OPENIMMO_INBOX_DIR"])

    def run(self, module: str, command: str, **args):
        done = subprocess.run(
            [sys.executable, module, command, json.dumps(args)] if module.endswith(".py")
            else [sys.executable, "-m", module, command, json.dumps(args)],
            env=self.env, cwd=REPO, capture_output=True, text=True, check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{module} {command} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def probe(self, command: str, **args):
        return self.run("tests.scale.probe", command, **args)

    def start_cluster(self, workers: int) -> None:
        self.log = (self.dir / "qcluster.log").open("ab")
        self.cluster = subprocess.Popen(
            [sys.executable, str(MANAGE), "qcluster"],
            env=self.env | {"Q_WORKERS": str(workers)},
            cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        # Wait until every worker process is up (sentinel, monitor, pusher, guard, workers).
        deadline = time.monotonic() + 60
        while len(self.processes()) < workers + 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)

    def processes(self) -> list[int]:
        if self.cluster is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.cluster.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def peak_rss_mib(self) -> list[float]:
        """VmHWM (peak resident memory) of each cluster process, largest first."""
        peaks = []
        for pid in self.processes():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(round(int(line.split()[1]) / 1024, 1))
            except OSError:
                continue
        return sorted(peaks, reverse=True)

    def stop(self) -> None:
        if self.cluster is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.cluster.pid, signal.SIGKILL)
            self.cluster.wait(10)
            self.cluster = None
        if self.log:
            self.log.close()
        self.pg.drop_database(self.name)
        shutil.rmtree(self.dir, ignore_errors=True)

    def drop_and_queue(self, feeds: dict[str, Path], name: str) -> list[str]:
        paths = []
        for slug, feed in feeds.items():
            target = self.inbox / slug / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(feed, target)
            target.with_name(name + ".done").write_bytes(b"")
            paths.append(str(target))
        self.probe("enqueue_uploads", paths=paths)
        return paths

    def wait_archived(self, count: int, timeout: float) -> None:
        archive = self.inbox / ".openimmo" / "archive"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = sum(1 for p in archive.rglob("*.zip")) if archive.exists() else 0
            failed = self.inbox / ".openimmo" / "failed"
            if failed.exists() and any(failed.rglob("*.zip")):
                raise RuntimeError(f"an import failed: {list(failed.rglob('*.txt'))}")
            if done >= count:
                return
            time.sleep(0.5)
        raise TimeoutError(f"{count} files not archived after {timeout} s; see {self.dir}")

    def window(self, after_id: int = 0) -> dict:
        """Counts and the wall-clock window of the runs with id > ``after_id``."""
        rows = self.pg.execute(
            "SELECT count(*), sum(created), sum(updated), sum(unchanged), "
            "extract(epoch from max(finished_at) - min(started_at)), max(id) "
            "FROM wagtail_openimmo_importrun WHERE id > %s AND status = 'imported'",
            [after_id], dbname=self.name,
        )[0]
        attachments = self.pg.execute(
            "SELECT count(*) FROM wagtail_openimmo_listingattachment", dbname=self.name
        )[0][0]
        return {
            "files": rows[0], "created": rows[1] or 0, "updated": rows[2] or 0,
            "unchanged": rows[3] or 0, "seconds": float(rows[4] or 0), "last_id": rows[5] or 0,
            "attachments": attachments,
        }


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = "example_site.settings"
    env["DEBUG"] = "0"
    env["LOG_LEVEL"] = "WARNING"
    return env


# --- the measurements ----------------------------------------------------------------------


def throughput(pg, redis, work, feeds, workers: int, properties_total: int) -> dict:
    site = Site(pg, redis, work, f"bench_w{workers}")
    try:
        site.probe("setup", brokers=list(feeds))
        site.start_cluster(workers)
        say(f"{workers} worker(s): importing {len(feeds)} feeds")
        site.drop_and_queue(feeds, "stock.zip")
        site.wait_archived(len(feeds), timeout=6 * 3600)
        first = site.window()
        say(f"{workers} worker(s): unchanged re-import")
        site.drop_and_queue(feeds, "again.zip")
        site.wait_archived(2 * len(feeds), timeout=6 * 3600)
        again = site.window(first["last_id"])
        peaks = site.peak_rss_mib()
    finally:
        site.stop()
    assert first["created"] == properties_total, first
    return {
        "workers": workers,
        "import_seconds": round(first["seconds"], 1),
        "properties_per_second": round(first["created"] / first["seconds"], 2),
        "attachments_per_second": round(first["attachments"] / first["seconds"], 2),
        "attachments": first["attachments"],
        "unchanged_reimport_seconds": round(again["seconds"], 1),
        "unchanged": again["unchanged"],
        "unchanged_properties_per_second": round(again["unchanged"] / again["seconds"], 1)
        if again["seconds"] else None,
        "peak_rss_mib_per_process": peaks,
    }


def big_zip_memory(pg, redis, work, megabytes: int) -> dict:
    site = Site(pg, redis, work, "bench_zip")
    try:
        feed = work / "big.zip"
        properties = write_big_zip(feed, megabytes)
        size = feed.stat().st_size
        site.probe("setup", brokers=["big"])  # ANID "BIG-ANID", as in the feed
        site.start_cluster(1)
        before = site.peak_rss_mib()
        say(f"one worker: importing a {size / 2**20:.0f} MiB ZIP")
        site.drop_and_queue({"big": feed}, "big.zip")
        site.wait_archived(1, timeout=6 * 3600)
        result = site.window()
        after = site.peak_rss_mib()
    finally:
        site.stop()
        (work / "big.zip").unlink(missing_ok=True)
    return {
        "zip_mib": round(size / 2**20, 1),
        "properties": properties,
        "created": result["created"],
        "attachments": result["attachments"],
        "import_seconds": round(result["seconds"], 1),
        "peak_rss_mib_per_process_before": before,
        "peak_rss_mib_per_process_after": after,
        "worker_peak_rss_mib": after[0] if after else None,
    }


def index_page(pg, redis, work, listings: int, seed_properties: int) -> dict:
    site = Site(pg, redis, work, "bench_index")
    try:
        feed = work / "index-feed.zip"
        write_feed(feed, 0, seed_properties, 1, (400, 300))
        site.probe("setup", brokers=["b00"])
        site.start_cluster(1)
        site.drop_and_queue({"b00": feed}, "stock.zip")
        site.wait_archived(1, timeout=3600)
        say(f"index page: copying listings up to {listings}")
        cloned = site.run(str(REPO / "benchmarks" / "scale_site.py"), "clone_listings",
                          broker="b00", total=listings)
        say("index page: timing")
        timed = site.run(str(REPO / "benchmarks" / "scale_site.py"), "time_index",
                         broker="b00", repeats=5)
    finally:
        site.stop()
    return {"seed_imported": seed_properties, **cloned, **timed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", type=int, default=20)
    parser.add_argument("--properties", type=int, default=200, help="per broker")
    parser.add_argument("--images", type=int, default=5, help="per property")
    parser.add_argument("--size", default="800x600", help="picture size, WIDTHxHEIGHT")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to compare")
    parser.add_argument("--zip-mb", type=int, default=500, help="0 skips the memory test")
    parser.add_argument("--listings", type=int, default=10000, help="0 skips the index test")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    size = tuple(int(x) for x in args.size.lower().split("x"))
    workers = [int(x) for x in args.workers.split(",") if x]

    parameters = {"workers": workers, "zip_mb": args.zip_mb, "listings": args.listings}
    if workers:
        parameters |= {
            "brokers": args.brokers, "properties_per_broker": args.properties,
            "images_per_property": args.images, "picture_size": args.size,
        }
    result = {
        "parameters": parameters,
        "machine": machine(),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
    }
    work = Path(tempfile.mkdtemp(prefix="openimmo-scale-bench-"))
    started = time.perf_counter()
    with PostgresServer() as pg, RedisServer() as redis:
        result["machine"]["postgresql"] = pg.execute("SHOW server_version")[0][0]
        say(f"PostgreSQL {result['machine']['postgresql']} on {pg.port}, Redis on {redis.port}")
        pg.create_database(TEMPLATE)
        subprocess.run(
            [sys.executable, str(MANAGE), "migrate", "--noinput", "-v", "0"],
            env=base_env() | {"DATABASE_URL": pg.url(TEMPLATE)}, cwd=REPO, check=True,
        )
        feeds = {}
        if workers and args.brokers:
            say(f"generating {args.brokers} feeds of {args.properties} × {args.images}")
            t = time.perf_counter()
            (work / "feeds").mkdir()
            for b in range(args.brokers):
                feeds[f"b{b:02d}"] = work / "feeds" / f"b{b:02d}.zip"
                write_feed(feeds[f"b{b:02d}"], b, args.properties, args.images, size)
            result["feeds"] = {
                "seconds_to_generate": round(time.perf_counter() - t, 1),
                "mib_each": round(feeds["b00"].stat().st_size / 2**20, 2),
            }
        # The feeds name brokers B00-ANID, ...: setup gives broker "b00" the ANID "B00-ANID".
        result["throughput"] = [
            throughput(pg, redis, work, feeds, n, args.brokers * args.properties)
            for n in workers
        ]
        if args.zip_mb:
            result["big_zip"] = big_zip_memory(pg, redis, work, args.zip_mb)
        if args.listings:
            result["index_page"] = index_page(pg, redis, work, args.listings, 50)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    shutil.rmtree(work, ignore_errors=True)

    output = args.output or REPO / "benchmarks" / "results" / (
        f"scale-{args.brokers}x{args.properties}x{args.images}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    say(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
