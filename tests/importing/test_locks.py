"""One import per broker at a time: re-entrant in a thread, exclusive across processes.

The same tests run on SQLite (flock) and on PostgreSQL (advisory locks, with
``TEST_DATABASE_URL=postgres://...``); the lock needs the database there, hence the marks.
"""

import multiprocessing
import threading

import pytest
from django.db import connection, connections

from wagtail_openimmo.locks import BrokerLocked, broker_lock, lock_path


def hold_in_child(broker_id, ready, release):
    """Runs in another (forked) process: take the lock the way another importer would."""
    with broker_lock(broker_id, timeout=5):
        ready.set()
        release.wait(10)


@pytest.mark.django_db
def test_the_lock_is_reentrant_within_a_thread():
    with broker_lock(1, timeout=0.5), broker_lock(1, timeout=0.5):
        pass
    with broker_lock(1, timeout=0.5):  # released again after nesting
        pass


@pytest.mark.skipif(connection.vendor == "postgresql", reason="flock is the SQLite variant")
def test_another_process_waits_and_gives_up():
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    child = context.Process(target=hold_in_child, args=(7, ready, release))
    child.start()
    try:
        assert ready.wait(10)
        assert lock_path(7).exists()
        with (
            pytest.raises(BrokerLocked, match="Another import of broker 7"),
            broker_lock(7, timeout=0.5),
        ):
            pass
        with broker_lock(8, timeout=0.5):  # other brokers are not blocked
            pass
    finally:
        release.set()
        child.join(10)
    with broker_lock(7, timeout=2):  # free again
        pass


@pytest.mark.django_db(transaction=True)
def test_another_thread_is_blocked_until_release():
    events = []
    inside = threading.Event()
    leave = threading.Event()

    def first():
        try:
            with broker_lock(3, timeout=2):
                inside.set()
                leave.wait(5)
                events.append("first out")
        finally:
            connections.close_all()  # this thread's own connection (PostgreSQL)

    def second():
        inside.wait(5)
        try:
            with broker_lock(3, timeout=0.3):
                events.append("second in too early")
        except BrokerLocked:
            events.append("second refused")
        leave.set()
        try:
            with broker_lock(3, timeout=5):
                events.append("second in")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert events == ["second refused", "first out", "second in"]
