"""System checks: mistakes in ``WAGTAIL_OPENIMMO`` are reported when the site starts, not when
the first broker's file arrives (``manage.py check`` runs them, as does every command)."""

from __future__ import annotations

import difflib

from django.apps import apps
from django.conf import settings
from django.core import checks

from .conf import DEFAULTS, get_setting

# ``manage.py check --tag wagtail_openimmo`` runs only the app's own checks.
TAG = "wagtail_openimmo"

# Apps the package cannot work without, and what breaks without each (the check's hint).
REQUIRED_APPS: dict[str, str] = {
    "django_q": "imports, reports, exports and schedules run as django-q tasks "
    "(openimmo_schedule fails with 'no such table')",
    "wagtail.contrib.settings": "the 'OpenImmo FTP' setting lives there "
    "(the admin fails with NoReverseMatch without it)",
    "wagtail.snippets": "brokers, FTP accounts and export targets are snippets",
    "wagtail.images": "listing pictures are Wagtail images",
    "wagtail.documents": "listing documents (exposés, floor plans) are Wagtail documents",
}


@checks.register(TAG)
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


@checks.register(TAG)
def check_required_apps(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every app the package needs is in ``INSTALLED_APPS`` (E010): fail at start, not at the
    first import, schedule run or admin page."""
    return [
        checks.Error(
            f"wagtail_openimmo needs {name!r} in INSTALLED_APPS: {why}.",
            hint=f"Add {name!r} to INSTALLED_APPS (see the README's 'Installing into an "
            "existing Wagtail site'), then run migrate.",
            obj=name,
            id="wagtail_openimmo.E010",
        )
        for name, why in REQUIRED_APPS.items()
        if not apps.is_installed(name)
    ]


@checks.register(TAG)
def check_listing_page_model(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``LISTING_PAGE_MODEL`` names an installed subclass of ``AbstractListingPage`` (E020,
    E021): everything that reads or writes listings goes through it."""
    from django.core.exceptions import ImproperlyConfigured

    from . import get_listing_page_model, get_listing_page_model_string
    from .models import AbstractListingPage

    name = get_listing_page_model_string()
    hint = (
        'Name your subclass of wagtail_openimmo.models.AbstractListingPage as "app_label.'
        'ModelName", with its app in INSTALLED_APPS, or remove the setting to use '
        '"wagtail_openimmo.ListingPage" (docs/extending.md).'
    )
    try:
        model = get_listing_page_model()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint=hint, obj=name, id="wagtail_openimmo.E020")]
    if not issubclass(model, AbstractListingPage) or model._meta.abstract:
        return [
            checks.Error(
                f'WAGTAIL_OPENIMMO["LISTING_PAGE_MODEL"] is {name!r}, which is not a '
                "concrete subclass of AbstractListingPage.",
                hint=hint,
                obj=name,
                id="wagtail_openimmo.E021",
            )
        ]
    return []


@checks.register(TAG)
def check_q_cluster(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Without ``Q_CLUSTER`` django-q2 falls back to a Redis broker on localhost, which a site
    using the database queue does not run: tasks would be lost or the cluster would not start."""
    if not apps.is_installed("django_q") or getattr(settings, "Q_CLUSTER", None):
        return []
    return [
        checks.Warning(
            "Q_CLUSTER is not set: django-q2 then expects a Redis server on localhost, and "
            "imports, reports and schedules do not run with the database queue.",
            hint=(
                'Set Q_CLUSTER, e.g. {"name": "wagtail_openimmo", "orm": "default", '
                '"timeout": 1800, "retry": 2100} (see the README).'
            ),
            id="wagtail_openimmo.W010",
        )
    ]


@checks.register(TAG)
def check_privacy_policy(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """A contact form that collects personal data links to a privacy policy (GDPR art. 13).

    With a database (``check --database default``, ``migrate``, the test runner) each site is
    checked with its own settings (Settings → OpenImmo website) over the Python defaults;
    without one, the Python defaults are checked, which are what a site without a settings
    row gets."""
    configured = getattr(settings, "WAGTAIL_OPENIMMO", None)
    if not isinstance(configured, dict):
        return []  # E001 already says so
    hint = (
        "Choose a privacy policy page for the site under Settings → OpenImmo website, set "
        "WAGTAIL_OPENIMMO['PRIVACY_POLICY_URL'] (the default for every site), or turn the "
        "form off (per site, or with WAGTAIL_OPENIMMO['CONTACT_FORM_ENABLED'] = False)."
    )
    sites = _sites_with_settings() if databases else None
    if sites is None:  # no database to ask: the Python defaults
        if not get_setting("CONTACT_FORM_ENABLED") or get_setting("PRIVACY_POLICY_URL"):
            return []
        return [
            checks.Warning(
                "The contact form on listing pages is on, but no privacy policy is linked "
                "from its consent checkbox.",
                hint=hint,
                id="wagtail_openimmo.W011",
            )
        ]
    return [
        checks.Warning(
            f"The contact form on listing pages of the site {site} is on, but no privacy "
            "policy is linked from its consent checkbox.",
            hint=hint,
            obj=site,
            id="wagtail_openimmo.W011",
        )
        for site, config in sites
        if config.contact_form and not config.privacy_policy_url
    ]


@checks.register(TAG)
def check_document_serving(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With ``WAGTAILDOCS_SERVE_METHOD = "direct"`` documents link straight to the storage:
    the app cannot keep the exposés of withdrawn listings from visitors (``privacy``)."""
    if getattr(settings, "WAGTAILDOCS_SERVE_METHOD", None) != "direct":
        return []
    return [
        checks.Warning(
            'WAGTAILDOCS_SERVE_METHOD = "direct": documents are linked by their storage URL, '
            "so the documents of withdrawn and unpublished listings stay public.",
            hint=(
                'Use "serve_view" (or leave it unset), so that Wagtail\'s document view '
                "answers 404 for them; see the README's security section."
            ),
            id="wagtail_openimmo.W012",
        )
    ]


def _sites_with_settings():
    """[(site, its front-end switches)] for every Wagtail site, or None when the database
    cannot tell (not migrated yet, not reachable)."""
    from django.db import DatabaseError

    from .frontend.site_config import resolve, settings_row

    try:
        from wagtail.models import Site

        sites = list(Site.objects.all())
        if not sites:
            return None
        return [(site, resolve(settings_row(site))) for site in sites]
    except DatabaseError:
        return None
