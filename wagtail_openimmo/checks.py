"""System checks: mistakes in ``WAGTAIL_OPENIMMO`` are reported when the site starts, not when
the first broker's file arrives (``manage.py check`` runs them, as does every command)."""

from __future__ import annotations

import difflib

from django.conf import settings
from django.core import checks

from .conf import DEFAULTS


@checks.register()
def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    configured = getattr(settings, "WAGTAIL_OPENIMMO", None) or {}
    if not isinstance(configured, dict):
        return [
            checks.Error(
                "WAGTAIL_OPENIMMO must be a dict.",
                hint="See docs/configuration.md for the keys and their defaults.",
                id="wagtail_openimmo.E001",
            )
        ]
    found: list[checks.CheckMessage] = []
    for name in sorted(set(configured) - set(DEFAULTS)):
        close = difflib.get_close_matches(name, DEFAULTS, n=1)
        found.append(
            checks.Warning(
                f"WAGTAIL_OPENIMMO has no setting {name!r}; it is ignored.",
                hint=f"Did you mean {close[0]!r}?" if close else "See docs/configuration.md.",
                id="wagtail_openimmo.W001",
            )
        )
    path = configured.get("XSD_PATH")
    if path:
        from .openimmo.xsd import XsdUnavailable, XsdValidator

        try:
            XsdValidator.load(path)
        except XsdUnavailable as exc:
            found.append(
                checks.Warning(
                    str(exc),
                    hint=(
                        "Point XSD_PATH at your copy of the official OpenImmo XSD (openimmo.de, "
                        "Downloads) or remove it; until then the inbox takes no file."
                    ),
                    id="wagtail_openimmo.W002",
                )
            )
    return found


@checks.register(checks.Tags.urls)
def check_leads_urls(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Search agents' one-click unsubscribe needs ``wagtail_openimmo.urls`` (RFC 8058)."""
    from django.urls import NoReverseMatch, reverse

    from .conf import get_setting

    if not get_setting("SEARCH_AGENTS_ENABLED"):
        return []
    try:
        reverse("wagtail_openimmo:search_agent_unsubscribe", args=["x"])
    except NoReverseMatch:
        return [
            checks.Warning(
                "Search agents are on, but wagtail_openimmo.urls is not included: mail "
                "programs' one-click unsubscribe (List-Unsubscribe-Post) cannot work.",
                hint='Add path("openimmo/", include("wagtail_openimmo.urls")) to your URLconf '
                "before Wagtail's catch-all, or set SEARCH_AGENTS_ENABLED to False.",
                id="wagtail_openimmo.W101",
            )
        ]
    return []
