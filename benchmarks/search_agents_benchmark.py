"""Search-agent matching after a big import: 10,000 agents, 1,000 changed listings.

    /work/main/.venv/bin/python benchmarks/search_agents_benchmark.py [--agents 10000]
        [--listings 1000] [--output benchmarks/results/search-agents.json]

Builds ``--listings`` live ListingPages (no pictures) and ``--agents`` confirmed search agents
with varied filters in a throw-away SQLite database, then times ``agents.match_listings`` over
all the listings (what runs in django-q after an import changed them) and counts its queries
and the time spent in them. A second run over the same listings (nothing new) shows the cost
of an unchanged re-import.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--listings", type=int, default=1_000)
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/search-agents.json"))
    args = parser.parse_args()

    import django

    django.setup()
    import random
    from decimal import Decimal

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False
    call_command("migrate", verbosity=0)

    from tests.helpers import make_broker
    from wagtail_openimmo.leads import agents
    from wagtail_openimmo.models import ListingPage, SearchAgent, SearchAgentMatch

    rng = random.Random(7)
    brokers = [make_broker(f"b{n}") for n in range(5)]
    places = [("Mainz", "55116"), ("Wiesbaden", "65183"), ("Köln", "50667"), ("Leipzig", "04109")]
    kinds = ["wohnung", "haus", "grundstueck", "buero_praxen"]
    started = time.perf_counter()
    ids = []
    for n in range(args.listings):
        broker = brokers[n % len(brokers)]
        ort, plz = rng.choice(places)
        buy = rng.random() < 0.5
        price = Decimal(rng.randrange(150_000, 900_000) if buy else rng.randrange(400, 3_000))
        page = broker.index_page.add_child(
            instance=ListingPage(
                title=f"Objekt {n}", slug=f"objekt-{n}", broker=broker,
                objektnr_extern=f"X{n}", vermarktungsart="KAUF" if buy else "MIETE_PACHT",
                objektart=rng.choice(kinds), ort=ort, plz=plz, preis=price,
                kaufpreis=price if buy else None, kaltmiete=None if buy else price,
                anzahl_zimmer=Decimal(rng.randrange(1, 8)), flaeche=Decimal(rng.randrange(30, 300)),
            )
        )
        ids.append(page.pk)
    build_listings = time.perf_counter() - started

    now = timezone.now()
    rows = []
    for n in range(args.agents):
        broker = brokers[n % len(brokers)]
        filters = {}
        if rng.random() < 0.8:
            filters["vermarktungsart"] = rng.choice(["kauf", "miete"])
        if rng.random() < 0.6:
            filters["ort"] = rng.choice(places)[0]
        if rng.random() < 0.4:
            filters["zimmer_min"] = str(rng.randrange(1, 5))
        if rng.random() < 0.3:
            filters["objektart"] = rng.choice(kinds)
        if rng.random() < 0.3:
            filters["preis_max"] = str(rng.randrange(500, 900_000))
        rows.append(SearchAgent(email=f"a{n}@example.org", index_page_id=broker.index_page_id,
                                broker=broker, filters=filters, confirmed_at=now))
    SearchAgent.objects.bulk_create(rows, batch_size=2000)

    def measured():
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            found = agents.match_listings(ids)
            total = time.perf_counter() - t0
        db = sum(float(q["time"]) for q in queries.captured_queries)
        return found, total, len(queries.captured_queries), db

    found, total, count, db = measured()
    again, total2, count2, db2 = measured()
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "database": connection.vendor,
        "agents": args.agents,
        "listings": args.listings,
        "build_listings_s": round(build_listings, 1),
        "first_match": {"matches": found, "seconds": round(total, 2), "queries": count,
                        "db_seconds": round(db, 2)},
        "unchanged_match": {"matches": again, "seconds": round(total2, 2), "queries": count2,
                            "db_seconds": round(db2, 2)},
        "stored_matches": SearchAgentMatch.objects.count(),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
