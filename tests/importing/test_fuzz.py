"""No file can crash an import: mutated real files through the reader and the importer.

Every case (see ``fuzz.py``) is imported for a broker seen for the first time (so that any
file is taken as its own), in a savepoint that is rolled back afterwards, and must:

* never raise out of ``import_file`` (bad input ends as rejected file or properties);
* leave another broker's listing exactly as it was;
* write nothing when the same file is imported again.

CI runs ``OPENIMMO_FUZZ_CASES`` cases (150 by default, well under a minute on a quiet
2-core machine) from ``OPENIMMO_FUZZ_SEED`` (21);
a longer run on the benchmark machine::

    OPENIMMO_FUZZ_CASES=10000 OPENIMMO_FUZZ_SAVE=/tmp/fuzz pytest tests/importing/test_fuzz.py

A failing case is saved to ``OPENIMMO_FUZZ_SAVE`` (else the test's temporary folder); copy it
to ``tests/fixtures/fuzz/`` and it runs as a regression test from then on (and seeds
further cases).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import time
import traceback
from collections import Counter
from pathlib import Path

import pytest
from django.db import transaction

from tests.helpers import make_broker
from tests.importing.fuzz import REGRESSIONS, Seed, load_seeds, make_case
from tests.importing.helpers import Prop, count_writes, openimmo_settings, transfer, write_upload
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ListingAttachment, ListingPage
from wagtail_openimmo.openimmo.generate import jpeg

pytestmark = pytest.mark.django_db

CASES = int(os.environ.get("OPENIMMO_FUZZ_CASES", "150"))
SEED = int(os.environ.get("OPENIMMO_FUZZ_SEED", "21"))
_URL = re.compile(rb"https?://[^<\"'\s]+")


@pytest.fixture
def world(tmp_path, file_server):
    """The other broker with a live listing; remote pictures served by a local server."""
    with openimmo_settings(REMOTE_RETRIES=1, REMOTE_TIMEOUT=2):
        other = make_broker("other")
        path = write_upload(tmp_path / "other.xml", transfer(Prop(intern="B1"), anid="OTHER-ANID"))
        assert import_file(path, other).created == 1
        newcomer = make_broker("newcomer", anid="")  # first contact: any file is its own
        yield other, newcomer, file_server


def local_urls(seeds: list[Seed], server) -> list[Seed]:
    """The seeds with their picture URLs pointing at the local server (never the internet)."""
    out = []
    for seed in seeds:

        def swap(match):
            path = "/" + hashlib.sha256(match.group(0)).hexdigest()[:12] + ".jpg"
            server.files[path] = jpeg(len(server.files), size=(16, 12))
            return server.url(path).encode()

        out.append(Seed(seed.name, _URL.sub(swap, seed.xml), seed.files, seed.zipped))
    return out


def state_of(broker) -> list[tuple]:
    pages = ListingPage.objects.filter(broker=broker).order_by("pk")
    rows = [
        (
            p.pk,
            p.title,
            p.live,
            p.withdrawn_at,
            p.latest_revision_id,
            p.openimmo_fingerprint,
            p.kaufpreis,
            p.url_path,
        )
        for p in pages
    ]
    return [*rows, ListingAttachment.objects.filter(listing__broker=broker).count()]


def check_case(path: Path, other, newcomer, before) -> tuple[str | None, str]:
    """None, status -- or what went wrong."""
    try:
        first = import_file(path, newcomer)
    except Exception:
        return "raised:\n" + traceback.format_exc(), "crash"
    if state_of(other) != before:
        return "another broker's listing changed", first.status
    after_first = state_of(newcomer)
    with count_writes() as writes:
        try:
            import_file(path, newcomer)
        except Exception:
            return "raised on the second import:\n" + traceback.format_exc(), "crash"
    status = "refused" if first.refused else first.status
    if sequence(first):
        # The file changes one listing more than once: its properties are applied in order
        # (a change log, see test_actions), so a re-import replays them -- and must end
        # where the first import ended.
        if comparable(state_of(newcomer)) != comparable(after_first):
            return "a re-import of a sequence of changes ended elsewhere", status
        return None, "sequence"
    if writes.count:
        return f"{writes.count} writes on the second import: {writes.queries[:3]}", status
    return None, status


def sequence(result) -> bool:
    ids = [e.listing_id for e in result.entries if e.listing_id and e.action != "VOLL"]
    return len(ids) != len(set(ids))


def comparable(state: list) -> list:
    """The state without what a replay legitimately changes (revision ids, times)."""
    return [
        row if not isinstance(row, tuple) else (*row[:3], row[3] is None, *row[5:]) for row in state
    ]


def run_cases(cases, other, newcomer, save_dir: Path, report=None) -> tuple[list[str], Counter]:
    before = state_of(other)
    failures, statuses = [], Counter()
    for done, case in enumerate(cases):
        if report is not None and done and done % 250 == 0:
            report(done, statuses, failures)
        path = save_dir / "current" / case.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.content)
        with transaction.atomic():
            problem, status = check_case(path, other, newcomer, before)
            transaction.set_rollback(True)
        statuses[status] += 1
        if problem is not None:
            kept = save_dir / case.name
            kept.write_bytes(case.content)
            failures.append(f"{case.describe()} -> {kept}: {problem}")
        path.unlink()
    return failures, statuses


def test_mutated_files_never_crash_the_import(world, tmp_path):
    other, newcomer, server = world
    seeds = local_urls(load_seeds(), server)
    save_dir = Path(os.environ.get("OPENIMMO_FUZZ_SAVE") or tmp_path / "fuzz")
    save_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def report(done, statuses, failures, final=False):
        """The numbers so far (a long run can be read while it goes on)."""
        summary = {
            "cases": done,
            "of": CASES,
            "seed": SEED,
            "seeds": len(seeds),
            "seconds": round(time.monotonic() - started, 1),
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "statuses": dict(statuses),
            "failures": failures,
            "finished": final,
        }
        if os.environ.get("OPENIMMO_FUZZ_REPORT"):
            Path(os.environ["OPENIMMO_FUZZ_REPORT"]).write_text(json.dumps(summary, indent=2))
        return summary

    cases = (make_case(n, seeds, SEED) for n in range(CASES))
    failures, statuses = run_cases(cases, other, newcomer, save_dir, report)
    summary = report(CASES, statuses, failures, final=True)
    print("fuzz:", json.dumps({**summary, "failures": len(failures)}))
    assert not failures, "\n\n".join(failures[:10])
    # the cases reach the importer, not only the file-level refusal
    assert statuses["imported"] + statuses["partly_imported"] > CASES // 10, statuses


REGRESSION_FILES = (
    sorted(p for p in REGRESSIONS.glob("*") if p.suffix.lower() in (".xml", ".zip"))
    if REGRESSIONS.is_dir()
    else []
)


@pytest.mark.parametrize("path", REGRESSION_FILES, ids=[p.name for p in REGRESSION_FILES])
def test_every_case_the_fuzzer_ever_failed_on(world, path):
    other, newcomer, _server = world
    problem, _status = check_case(path, other, newcomer, state_of(other))
    assert problem is None, problem
