"""One import at a time per broker, across processes.

The FTP server, the scheduled inbox scan and an operator's ``openimmo_import`` may all want to
apply files of the same broker at once. Two imports of one broker running side by side would
race on the same pages (and a full transfer could withdraw what the other just created), so
``import_file`` holds ``broker_lock(broker.id)`` while it works::

    with broker_lock(broker.id):
        import_file(first, broker)
        import_file(second, broker)   # re-entrant: the same thread may nest the lock

On PostgreSQL the lock is a session-level advisory lock (works across machines that share the
database); elsewhere (SQLite, which lives on one machine) it is an exclusive ``flock`` on
``<inbox root>/.locks/broker-<id>.lock``.

The advisory lock lives as long as the database session that took it. When the database
drops that session in the middle of an import, Django opens a new connection at the next
query (after a failed rollback it closes the broken one) and the import could go on without
its lock, side by side with another worker's. ``check_broker_lock`` notices: the importer
calls it before each property and stops the run (``BrokerLockLost``) instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from .conf import get_setting, inbox_dir

# First key of PostgreSQL's two-key advisory locks: "OIMO", so that our locks never collide
# with other applications' single-key locks on the same database.
_PG_LOCK_CLASS = 0x4F494D4F
_POLL_SECONDS = 0.2

_held = threading.local()


class BrokerLocked(Exception):
    """Another import of the same broker is running and did not finish within the timeout."""

    def __init__(self, broker_id: int, timeout: float):
        super().__init__(
            _("Another import of broker %(id)s is running; gave up waiting after %(seconds)s s.")
            % {"id": broker_id, "seconds": timeout}
        )
        self.broker_id = broker_id
        self.timeout = timeout


class BrokerLockLost(Exception):
    """The database session holding a broker's advisory lock is gone: the lock went with it."""

    def __init__(self, broker_id: int):
        super().__init__(
            _(
                "The database connection that held the import lock of broker %(id)s was "
                "lost; the import stopped so that it cannot run beside another one."
            )
            % {"id": broker_id}
        )
        self.broker_id = broker_id


def _sessions() -> dict[int, tuple[str, object]]:
    """Per thread: broker id -> (database alias, the DB-API connection holding its lock)."""
    if not hasattr(_held, "sessions"):
        _held.sessions = {}
    return _held.sessions


def check_broker_lock(broker_id: int) -> None:
    """Raise ``BrokerLockLost`` if this thread's lock of ``broker_id`` went with a lost
    database session (PostgreSQL; a file lock cannot be lost this way)."""
    held = _sessions().get(int(broker_id))
    if held is None:
        return
    using, session = held
    if connections[using].connection is not session:
        raise BrokerLockLost(int(broker_id))


def _depths() -> dict[int, int]:
    if not hasattr(_held, "depths"):
        _held.depths = {}
    return _held.depths


def lock_path(broker_id: int):
    return inbox_dir() / ".locks" / f"broker-{int(broker_id)}.lock"


@contextlib.contextmanager
def broker_lock(
    broker_id: int, *, timeout: float | None = None, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Hold the import lock of ``broker_id``; raise ``BrokerLocked`` after ``timeout`` seconds.

    ``timeout`` defaults to the setting ``LOCK_TIMEOUT``. Nested use in the same thread does
    not wait for itself.
    """
    broker_id = int(broker_id)
    depths = _depths()
    if depths.get(broker_id):
        depths[broker_id] += 1
        try:
            yield
        finally:
            depths[broker_id] -= 1
        return
    if timeout is None:
        timeout = float(get_setting("LOCK_TIMEOUT"))
    connection = connections[using]
    if connection.vendor == "postgresql":
        release = _acquire_pg(connection, broker_id, timeout)
        _sessions()[broker_id] = (using, connection.connection)
    else:
        release = _acquire_flock(broker_id, timeout)
    depths[broker_id] = 1
    try:
        yield
    finally:
        depths.pop(broker_id, None)
        _sessions().pop(broker_id, None)
        release()


def _acquire_pg(connection, broker_id: int, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_PG_LOCK_CLASS, broker_id])
            if cursor.fetchone()[0]:
                break
        if time.monotonic() >= deadline:
            raise BrokerLocked(broker_id, timeout)
        time.sleep(_POLL_SECONDS)

    def release():
        # If the connection broke meanwhile, the server released the session lock with it.
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_PG_LOCK_CLASS, broker_id])

    return release


def _acquire_flock(broker_id: int, timeout: float):
    path = lock_path(broker_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BrokerLocked(broker_id, timeout) from None
                time.sleep(_POLL_SECONDS)
    except BaseException:
        os.close(fd)
        raise

    def release():
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    return release
