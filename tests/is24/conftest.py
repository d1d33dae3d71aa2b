import pytest

from tests.is24.fake_server import FakeIS24
from wagtail_openimmo.is24.models import IS24Connection


@pytest.fixture
def fake_is24(settings):
    """The fake IS24 server, with the app pointed at it and retries that do not wait long."""
    with FakeIS24() as server:
        settings.WAGTAIL_OPENIMMO = {
            "IS24_API_BASE_URL": server.base_url,
            "IS24_CONSUMER_KEY": FakeIS24.CONSUMER_KEY,
            "IS24_CONSUMER_SECRET": FakeIS24.CONSUMER_SECRET,
            "IS24_BACKOFF_SECONDS": 0.001,
            "IS24_MAX_BACKOFF_SECONDS": 0.01,
            "IS24_MAX_RETRIES": 3,
            "IS24_TIMEOUT": 2,
        }
        yield server


@pytest.fixture
def connection(broker, fake_is24):
    return IS24Connection.objects.create(
        broker=broker,
        access_token=FakeIS24.ACCESS_TOKEN,
        access_token_secret=FakeIS24.ACCESS_TOKEN_SECRET,
    )


class RecordingSleep:
    """Stands in for time.sleep in the client: records the waits instead of waiting."""

    def __init__(self):
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps():
    return RecordingSleep()
