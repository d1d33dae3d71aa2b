"""django-q entry points: thin functions the cluster calls by dotted path.

Keep their arguments JSON/pickle-friendly (ids and paths, not model instances); the work
is done in the service modules.
"""

from __future__ import annotations


def push_exports() -> dict[str, int]:
    """Upload the export of every active ``ExportTarget`` (see ``exporting.push``).

    Returns how many targets were pushed, skipped (nothing changed) and failed.
    """
    from .exporting.push import push_all

    counts = {"pushed": 0, "skipped": 0, "failed": 0}
    for result in push_all():
        counts[result.status] += 1
    return counts
