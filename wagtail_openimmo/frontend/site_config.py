"""The front end's switches for one site: the site's ``OpenImmoSiteSettings`` (Settings →
OpenImmo website in the admin) over the ``WAGTAIL_OPENIMMO`` defaults.

Everything that shows or accepts a contact form, a search agent, a map, a privacy link or the
PDF exposé asks ``site_config(request)`` (or ``site_config(page=…)`` where there is no
request: matching and mailing search agents, system checks). A site without a settings row,
and every field left at "default", gets the Python setting, exactly as before per-site
settings existed. The row is only read, never created, on the front end.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..conf import get_setting

_CACHE_ATTR = "_wagtail_openimmo_site_config"


@dataclass(frozen=True)
class SiteConfig:
    contact_form: bool
    search_agents: bool
    pdf_expose: bool
    privacy_policy_url: str | None
    map_tile_url: str | None  # None: no map
    map_attribution: str
    map_zoom: int
    map_link_url: str | None  # None: no "View on OpenStreetMap"


def _switch(value: str, setting: str) -> bool:
    from ..models.site_settings import OFF, ON

    if value == ON:
        return True
    if value == OFF:
        return False
    return bool(get_setting(setting))


def settings_row(site):
    """The site's settings row, or None (no site, no row, or the table not migrated yet)."""
    from django.db import DatabaseError

    from ..models.site_settings import OpenImmoSiteSettings

    if site is None:
        return None
    try:
        return (
            OpenImmoSiteSettings.objects.select_related("privacy_policy_page")
            .filter(site=site)
            .first()
        )
    except DatabaseError:  # e.g. a check or a command before ``migrate``
        return None


def resolve(row, request=None) -> SiteConfig:
    """The effective switches of a settings row (None: the Python settings only)."""
    from ..models.site_settings import OFF, ON

    tile_url = get_setting("MAP_TILE_URL") or None
    zoom = int(get_setting("MAP_ZOOM"))
    attribution = get_setting("MAP_ATTRIBUTION") or ""
    link_url = get_setting("MAP_LINK_URL") or None
    privacy = get_setting("PRIVACY_POLICY_URL") or None
    if row is None:
        return SiteConfig(
            contact_form=bool(get_setting("CONTACT_FORM_ENABLED")),
            search_agents=bool(get_setting("SEARCH_AGENTS_ENABLED")),
            pdf_expose=bool(get_setting("PDF_EXPOSE_ENABLED")),
            privacy_policy_url=privacy,
            map_tile_url=tile_url,
            map_attribution=attribution,
            map_zoom=zoom,
            map_link_url=link_url,
        )
    page = row.privacy_policy_page
    page_url = page.get_url(request) if page is not None and page.live else None
    if row.map == OFF:
        tiles = None
    elif row.map == ON or tile_url:
        tiles = row.map_tile_url or tile_url or None
    else:
        tiles = None
    return SiteConfig(
        contact_form=_switch(row.contact_form, "CONTACT_FORM_ENABLED"),
        search_agents=_switch(row.search_agents, "SEARCH_AGENTS_ENABLED"),
        pdf_expose=_switch(row.pdf_expose, "PDF_EXPOSE_ENABLED"),
        privacy_policy_url=page_url or row.privacy_policy_url or privacy,
        map_tile_url=tiles,
        map_attribution=row.map_attribution or attribution,
        map_zoom=zoom if row.map_zoom is None else int(row.map_zoom),
        map_link_url=None if row.map_link == OFF else link_url,
    )


def site_config(request=None, *, site=None, page=None) -> SiteConfig:
    """The switches of the request's site (else of ``site``, else of ``page``'s site); the
    Python settings where no site is known. Kept on the request for its lifetime."""
    cacheable = request is not None and site is None and page is None
    if cacheable:
        cached = getattr(request, _CACHE_ATTR, None)
        if cached is not None:
            return cached
    if site is None:
        from wagtail.models import Site

        if page is not None:
            site = page.get_site()
        elif request is not None:
            site = Site.find_for_request(request)
    config = resolve(settings_row(site), request)
    if cacheable:
        setattr(request, _CACHE_ATTR, config)
    return config


# --- search agents, which are matched and mailed without a request -------------------------


def search_agents_by_root() -> tuple[bool, dict[str, bool]]:
    """(the Python default, {site root page path: search agents on}) for every site: one
    query when no site overrides the default, two when one does, however many agents."""
    from wagtail.models import Site

    from ..models.site_settings import INHERIT, OpenImmoSiteSettings

    default = bool(get_setting("SEARCH_AGENTS_ENABLED"))
    rows = {
        row.site_id: row
        for row in OpenImmoSiteSettings.objects.exclude(search_agents=INHERIT).only(
            "site_id", "search_agents"
        )
    }
    if not rows:  # every site as the default: one query
        return default, {}
    by_root = {}
    for site in Site.objects.select_related("root_page"):
        row = rows.get(site.pk)
        by_root[site.root_page.path] = (
            _switch(row.search_agents, "SEARCH_AGENTS_ENABLED") if row else default
        )
    return default, by_root


def search_agents_on_for_path(path: str, default: bool, by_root: dict[str, bool]) -> bool:
    """Whether search agents are on for the page at ``path`` (its deepest site root's
    setting; the Python default for a page under no site)."""
    roots = [root for root in by_root if path.startswith(root)]
    return by_root[max(roots, key=len)] if roots else default


def search_agents_anywhere() -> bool:
    """Search agents are on for some site (or by the Python default)."""
    from django.db import DatabaseError

    from ..models.site_settings import ON, OpenImmoSiteSettings

    if get_setting("SEARCH_AGENTS_ENABLED"):
        return True
    try:
        return OpenImmoSiteSettings.objects.filter(search_agents=ON).exists()
    except DatabaseError:
        return False
