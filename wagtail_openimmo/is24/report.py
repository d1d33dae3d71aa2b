"""The IS24 section of the broker's import report.

The broker hears about IS24 in the report it already gets after each import (one mail, one
language, the report's own retries) instead of a second mail every 30 minutes. The section
lists:

- the account's state when the broker must act (IS24 refused the access token);
- every listing that IS24 does not show as it is here, and why: listings of this import
  are checked against the IS24 mapping at once (their next sync has not run yet), the
  others show the error of their last sync (``sync.listing_errors``);
- notices since the broker's previous report, e.g. a listing that became a new IS24 object
  because its type changed (``sync.listing_notices``).

``reports.render.report_context`` calls ``report_section(run)`` only when this sub-app is
installed; it returns ``None`` when the broker has no active IS24 connection.
"""

from __future__ import annotations

from typing import Any

from ..conf import get_setting
from ..logsafe import shown
from ..models import ImportRun, ImportRunEntry
from .mapping import map_listing
from .models import IS24Connection, render_message
from .sync import is_active, listing_errors, listing_notices

# Outcomes of an import entry whose listing was (re)written and must be checked afresh.
TOUCHED = [ImportRunEntry.Outcome.CREATED, ImportRunEntry.Outcome.UPDATED]


def _previous_report_at(run: ImportRun):
    previous = (
        ImportRun.objects.filter(broker_id=run.broker_id, report_sent_at__isnull=False)
        .exclude(pk=run.pk)
        .order_by("-report_sent_at")
        .values_list("report_sent_at", flat=True)
        .first()
    )
    return previous


def _fresh_problems(run: ImportRun) -> dict[int, dict[str, Any]]:
    """listing id → its mapping problem, for the active listings this run wrote."""
    found: dict[int, dict[str, Any]] = {}
    entries = run.entries.filter(outcome__in=TOUCHED, listing__isnull=False).select_related(
        "listing"
    )
    for entry in entries:
        listing = entry.listing
        if listing.broker_id != run.broker_id or not is_active(listing):
            continue
        mapped = map_listing(listing)
        if mapped.problems:
            found[listing.pk] = {
                "objektnr": listing.objektnr_extern,
                "title": listing.title,
                "message": "; ".join(
                    render_message(p.detail(), p.message) for p in mapped.problems
                ),
                "code": mapped.problems[0].code,
                "listing_id": listing.pk,
                "is24_id": None,
            }
        else:
            found[listing.pk] = {}  # fine now, whatever its last sync said
    return found


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    """An item with the broker's words (object number, title) shown escaped."""
    return {
        **item,
        **{k: shown(item[k]) for k in ("objektnr", "title", "message") if item.get(k)},
    }


def report_section(run: ImportRun) -> dict[str, Any] | None:
    """What the report on ``run`` says about IS24, in the active language; None if nothing."""
    if run.broker_id is None:
        return None
    connection = IS24Connection.objects.filter(broker_id=run.broker_id, active=True).first()
    if connection is None:
        return None
    broker = connection.broker
    limit = get_setting("REPORT_MAX_ITEMS")
    fresh = _fresh_problems(run)
    errors = [e for e in listing_errors(broker) if e["listing_id"] not in fresh]
    errors += [problem for problem in fresh.values() if problem]
    errors.sort(key=lambda e: (e["objektnr"] or "", e["title"] or ""))
    notices = listing_notices(broker, since=_previous_report_at(run))
    needs_reauth = bool(connection.access_token) and connection.needs_reauth
    if not (errors or notices or needs_reauth):
        return None
    return {
        "needs_reauth": needs_reauth,
        "errors": [_shown(e) for e in errors[:limit]],
        "errors_total": len(errors),
        "errors_more": max(0, len(errors) - limit),
        "notices": [_shown(n) for n in notices[:limit]],
        "notices_more": max(0, len(notices) - limit),
    }
