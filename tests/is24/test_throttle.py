"""The client stays under IS24's request limit before IS24 has to say 429."""

import threading
import time

import pytest

from tests.is24.fake_server import FakeIS24
from wagtail_openimmo.is24.client import IS24Client
from wagtail_openimmo.is24.models import IS24Connection
from wagtail_openimmo.is24.throttle import Throttle

pytestmark = pytest.mark.django_db(transaction=True)

PER_MINUTE = 600  # one request every 0.1 s
BURST = 2


@pytest.fixture
def limited(settings, fake_is24):
    settings.WAGTAIL_OPENIMMO = {
        **settings.WAGTAIL_OPENIMMO,
        "IS24_RATE_LIMIT_PER_MINUTE": PER_MINUTE,
        "IS24_RATE_BURST": BURST,
    }
    # A key of its own, so that no other test's bucket is shared.
    fake_is24.consumers["throttle-test-consumer"] = "throttle-secret"
    return fake_is24


def client_for(broker):
    connection = IS24Connection(
        broker=broker,
        consumer_key="throttle-test-consumer",
        consumer_secret="throttle-secret",
        access_token=FakeIS24.ACCESS_TOKEN,
        access_token_secret=FakeIS24.ACCESS_TOKEN_SECRET,
    )
    return IS24Client(connection, sleep=lambda s: None)


def burst(client, n):
    for _ in range(n):
        client.request("GET", "/user/me/realestate", params={"pagesize": 1})


def test_a_burst_takes_at_least_the_time_the_limit_allows(broker, limited):
    client = client_for(broker)
    n = 12
    started = time.monotonic()
    burst(client, n)
    elapsed = time.monotonic() - started
    # BURST requests go at once, every further one waits its 0.1 s slot.
    assert elapsed >= (n - BURST) * 60 / PER_MINUTE - 0.01
    assert len(limited.api_requests()) == n
    assert all(r.status == 200 for r in limited.api_requests())


def test_workers_share_one_bucket(broker, limited):
    clients = [client_for(broker) for _ in range(3)]
    per_worker = 5
    threads = [threading.Thread(target=burst, args=(c, per_worker)) for c in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = per_worker * len(clients)
    assert len(limited.api_requests()) == total
    # Three clients, one consumer key: together they wait as one would.
    assert elapsed >= (total - BURST) * 60 / PER_MINUTE - 0.01


def test_no_more_than_limit_plus_burst_in_any_minute():
    """The bucket's schedule (on a simulated clock): never more than the limit allows."""
    now = [1000.0]
    starts = []

    def sleep(seconds):
        now[0] += seconds

    throttle = Throttle(
        "schedule-test",
        per_minute=120,
        burst=5,
        cache_alias="default",
        sleep=sleep,
        clock=lambda: now[0],
    )
    for _ in range(400):
        throttle.acquire()
        starts.append(now[0])
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s < start + 60]
        assert len(in_window) <= 120 + 5
    assert starts[-1] - starts[0] >= (400 - 5) * 0.5 - 1e-6


def test_a_limit_of_zero_switches_the_throttle_off():
    waited = []
    throttle = Throttle("off-test", per_minute=0, burst=1, sleep=waited.append)
    for _ in range(50):
        assert throttle.acquire() == 0.0
    assert waited == []
