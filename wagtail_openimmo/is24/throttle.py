"""Keep under IS24's request limit ahead of time, across every worker of the site.

IS24 allows 2,000 requests per minute per consumer key and answers 429 beyond that. The
client does not wait for the 429: before every request it takes a slot from a token bucket
(the "generic cell rate algorithm": one timestamp, the *theoretical arrival time*) kept in
a Django cache that all workers share. ``IS24_RATE_LIMIT_PER_MINUTE`` requests a minute
with bursts of up to ``IS24_RATE_BURST`` means at most limit + burst requests in any
60 seconds; the defaults (1,800 and 20) stay under IS24's 2,000.

The cache must be shared for the bucket to be: Redis, Memcached or Django's database
cache (``IS24_THROTTLE_CACHE`` names the alias). The default local-memory cache is shared
by the threads of one process only.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable

from django.core.cache import caches

from .. import conf

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = 5.0  # seconds a lock may be held before another worker may take it
LOCK_POLL = 0.002


class Throttle:
    """A token bucket for one consumer key: ``acquire()`` before every request."""

    def __init__(
        self,
        consumer_key: str,
        *,
        per_minute: float | None = None,
        burst: int | None = None,
        cache_alias: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ):
        if per_minute is None:
            per_minute = float(conf.get_setting("IS24_RATE_LIMIT_PER_MINUTE") or 0)
        if burst is None:
            burst = int(conf.get_setting("IS24_RATE_BURST") or 1)
        self.per_minute = per_minute
        self.burst = max(1, burst)
        self.cache = caches[cache_alias or conf.get_setting("IS24_THROTTLE_CACHE")]
        digest = hashlib.sha256((consumer_key or "").encode()).hexdigest()[:16]
        self.key = f"wagtail_openimmo:is24:throttle:{digest}"
        self.lock_key = f"{self.key}:lock"
        self.sleep = sleep
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def acquire(self) -> float:
        """Wait until the next request may go out; returns the seconds waited."""
        if not self.enabled:
            return 0.0
        interval = 60.0 / self.per_minute
        tolerance = (self.burst - 1) * interval
        token = self._lock()
        try:
            now = self.clock()
            arrival = max(float(self.cache.get(self.key) or 0.0), now)
            start = max(now, arrival - tolerance)
            new_arrival = arrival + interval
            self.cache.set(self.key, new_arrival, timeout=int(new_arrival - now) + 120)
        finally:
            self._unlock(token)
        wait = start - now
        if wait > 0:
            logger.debug("IS24 throttle: waiting %.3f s", wait)
            self.sleep(wait)
        return max(wait, 0.0)

    def _lock(self) -> str | None:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + LOCK_TIMEOUT
        while not self.cache.add(self.lock_key, token, timeout=LOCK_TIMEOUT):
            if time.monotonic() > deadline:
                # A worker died holding the lock (the cache expires it) or the cache is
                # overloaded: going on unthrottled once beats stopping the sync.
                logger.warning("IS24 throttle: lock not free after %s s", LOCK_TIMEOUT)
                return None
            time.sleep(LOCK_POLL)
        return token

    def _unlock(self, token: str | None) -> None:
        if token is not None and self.cache.get(self.lock_key) == token:
            self.cache.delete(self.lock_key)
