"""Several qcluster workers on PostgreSQL + Redis import inboxes at the same time.

Each test starts real ``qcluster`` processes of the example site (two "machines" with two
workers each) and queues several inbox scans at once, as the schedule and the FTP server
do. What must hold: one broker's files are applied in the order the broker wrote them and
each exactly once, while different brokers import side by side without damaging Wagtail's
page tree.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from decimal import Decimal

import pytest

from tests.scale.uploads import drop, prop

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("scale"), pytest.mark.slow]


def _all_done(site, expected_files: int):
    def check():
        if site.files() or site.files(".openimmo", "processing"):
            return False
        return len(site.files(".openimmo", "archive")) == expected_files
    return check


def test_one_brokers_files_apply_in_transfer_order_once_each(site):
    site.probe("setup", brokers=["acme", "other"])
    now = time.time()
    # The names and upload times say the opposite of the transfer timestamps: only the
    # <uebertragung timestamp> gives the right order.
    versions = [("z-first.zip", 1), ("m-second.zip", 2), ("a-third.zip", 3)]
    for name, version in versions:
        drop(
            site.inbox, "acme", name,
            [prop(1, titel=f"Version {version}", preis=Decimal(100000 * version)),
             prop(2 + version)],
            anid="ACME-ANID", minutes=version, mtime=now - 60 * version,
        )
    for n in range(3):
        drop(site.inbox, "other", f"other-{n}.zip", [prop(10 + n)], anid="OTHER-ANID",
             minutes=n)

    site.start_cluster(workers=2)
    site.start_cluster(workers=2)
    site.probe("enqueue", count=4)
    site.wait_for(_all_done(site, 6), timeout=180, what="all six files archived")

    state = site.probe("state")
    runs = [r for r in state["runs"] if r["broker"] == "acme"]
    assert [r["status"] for r in runs] == ["imported"] * 3, runs
    # Applied in transfer order ...
    assert [r["file_name"] for r in runs] == ["z-first.zip", "m-second.zip", "a-third.zip"]
    stamps = [dt.datetime.fromisoformat(r["transfer_timestamp"]) for r in runs]
    assert stamps == sorted(stamps)
    # ... one after the other (the lock), never two at once,
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert earlier["finished_at"] <= later["started_at"]
    # and each file once, across all workers.
    every_file = Counter((r["broker"], r["file_name"]) for r in state["runs"])
    assert set(every_file.values()) == {1}, every_file
    assert len(every_file) == 6

    acme = {p["objektnr_extern"]: p for p in state["pages"] if p["broker"] == "acme"}
    assert acme["W00001"]["title"] == "Version 3"  # the newest transfer won
    assert sorted(acme) == ["W00001", "W00003", "W00004", "W00005"]
    assert len([p for p in state["pages"] if p["broker"] == "other"]) == 3
    assert all(p["images"] == 1 for p in state["pages"])
    assert state["tree_problems"] == [[], [], [], [], []]
    assert state["numchild_wrong"] == []


def test_two_brokers_create_pages_under_one_parent_at_once(site):
    """Portals often put every broker's listings under one index page: two imports then add
    children to the same parent at the same time, with the same titles (same slugs)."""
    made = site.probe("setup", brokers=["north", "south"], shared_index=True)
    assert made["north"]["index_page"] == made["south"]["index_page"]
    properties = [prop(n) for n in range(1, 9)]
    uploads = [
        drop(site.inbox, "north", "stock.zip", properties, anid="NORTH-ANID", umfang="VOLL"),
        drop(site.inbox, "south", "stock.zip", properties, anid="SOUTH-ANID", umfang="VOLL"),
    ]
    site.start_cluster(workers=2)
    # Both uploads finish at once on the FTP server, which queues the import of each.
    site.probe("enqueue_uploads", paths=[str(p) for p in uploads])
    site.wait_for(_all_done(site, 2), timeout=180, what="both files archived")

    state = site.probe("state")
    runs = state["runs"]
    assert sorted(r["broker"] for r in runs) == ["north", "south"]
    assert all(r["status"] == "imported" and r["created"] == 8 for r in runs), runs
    # The two imports really ran at the same time (else this test proves nothing).
    first, second = sorted(runs, key=lambda r: r["started_at"])
    assert second["started_at"] < first["finished_at"], runs

    pages = state["pages"]
    assert len(pages) == 16
    assert {p["parent"] for p in pages} == {made["north"]["index_page"]}
    slugs = Counter(p["slug"] for p in pages)
    assert max(slugs.values()) == 1, [s for s, n in slugs.items() if n > 1]
    assert state["tree_problems"] == [[], [], [], [], []]
    assert state["numchild_wrong"] == []
