"""The throttle's cache is checked when the site starts (``manage.py check [--deploy]``)."""

from wagtail_openimmo.is24.checks import check_throttle_cache, check_throttle_cache_is_shared

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def ids(messages):
    return [m.id for m in messages]


def test_a_shared_cache_passes(settings):
    settings.CACHES = REDIS
    assert check_throttle_cache() == [] and check_throttle_cache_is_shared() == []


def test_a_local_memory_cache_is_a_deploy_warning(settings):
    settings.CACHES = LOCMEM
    assert check_throttle_cache() == []
    assert ids(check_throttle_cache_is_shared()) == ["wagtail_openimmo_is24.W002"]


def test_a_dummy_cache_or_a_missing_one_is_reported(settings):
    settings.CACHES = DUMMY
    assert ids(check_throttle_cache()) == ["wagtail_openimmo_is24.W001"]
    settings.WAGTAIL_OPENIMMO = {"IS24_THROTTLE_CACHE": "is24"}
    assert ids(check_throttle_cache()) == ["wagtail_openimmo_is24.E001"]


def test_no_check_when_the_throttle_is_off(settings):
    settings.CACHES = DUMMY
    settings.WAGTAIL_OPENIMMO = {"IS24_RATE_LIMIT_PER_MINUTE": 0}
    assert check_throttle_cache() == [] and check_throttle_cache_is_shared() == []
