import pytest

from tests.inbox_support import StandInImporter
from wagtail_openimmo.inbox import process


@pytest.fixture(autouse=True)
def inbox(settings, tmp_path):
    """A fresh inbox root for every test."""
    settings.OPENIMMO_INBOX_DIR = tmp_path / "inbox"
    return settings.OPENIMMO_INBOX_DIR


@pytest.fixture
def standin(monkeypatch):
    """The stand-in importer, for the unit tests of the inbox state machine only."""
    importer = StandInImporter()
    monkeypatch.setattr(process, "import_file", importer.import_file)
    monkeypatch.setattr(process, "identify_broker", importer.identify_broker)
    monkeypatch.setattr(process, "broker_lock", importer.broker_lock)
    return importer
