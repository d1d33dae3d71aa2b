"""Requests and bytes of a daily IS24 sync: the diff sync against a delete-and-reinsert sync.

    /work/main/.venv/bin/python benchmarks/is24_benchmark.py [--listings 500] [--changed 0.05]
        [--images 3] [--size 800x600] [--output benchmarks/results/is24.json]

Builds ``--listings`` real ListingPages with real JPEGs in a throw-away database, syncs them
to the fake IS24 server of the test suite (a real HTTP server with OAuth checks and XSD
validation), changes ``--changed`` of them (four in five a price, one in five a picture),
and measures on the server side (request line, headers and body in; body out):

- the diff sync of that day (what this app sends),
- a sync with nothing changed,
- the "Vollabgleich" IS24 forbids: every listing deleted and posted again with all its
  pictures and its publication (simulated with the same client, for comparison only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def totals(records) -> dict:
    return {
        "requests": len(records),
        "writes": sum(1 for r in records if r.is_write),
        "bytes_sent": sum(r.bytes_in for r in records),
        "bytes_received": sum(r.bytes_out for r in records),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=500)
    parser.add_argument("--changed", type=float, default=0.05)
    parser.add_argument("--images", type=int, default=3)
    parser.add_argument("--size", default="800x600")
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/is24.json"))
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Wagtail's search index updates are not what is measured here.
    settings.WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False
    call_command("migrate", verbosity=0)

    import hashlib
    import io
    from decimal import Decimal

    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    from tests.helpers import make_broker
    from tests.is24 import helpers
    from tests.is24.fake_server import FakeIS24
    from wagtail_openimmo.is24.client import IS24Client
    from wagtail_openimmo.is24.mapping import desired_attachments, map_listing
    from wagtail_openimmo.is24.models import IS24Connection, IS24ListingState
    from wagtail_openimmo.is24.sync import sync_broker
    from wagtail_openimmo.openimmo.generate import jpeg

    def make_image(seed, *, size=(width, height), title="Bild"):
        data = jpeg(seed, size=size)
        image = get_image_model().objects.create(
            title=title, file=ImageFile(io.BytesIO(data), name=f"bench-{seed}.jpg")
        )
        return image, data

    helpers.make_image = make_image  # full-size photos for realistic upload bytes

    with FakeIS24() as server:
        settings.WAGTAIL_OPENIMMO = {
            "IS24_API_BASE_URL": server.base_url,
            "IS24_CONSUMER_KEY": FakeIS24.CONSUMER_KEY,
            "IS24_CONSUMER_SECRET": FakeIS24.CONSUMER_SECRET,
            "IS24_BACKOFF_SECONDS": 0.01,
        }
        broker = make_broker("bench")
        IS24Connection.objects.create(
            broker=broker,
            access_token=FakeIS24.ACCESS_TOKEN,
            access_token_secret=FakeIS24.ACCESS_TOKEN_SECRET,
        )
        started = time.monotonic()
        listings = [
            helpers.make_listing(broker, n, images=args.images) for n in range(args.listings)
        ]
        print(
            f"built {len(listings)} listings in {time.monotonic() - started:.0f} s", file=sys.stderr
        )

        def run_sync(label):
            server.clear_log()
            started = time.monotonic()
            result = sync_broker(broker)
            seconds = time.monotonic() - started
            assert not result.errors and not result.stopped, result.errors[:3]
            measured = {
                **totals(server.api_requests()),
                "seconds": round(seconds, 2),
                "result": {k: v for k, v in result.as_dict().items() if isinstance(v, int)},
            }
            print(f"{label}: {measured}", file=sys.stderr)
            return measured

        first = run_sync("first sync")

        step = max(1, round(1 / args.changed)) if args.changed else 0
        changed = listings[::step] if step else []
        for i, listing in enumerate(changed):
            if i % 5 == 4:  # a new picture in place of the second one
                row = listing.attachments.order_by("sort_order")[1]
                image, data = make_image(900_000 + i)
                row.image, row.content_hash = image, hashlib.sha256(data).hexdigest()
                row.md5 = ""
                row.save()
            else:
                listing.refresh_from_db()
                if listing.kaufpreis is not None:
                    listing.kaufpreis += Decimal(1000)
                else:
                    listing.kaltmiete += Decimal(10)
                listing.save_revision().publish()
        daily = run_sync(f"daily diff sync ({len(changed)} changed)")
        idle = run_sync("sync with nothing changed")

        # The forbidden "Vollabgleich", for comparison: delete every object and post it again.
        server.clear_log()
        client = IS24Client(broker.is24_connection)
        for state in IS24ListingState.objects.filter(connection__broker=broker).select_related(
            "listing"
        ):
            listing = state.listing
            client.request("DELETE", f"/user/me/realestate/{state.is24_id}")
            ident = client.create_realestate(map_listing(listing).payload)
            for want in desired_attachments(listing):
                with want.attachment.image.open_file() as fh:
                    content = fh.read()
                client.upload_attachment(
                    ident, want.metadata(), content, want.file_name, "image/jpeg"
                )
            client.publish(ident, 10000)
        client.close()
        vollabgleich = totals(server.api_requests())
        print(f"delete and reinsert: {vollabgleich}", file=sys.stderr)
        invalid = len(server.invalid_payloads)

    report = {
        "listings": args.listings,
        "images_per_listing": args.images,
        "image_size": args.size,
        "changed_listings": len(changed),
        "first_sync": first,
        "daily_diff_sync": daily,
        "unchanged_sync": idle,
        "delete_and_reinsert": vollabgleich,
        "ratio_requests": round(vollabgleich["requests"] / max(1, daily["requests"]), 1),
        "ratio_bytes_sent": round(vollabgleich["bytes_sent"] / max(1, daily["bytes_sent"]), 1),
        "invalid_payloads": invalid,
    }
    print()
    print(
        f"{'daily sync, ' + str(args.listings) + ' listings':34} {'requests':>9} "
        f"{'writes':>7} {'bytes sent':>12} {'bytes received':>15}"
    )
    for label, row in (
        ("diff sync (this app)", daily),
        ("nothing changed", idle),
        ("delete and reinsert (forbidden)", vollabgleich),
    ):
        print(
            f"{label:34} {row['requests']:>9} {row['writes']:>7} {row['bytes_sent']:>12,} "
            f"{row['bytes_received']:>15,}"
        )
    print(
        f"delete-and-reinsert sends {report['ratio_requests']}× the requests and "
        f"{report['ratio_bytes_sent']}× the bytes."
    )
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {output}")
    import shutil

    import tests.settings

    shutil.rmtree(tests.settings._TMP, ignore_errors=True)  # the throw-away database and media
    return 0


if __name__ == "__main__":
    sys.exit(main())
