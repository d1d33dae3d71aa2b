"""A real pyftpdlib server on 127.0.0.1 (a free port), served from a thread."""

from __future__ import annotations

import threading

import pytest

from wagtail_openimmo import tasks
from wagtail_openimmo.ftp.server import build_server
from wagtail_openimmo.ftp.throttle import LoginThrottle


class Clock:
    """A settable clock for the login throttle."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class RunningServer:
    def __init__(self, server, throttle, clock):
        self.server, self.throttle, self.clock = server, throttle, clock
        self.host, self.port = server.address
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            self.server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        self.server.close_all()

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def queued(monkeypatch):
    """The uploads the server queued for import (instead of running django-q)."""
    calls: list[str] = []
    lock = threading.Lock()

    def record(path):
        with lock:
            calls.append(str(path))

    monkeypatch.setattr(tasks, "enqueue_upload", record)
    return calls


@pytest.fixture
def start_ftp(settings, queued):
    """Start a configured server; stopped at the end of the test."""
    started = []

    def start(**overrides):
        settings.WAGTAIL_OPENIMMO = {
            "FTP_PASSIVE_PORTS": None,
            "FTP_LOGIN_DELAY_SECONDS": 0.05,
            **settings.WAGTAIL_OPENIMMO,
            **overrides,
        }
        clock = Clock()
        throttle = LoginThrottle(clock=clock)
        running = RunningServer(build_server("127.0.0.1", 0, throttle=throttle), throttle, clock)
        started.append(running.start())
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def ftp_server(start_ftp):
    return start_ftp()


@pytest.fixture(autouse=True)
def inbox(settings, tmp_path):
    """A fresh inbox root for every test."""
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    return settings.OPENIMMO_INBOX_DIR
