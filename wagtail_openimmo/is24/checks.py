"""System checks of the IS24 sub-app: the throttle needs a cache that every worker shares."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from .. import conf

UNSHARED = ("LocMemCache",)
NOT_COUNTING = ("DummyCache",)


def _backend() -> tuple[str, str] | None:
    if not float(conf.get_setting("IS24_RATE_LIMIT_PER_MINUTE") or 0):
        return None
    alias = conf.get_setting("IS24_THROTTLE_CACHE")
    return alias, str((getattr(settings, "CACHES", {}).get(alias) or {}).get("BACKEND", ""))


@checks.register()
def check_throttle_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    found = _backend()
    if found is None:
        return []
    alias, backend = found
    if not backend:
        return [
            checks.Error(
                f"IS24_THROTTLE_CACHE names the cache {alias!r}, which CACHES does not have.",
                hint="Name a cache from CACHES (Redis, Memcached or the database cache).",
                id="wagtail_openimmo_is24.E001",
            )
        ]
    if backend.endswith(NOT_COUNTING):
        return [
            checks.Warning(
                f"The IS24 throttle cannot count in the cache {alias!r} ({backend}); "
                "requests to IS24 are not throttled.",
                hint="Set IS24_THROTTLE_CACHE to a real cache shared by every worker.",
                id="wagtail_openimmo_is24.W001",
            )
        ]
    return []


@checks.register(deploy=True)
def check_throttle_cache_is_shared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    found = _backend()
    if found is None or not found[1].endswith(UNSHARED):
        return []
    alias, backend = found
    return [
        checks.Warning(
            f"The IS24 throttle counts in the cache {alias!r} ({backend}), which each process "
            "has to itself: several workers together may exceed IS24's request limit.",
            hint="Set IS24_THROTTLE_CACHE to a cache every worker shares (Redis, Memcached, "
            "django.core.cache.backends.db.DatabaseCache).",
            id="wagtail_openimmo_is24.W002",
        )
    ]
