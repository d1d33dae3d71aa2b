import pytest
from django.core.cache import cache
from django.utils import translation

from tests.helpers import make_broker


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Django's cache outlives each test's database rollback: cleared before every test, so
    nothing cached points at rows of an earlier test (Wagtail 7 keeps the sites' root paths
    there; a test that changed or deleted a Site would leave every later URL None)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request with ``Accept-Language: de`` leaves German active in the thread (Django's
    ``LocaleMiddleware`` activates it and nothing resets it after a test-client request):
    back to the default language after every test, so that no test depends on the order."""
    yield
    translation.deactivate()


@pytest.fixture
def broker(db):
    return make_broker("acme")


@pytest.fixture
def other_broker(db):
    return make_broker("other")


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated database afterwards.

    A plain ``transaction=True`` test ends with a flush that deletes what the migrations made
    (Wagtail's root page and default site) and re-creates content types under new ids, which
    breaks the next test that expects them or that restores the serialized state
    (``IntegrityError`` on ``django_content_type``). Serialized rollback for all of them keeps
    the database and the content-type ids the same for every test, whatever the order.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if marker.kwargs.get("serialized_rollback"):
            continue
        kwargs = dict(marker.kwargs, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
