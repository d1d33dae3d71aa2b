"""An unchanged re-import costs a number of queries that does not grow with the file.

Brokers' software re-sends its whole stock several times a day: the unchanged path is the
one that runs most. It loads what it needs for the broker up front and compares in memory,
so 5 and 50 unchanged properties cost the same number of queries. (How fast is a matter for
``benchmarks/import_benchmark.py``; the query count is what a test can pin.)
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.importing.helpers import Prop, count_writes, transfer, write_upload
from tests.importing.test_idempotence import feed
from wagtail_openimmo.importing import import_file

pytestmark = pytest.mark.django_db


def reimport_queries(tmp_path, broker, count: int, **kwargs) -> list[str]:
    path = feed(tmp_path, range(count), name=f"feed-{count}.zip", images=2, **kwargs)
    first = import_file(path, broker)
    assert first.created == count
    with CaptureQueriesContext(connection) as queries, count_writes() as writes:
        again = import_file(path, broker)
    assert again.unchanged == count and writes.queries == []
    assert again.run.entries.count() == count  # every property has its log line
    # Savepoints are left out: the importer isolates each property with one only when it
    # runs inside a caller's transaction (as every test does); a real import has none.
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.mark.parametrize("umfang", ["VOLL", "TEIL"])
def test_an_unchanged_reimport_costs_the_same_queries_for_5_and_50_properties(
    tmp_path, umfang
):
    from tests.helpers import make_broker

    small = reimport_queries(
        tmp_path, make_broker("small", anid="SMALL-ANID"), 5, anid="SMALL-ANID", umfang=umfang
    )
    large = reimport_queries(
        tmp_path, make_broker("large", anid="LARGE-ANID"), 50, anid="LARGE-ANID", umfang=umfang
    )
    assert len(large) == len(small), "\n".join(large)
    assert len(small) < 40  # and it is small: no query per property


def test_the_catalogue_sees_what_earlier_properties_of_the_file_did(tmp_path, broker):
    """Matching in memory: a number created, renamed or deleted earlier in the same file
    counts for the properties after it, exactly as when every lookup asked the database."""
    path = write_upload(
        tmp_path / "a.xml",
        transfer(
            Prop(intern="1", extern="W-1"),
            Prop(intern="1", extern="W-1", kaufpreis="123000"),  # the same listing again
            Prop(intern="2", extern="W-2"),
            Prop(intern="2", aktion="DELETE"),
            Prop(intern="2", extern="W-2"),  # back after its deletion
            umfang="TEIL",
        ),
    )
    result = import_file(path, broker)
    outcomes = [e.outcome for e in result.entries]
    assert outcomes == ["created", "updated", "created", "withdrawn", "updated"]
    assert len({e.listing_id for e in result.entries[:2]}) == 1
    assert result.entries[2].listing_id == result.entries[4].listing_id
