"""The django-q entry points (run inline: Q_CLUSTER sync=True in the test settings)."""

import json

import pytest

from tests.inbox_support import make_account, write_upload, zip_bytes
from wagtail_openimmo import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_wait(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0}


def test_enqueued_upload_imports_its_folder(inbox, standin, broker, other_broker):
    make_account("acme", broker)
    make_account("other", other_broker)
    path = write_upload(inbox / "acme", "export.zip", zip_bytes(), mtime=1)
    write_upload(inbox / "other", "not-now.zip", zip_bytes(), mtime=1)
    tasks.enqueue_upload(path)  # the ORM broker in sync mode runs it at once
    assert standin.names == ["export.zip"]
    assert (inbox / "other" / "not-now.zip").exists()


def test_process_inboxes_task_returns_json(inbox, standin, broker):
    make_account("acme", broker)
    write_upload(inbox / "acme", "export.zip", zip_bytes(), mtime=1)
    [result] = json.loads(json.dumps(tasks.process_inboxes()))
    assert result["file"] == "export.zip" and result["status"] == "imported"
    assert result["broker"] == "acme" and "/archive/acme/" in result["path"]
    assert result["created"] == 0 and result["errors"] == []  # the stand-in creates nothing
    assert tasks.clean_archive() == 0
