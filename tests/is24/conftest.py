import re

import pytest

from tests.is24.fake_server import API, FakeIS24
from wagtail_openimmo.is24.models import IS24Connection

REALESTATE_URL = re.compile(rf"^{API}/user/me/realestate/[^/]+$")


def broken_rules(server: FakeIS24) -> list[str]:
    """What no test may ever see the app do, whatever the test is about."""
    broken = [
        f"DELETE of a real estate: {r.path}"
        for r in server.requests
        if r.method == "DELETE" and REALESTATE_URL.match(r.path)
    ]
    broken += [f"payload invalid against IS24's XSD: {p}" for p in server.invalid_payloads]
    # The fake answers 500 only when it has a bug (injected faults use other codes); the
    # client would retry and hide it.
    broken += [
        f"the fake failed on {r.method} {r.path}" for r in server.requests if r.status == 500
    ]
    return broken


@pytest.fixture
def fake_is24(settings):
    """The fake IS24 server, with the app pointed at it and retries that do not wait long.

    After every test it checks the rules IS24 sets for all requests: no real estate is
    ever DELETEd, every payload is valid against IS24's XSDs.
    """
    with FakeIS24() as server:
        settings.WAGTAIL_OPENIMMO = {
            "IS24_API_BASE_URL": server.base_url,
            "IS24_CONSUMER_KEY": FakeIS24.CONSUMER_KEY,
            "IS24_CONSUMER_SECRET": FakeIS24.CONSUMER_SECRET,
            "IS24_BACKOFF_SECONDS": 0.001,
            "IS24_MAX_BACKOFF_SECONDS": 0.01,
            "IS24_MAX_RETRIES": 3,
            "IS24_TIMEOUT": 2,
            # The throttle runs in every test, at a rate that never slows one down; the
            # throttle's own tests set a small limit.
            "IS24_RATE_LIMIT_PER_MINUTE": 6_000_000,
        }
        yield server
        assert broken_rules(server) == []


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
