"""Slowing down and then refusing an address that keeps failing to log in.

After ``FTP_LOGIN_FAILURES_BEFORE_DELAY`` failed logins from one IP address, each further
failure is answered ``FTP_LOGIN_DELAY_SECONDS`` later than the one before (at most
``MAX_DELAY``); after ``FTP_LOGIN_FAILURES_BEFORE_BAN`` the address is refused outright for
``FTP_BAN_SECONDS``. Failures older than the ban time are forgotten; a successful login
clears the address. The counts live in the server process (a restart forgets them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..conf import get_setting

MAX_DELAY = 30.0
# Forget addresses beyond this many (oldest first), so a scan from many addresses cannot
# grow the table without bound.
MAX_TRACKED = 10000


@dataclass
class _Record:
    failures: int = 0
    last_failure: float = 0.0
    banned_until: float = 0.0


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def _current(self, ip: str, now: float) -> _Record | None:
        record = self._records.get(ip)
        if record is None:
            return None
        window = float(get_setting("FTP_BAN_SECONDS"))
        if record.banned_until <= now and now - record.last_failure > window:
            del self._records[ip]  # quiet for long enough: start afresh
            return None
        return record

    def banned_for(self, ip: str) -> float:
        """Seconds ``ip`` stays refused (0: not banned)."""
        with self._lock:
            now = self.clock()
            record = self._current(ip, now)
            return max(0.0, record.banned_until - now) if record else 0.0

    def failure(self, ip: str) -> float:
        """Count a failed login from ``ip``; return how long to delay the answer."""
        with self._lock:
            now = self.clock()
            record = self._current(ip, now)
            if record is None:
                if len(self._records) >= MAX_TRACKED:
                    oldest = min(self._records, key=lambda k: self._records[k].last_failure)
                    del self._records[oldest]
                record = self._records[ip] = _Record()
            record.failures += 1
            record.last_failure = now
            if record.failures >= int(get_setting("FTP_LOGIN_FAILURES_BEFORE_BAN")):
                record.banned_until = now + float(get_setting("FTP_BAN_SECONDS"))
            return self.delay(record.failures)

    @staticmethod
    def delay(failures: int) -> float:
        """The answer delay after ``failures`` failed logins."""
        free = int(get_setting("FTP_LOGIN_FAILURES_BEFORE_DELAY"))
        if failures < free:
            return 0.0
        step = float(get_setting("FTP_LOGIN_DELAY_SECONDS"))
        return min(MAX_DELAY, step * (failures - free + 1))

    def success(self, ip: str) -> None:
        with self._lock:
            record = self._records.get(ip)
            if record is not None and record.banned_until <= self.clock():
                del self._records[ip]

    def failures(self, ip: str) -> int:
        with self._lock:
            record = self._current(ip, self.clock())
            return record.failures if record else 0
