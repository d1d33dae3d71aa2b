"""Template filters for the app's admin pages: ``{% load openimmo_admin_tags %}``.

{{ run.created_at|ago }}          vor 3 Minuten / 3 minutes ago (never "vor 0 Minuten")
{{ run.dry_run|yesno_label }}     Ja / Nein
{{ run.file_name|shown }}         a broker's name with line breaks and control characters
                                  shown escaped (stock\x0a.zip)
"""

from __future__ import annotations

from django import template

from .. import logsafe, timewords

register = template.Library()


@register.filter
def ago(value):
    """A date-time relative to now, worded the same everywhere: "vor 3 Minuten"."""
    return timewords.relative(value)


@register.filter
def yesno_label(value):
    """Ja / Nein (Yes / No) for a boolean."""
    return timewords.yes_no(value)


@register.filter
def shown(value):
    """A name or value a broker chose, with control characters shown as escapes (the
    template still HTML-escapes it)."""
    return logsafe.shown(value)
