"""An unreadable ``XSD_PATH`` is the operator's error: the inbox takes no file until it is
fixed, so brokers' uploads neither use up their attempts nor end in failed/."""

import pytest
from django.core.management import CommandError, call_command

from tests.inbox_support import make_account, zip_bytes
from wagtail_openimmo.inbox import process_inboxes
from wagtail_openimmo.models import ImportRun, ListingPage
from wagtail_openimmo.openimmo import XsdUnavailable, generate

pytestmark = pytest.mark.django_db


def test_a_missing_schema_takes_no_file_and_the_fixed_setting_imports_it(
    inbox, broker, settings, tmp_path
):
    make_account("acme", broker)
    upload = inbox / "acme" / "stock.zip"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(
        zip_bytes([generate.demo_property(1, images=1, image_size=(32, 24))], anid="ACME-ANID")
    )
    missing = tmp_path / "nowhere.xsd"
    settings.WAGTAIL_OPENIMMO = {
        "INBOX_STABLE_SECONDS": 0,
        "INBOX_MAX_ATTEMPTS": 1,
        "XSD_PATH": str(missing),
    }
    for _ in range(3):  # more scans than attempts: the file must not be given up
        with pytest.raises(XsdUnavailable, match="nowhere.xsd"):
            process_inboxes()
    with pytest.raises(CommandError, match="No file was taken from the inboxes"):
        call_command("openimmo_import")
    assert upload.exists()
    assert not any((inbox / ".openimmo").rglob("stock.zip"))  # not in processing/ or failed/
    assert not ImportRun.objects.exists()

    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 0, "INBOX_MAX_ATTEMPTS": 1}
    [outcome] = process_inboxes()
    assert outcome.status == "imported"
    assert ListingPage.objects.filter(broker=broker).count() == 1
