"""Relative times worded one way everywhere in the admin: "vor 3 Minuten", "gerade eben".

Django's ``timesince`` says "0 Minuten" for a moment ago, and its words are nominative
("3 Tage"), which German cannot put after "vor" ("vor 3 Tagen"); these strings are the app's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MINUTE, HOUR, DAY = 60, 3600, 86400


def _amount(seconds: float) -> tuple[str, int]:
    if seconds < HOUR:
        return "minutes", max(1, int(seconds // MINUTE))
    if seconds < DAY:
        return "hours", int(seconds // HOUR)
    return "days", int(seconds // DAY)


def relative(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``value`` relative to ``now``: "just now", "3 minutes ago", "in 2 hours"."""
    if value is None:
        return ""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if abs(seconds) < MINUTE:
        return _("just now")
    unit, n = _amount(abs(seconds))
    if seconds > 0:
        if unit == "minutes":
            return ngettext("%(n)d minute ago", "%(n)d minutes ago", n) % {"n": n}
        if unit == "hours":
            return ngettext("%(n)d hour ago", "%(n)d hours ago", n) % {"n": n}
        return ngettext("%(n)d day ago", "%(n)d days ago", n) % {"n": n}
    if unit == "minutes":
        return ngettext("in %(n)d minute", "in %(n)d minutes", n) % {"n": n}
    if unit == "hours":
        return ngettext("in %(n)d hour", "in %(n)d hours", n) % {"n": n}
    return ngettext("in %(n)d day", "in %(n)d days", n) % {"n": n}


def yes_no(value) -> str:
    return _("Yes") if value else _("No")


def action_label(action: str, outcome: str = "") -> str:
    """The OpenImmo action of a property in plain words: Neu, Änderung, Löschung, Referenz.

    CHANGE means "new or changed": a property that was created by it is called new. VOLL is
    the app's own mark for a listing missing from a full transfer.
    """
    action = (action or "").upper()
    if action in ("", "CHANGE", "NEW"):
        return _("New") if outcome == "created" or action == "NEW" else _("Change")
    if action == "DELETE":
        return _("Deletion")
    if action == "REFERENZ":
        return _("Reference")
    if action == "VOLL":
        return _("Missing from the full transfer")
    return action
