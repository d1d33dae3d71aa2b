"""The site side of ``scale_benchmark.py``: runs in a process of the example site.

    python benchmarks/scale_site.py clone_listings '{"broker": "b00", "total": 10000}'
    python benchmarks/scale_site.py time_index '{"broker": "b00", "repeats": 5}'

Prints one line of JSON. Not a test; see ``scale_benchmark.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def clone_listings(broker: str, total: int) -> dict:
    """Copy the broker's imported listings (rows, attachments) until it has ``total``.

    Importing 10,000 listings takes hours on a small machine; the index page only reads
    them, so copies of real imported rows (new paths, slugs, object numbers) serve as well.
    """
    from django.db import connection, transaction

    from wagtail_openimmo.models import Broker, ListingAttachment, ListingPage

    owner = Broker.objects.get(slug=broker)
    index = owner.index_page
    originals = list(ListingPage.objects.filter(broker=owner).order_by("path"))
    missing = total - len(originals)
    if missing <= 0:
        return {"listings": len(originals), "cloned": 0}
    page_table = "wagtailcore_page"
    listing_table = ListingPage._meta.db_table
    attachment_table = ListingAttachment._meta.db_table
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        page_cols = [c for c in _columns(cursor, page_table) if c != "id"]
        listing_cols = [c for c in _columns(cursor, listing_table) if c != "page_ptr_id"]
        attachment_cols = [
            c for c in _columns(cursor, attachment_table) if c not in ("id", "listing_id")
        ]
        last = max(p.path for p in index.get_children())
        number = int(last[-4:], 36)
        for i in range(missing):
            original = originals[i % len(originals)]
            number += 1
            path = index.path + _base36(number).rjust(4, "0")
            suffix = f"c{i}"
            page_values = {
                "path": path,
                "slug": f"{original.slug}-{suffix}",
                "url_path": f"{index.url_path}{original.slug}-{suffix}/",
                "translation_key": str(uuid.uuid4()),
                "numchild": 0,
            }
            select = ", ".join(
                "%s" if c in page_values else f'"{c}"' for c in page_cols
            )
            params = [page_values[c] for c in page_cols if c in page_values]
            cursor.execute(
                f'INSERT INTO {page_table} ({", ".join(chr(34) + c + chr(34) for c in page_cols)}) '  # noqa: S608
                f"SELECT {select} FROM {page_table} WHERE id = %s RETURNING id",
                [*params, original.pk],
            )
            new_id = cursor.fetchone()[0]
            listing_values = {
                "objektnr_intern": f"{original.objektnr_intern}-{suffix}",
                "objektnr_extern": f"{original.objektnr_extern}-{suffix}",
                "openimmo_obid": f"{original.openimmo_obid}-{suffix}",
            }
            select = ", ".join(
                "%s" if c in listing_values else f'"{c}"' for c in listing_cols
            )
            params = [listing_values[c] for c in listing_cols if c in listing_values]
            cursor.execute(
                f'INSERT INTO {listing_table} (page_ptr_id, {", ".join(chr(34) + c + chr(34) for c in listing_cols)}) '  # noqa: S608, E501
                f"SELECT %s, {select} FROM {listing_table} WHERE page_ptr_id = %s",
                [new_id, *params, original.pk],
            )
            cols = ", ".join(f'"{c}"' for c in attachment_cols)
            cursor.execute(
                f"INSERT INTO {attachment_table} (listing_id, {cols}) "  # noqa: S608
                f"SELECT %s, {cols} FROM {attachment_table} WHERE listing_id = %s",
                [new_id, original.pk],
            )
        cursor.execute(
            f"UPDATE {page_table} SET numchild = (SELECT count(*) FROM {page_table} c "  # noqa: S608
            f"WHERE c.path LIKE %s AND c.depth = %s) WHERE id = %s",
            [index.path + "%", index.depth + 1, index.pk],
        )
        cursor.execute("ANALYZE")
    count = ListingPage.objects.filter(broker=owner).count()
    seconds = round(time.perf_counter() - started, 1)
    return {"listings": count, "cloned": missing, "seconds": seconds}


def _base36(number: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = alphabet[digit] + out
        if not number:
            return out


def time_index(broker: str, repeats: int = 5) -> dict:
    """Response times of the broker's listing index page (Django's test client, no network):
    first page, a deep page, a filter, a sort. Median and max of ``repeats`` after a warm-up."""
    from django.conf import settings
    from django.test import Client
    from wagtail.models import Page

    from wagtail_openimmo.models import Broker

    settings.ALLOWED_HOSTS = ["*"]
    index = Broker.objects.get(slug=broker).index_page
    url = index.url or Page.objects.get(pk=index.pk).url
    live = index.live_listings().count() if hasattr(index, "live_listings") else None
    last_page = max(1, -(-(live or 1) // index.page_size))
    cases = {
        "first page": "",
        f"page {last_page // 2}": f"?page={last_page // 2}",
        "filter ort=Berlin": "?ort=Berlin",
        "filter price 100000-500000, sort by price": (
            "?preis_min=100000&preis_max=500000&sort=preis"
        ),
    }
    client = Client()
    out = {"live_listings": live, "page_size": index.page_size, "cases": {}}
    for name, query in cases.items():
        response = client.get(url + query)  # warm-up (renditions are made here)
        assert response.status_code == 200, (name, response.status_code)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url + query)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        out["cases"][name] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "bytes": len(response.content),
        }
    return out


COMMANDS = {"clone_listings": clone_listings, "time_index": time_index}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    import django

    django.setup()
    command, args = argv[0], json.loads(argv[1] if len(argv) > 1 else "{}")
    print(json.dumps(COMMANDS[command](**args), default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
