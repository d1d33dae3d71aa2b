"""Helpers for the FTP and inbox tests: accounts, uploads, and a stand-in importer.

``StandInImporter`` replaces ``import_file``/``identify_broker``/``broker_lock`` in
``wagtail_openimmo.inbox.process`` ONLY in the unit tests of the inbox state machine: it
records the order of the calls and decides a status from the file, so the state machine can
be tested without the real importer. End-to-end tests use the real importer.
"""

from __future__ import annotations

import datetime as dt
import ftplib
import io
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from wagtail_openimmo.models import Broker, FTPAccount, ImportRun
from wagtail_openimmo.openimmo import generate
from wagtail_openimmo.openimmo.problems import TransferRefused
from wagtail_openimmo.openimmo.reader import read_transfer

PASSWORD = "s3cret-Passw0rd"


def make_account(username: str, *brokers: Broker, password: str = PASSWORD, **kwargs):
    account = FTPAccount(username=username, **kwargs)
    account.set_password(password)
    account.save()
    account.brokers.set(brokers)
    return account


def zip_bytes(properties=None, **kwargs) -> bytes:
    """A small OpenImmo ZIP as broker software uploads it."""
    properties = (
        properties
        if properties is not None
        else [generate.demo_property(1, images=1, image_size=(32, 24))]
    )
    out = io.BytesIO()
    generate.write_zip(out, properties, **kwargs)
    return out.getvalue()


def write_upload(folder: Path, name: str, data: bytes, *, mtime: float | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    if mtime is not None:
        import os

        os.utime(path, (mtime, mtime))
    return path


def ftp_login(server, username: str, password: str = PASSWORD, *, cls=ftplib.FTP):
    ftp = cls()
    ftp.connect(server.host, server.port, timeout=10)
    ftp.login(username, password)
    return ftp


def stamp(minutes: int) -> dt.datetime:
    return dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


# --- the stand-in importer ----------------------------------------------------------------


@dataclass
class StandInResult:
    status: str
    message: str = ""
    refused: bool = False
    run: ImportRun | None = None
    errors: list = field(default_factory=list)

    def as_json(self):
        return {"status": self.status, "message": self.message, "errors": self.errors}


def _transfer(path: Path):
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in sorted(zf.namelist()) if n.lower().endswith(".xml"))
            return read_transfer(zf.read(name))
    return read_transfer(path)


class StandInImporter:
    """Records calls; VOLL without properties is held unless forced; unreadable is refused."""

    def __init__(self):
        self.calls: list[tuple[str, str, bool]] = []
        self.crash_next = 0
        self.lock = threading.RLock()

    def import_file(self, path, broker, *, dry_run=False, force=False, progress=None, run=None):
        path = Path(path)
        assert path.exists(), path
        self.calls.append((path.name, broker.slug, force))
        if self.crash_next:
            self.crash_next -= 1
            raise RuntimeError("injected crash")
        run = run or ImportRun.objects.create(broker=broker, file_name=path.name)
        try:
            transfer = _transfer(path)
        except (TransferRefused, StopIteration, OSError, ValueError) as exc:
            status, message, refused = ImportRun.Status.REJECTED, f"refused: {exc}", True
        else:
            if transfer.umfang == "VOLL" and transfer.property_count == 0 and not force:
                status, message, refused = ImportRun.Status.HELD, "VOLL without properties", False
            else:
                status, message, refused = ImportRun.Status.IMPORTED, "", False
        run.status, run.message, run.finished_at, run.forced = (
            status,
            message,
            timezone.now(),
            force,
        )
        run.save()
        return StandInResult(status, message, refused, run)

    def identify_broker(self, path):
        try:
            transfer = _transfer(Path(path))
        except Exception:
            return None
        for anbieter in transfer.anbieter:
            for broker in Broker.objects.all():
                if broker.matches_anbieter(anbieter.anbieternr, anbieter.openimmo_anid):
                    return broker
        return None

    @contextmanager
    def broker_lock(self, broker_id):
        with self.lock:
            yield

    @property
    def names(self):
        return [c[0] for c in self.calls]


def ensure_default_site():
    """Recreate what Wagtail's migrations made, after a transactional test flushed it."""
    from wagtail.models import Locale, Page, Site

    if Site.objects.filter(is_default_site=True).exists():
        return
    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(title="Home", slug="home")
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Tests"
    )
