"""WAGTAIL_OPENIMMO["XSD_PATH"] and ["STRICT_VALIDATION"] reach the importer (issue 2, 5a).

The schema is a small one the test writes itself (the official XSD may not be shipped); it
does not know ``<flaechen>``, which every hand-made property here carries.
"""

import pytest

from tests.importing.helpers import Prop, openimmo_settings, transfer, write_upload
from tests.openimmo.test_xsd import SMALL_SCHEMA
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ImportRun, ListingPage
from wagtail_openimmo.openimmo import XsdUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(tmp_path):
    path = tmp_path / "operators-copy.xsd"
    path.write_text(SMALL_SCHEMA, encoding="utf-8")
    return path


def upload(tmp_path):
    return write_upload(tmp_path / "u.xml", transfer(Prop(intern="1"), Prop(intern="2")))


def test_without_a_schema_only_the_own_rules_run(tmp_path, broker):
    result = import_file(upload(tmp_path), broker)
    assert result.created == 2 and "xsd" not in {w["code"] for w in result.warnings}


def test_schema_findings_are_warnings_by_default(tmp_path, broker, schema):
    with openimmo_settings(XSD_PATH=str(schema)):
        result = import_file(upload(tmp_path), broker)
    assert result.status == "imported" and result.created == 2
    findings = [w for w in result.warnings if w["code"] == "xsd"]
    assert {w["objektnr"] for w in findings} == {"E100"} and len(findings) == 2
    assert all(w["line"] and "flaechen" in w["message"] for w in findings)


def test_strict_validation_rejects_what_the_schema_refuses(tmp_path, broker, schema):
    with openimmo_settings(XSD_PATH=str(schema), STRICT_VALIDATION=True):
        result = import_file(upload(tmp_path), broker)
    assert result.status == "rejected" and result.rejected == 2
    assert "xsd" in {e["code"] for e in result.errors}
    assert not ListingPage.objects.exists()


def test_a_missing_schema_is_an_operators_error_not_the_brokers(tmp_path, broker):
    missing = tmp_path / "nowhere.xsd"
    with openimmo_settings(XSD_PATH=str(missing)), pytest.raises(XsdUnavailable) as caught:
        import_file(upload(tmp_path), broker)
    assert str(missing) in str(caught.value)
    run = ImportRun.objects.get()
    assert run.status == "failed" and str(missing) in run.message
    assert not ListingPage.objects.exists()
