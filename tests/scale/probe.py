"""Set up and inspect an example site on the throwaway servers, from a separate process.

The scale tests run in the test suite's own Django (SQLite, ``tests.settings``); the site
under test is the example site on PostgreSQL and Redis, driven by real ``qcluster``
processes. This module runs in a process of that site (``DJANGO_SETTINGS_MODULE=
example_site.settings`` and the site's environment)::

    python -m tests.scale.probe setup '{"brokers": ["a", "b"], "shared_index": true}'
    python -m tests.scale.probe enqueue '{"count": 3}'
    python -m tests.scale.probe state '{}'

and prints one line of JSON with the answer.
"""

from __future__ import annotations

import json
import os
import sys


def setup(brokers: list[str], shared_index: bool = False, settings: dict | None = None) -> dict:
    """Create approved brokers and their inbox folders (``<inbox>/<slug>/``).

    ``shared_index``: every broker's listings go under one ``ListingIndexPage`` (portals do
    that), so concurrent imports add children to the same parent page.
    """
    from wagtail_openimmo.brokers import create_broker
    from wagtail_openimmo.conf import inbox_dir

    made = {}
    first = None
    for slug in brokers:
        broker = create_broker(
            slug, name=slug.title(), email=f"{slug}@example.com", anid=f"{slug.upper()}-ANID",
            approved=True,
        )
        if shared_index:
            if first is None:
                first = broker.index_page
            else:
                broker.index_page.delete()
                broker.index_page = first
                broker.save(update_fields=["index_page"])
        (inbox_dir() / slug).mkdir(parents=True, exist_ok=True)
        made[slug] = {"id": broker.pk, "index_page": broker.index_page_id}
    return made


def enqueue(count: int = 1, task: str = "wagtail_openimmo.tasks.process_inboxes") -> list[str]:
    """Queue ``count`` runs of ``task`` for the cluster (what the inbox schedule does)."""
    from django_q.tasks import async_task

    return [async_task(task, group="scale-tests") for _ in range(count)]


def enqueue_uploads(paths: list[str]) -> None:
    """Queue the import of each upload, as the built-in FTP server does when one arrives."""
    from wagtail_openimmo.tasks import enqueue_upload

    for path in paths:
        enqueue_upload(path)


def state() -> dict:
    """Runs, listings and the health of the page tree."""
    from django_q.models import Task
    from wagtail.models import Page

    from wagtail_openimmo.models import ImportRun, ListingPage

    runs = [
        {
            "id": r.pk,
            "broker": r.broker.slug if r.broker else None,
            "file_name": r.file_name,
            "file_path": r.file_path,
            "status": r.status,
            "message": str(r.message or ""),
            "created": r.created,
            "updated": r.updated,
            "unchanged": r.unchanged,
            "transfer_timestamp": r.transfer_timestamp.isoformat()
            if r.transfer_timestamp
            else None,
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        }
        for r in ImportRun.objects.select_related("broker").order_by("started_at", "pk")
    ]
    pages = [
        {
            "id": p.pk,
            "broker": p.broker.slug,
            "objektnr_extern": p.objektnr_extern,
            "title": p.title,
            "slug": p.slug,
            "live": p.live,
            "parent": p.get_parent().pk,
            "images": sum(1 for a in p.attachments.all() if a.kind == "image"),
        }
        for p in ListingPage.objects.select_related("broker").order_by("pk")
    ]
    problems = Page.find_problems()
    numchild_wrong = [
        p.pk for p in Page.objects.all() if p.numchild != p.get_children().count()
    ]
    tasks = [
        {"func": t.func, "success": t.success, "result": str(t.result)[:2000]}
        for t in Task.objects.order_by("started")
    ]
    return {
        "runs": runs,
        "pages": pages,
        "tree_problems": [[getattr(p, "pk", p) for p in group] for group in problems],
        "numchild_wrong": numchild_wrong,
        "tasks": tasks,
    }


def import_losing_session(broker: str, path: str, after: int) -> dict:
    """Import ``path`` for ``broker`` in this process; after ``after`` properties the
    database drops the session that holds the broker's advisory lock, and Django opens a new
    connection for the next query (as it does after a failed rollback)."""
    import contextlib
    from pathlib import Path

    from django.db import connection

    from wagtail_openimmo.importing import import_file
    from wagtail_openimmo.models import Broker, ListingPage

    def progress(kind, done, total):
        if kind == "properties" and done == after:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            connection.close()

    target = Broker.objects.get(slug=broker)
    try:
        import_file(Path(path), target, progress=progress)
        raised = None
    except Exception as exc:
        raised = type(exc).__name__
    return {"raised": raised, "listings": ListingPage.objects.filter(broker=target).count()}


COMMANDS = {
    "setup": setup, "enqueue": enqueue, "enqueue_uploads": enqueue_uploads, "state": state,
    "import_losing_session": import_losing_session,
}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    import django

    django.setup()
    command, args = argv[0], json.loads(argv[1] if len(argv) > 1 else "{}")
    print(json.dumps(COMMANDS[command](**args), default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
