"""Values a column cannot hold: a warning and an empty column, or the property rejected.

Every typed column (rooms, areas, prices, years, dates, coordinates) gets numbers far out of
its range; none may crash the import, each is reported in words the broker understands, the
value stays in the stored record, and importing the same file again writes nothing.
"""

import re
from decimal import Decimal

import pytest
from django.utils import translation
from lxml import etree

from tests.importing.helpers import Prop, count_writes, transfer, write_upload
from wagtail_openimmo.importing import import_file, render_message
from wagtail_openimmo.importing.columns import fit, fitted
from wagtail_openimmo.models import ListingPage
from wagtail_openimmo.openimmo.fields import FIELDS, find_path
from wagtail_openimmo.openimmo.tree import data_to_element

pytestmark = pytest.mark.django_db

TYPED = [f for f in FIELDS if f.kind in ("decimal", "int", "date")]
HUGE = {
    "decimal": ["1e309", "9" * 400, "1000000000000000", "999999999999.995"],
    "int": ["1e309", "3000000000", "-2147483649", "1e99999999"],
    "date": ["0999-12-31", "0001-01-01"],
}
# Where the project's rules catch a value first (and say so in their own words).
RULE_CODES = {"breitengrad": "geo_invalid", "laengengrad": "geo_invalid"}


def with_value(xml: bytes, path: str, value: str, index: int = 0) -> bytes:
    """``xml`` with ``value`` at ``path`` (``a/b`` or ``a/b@attr``) of its index-th property."""
    root = etree.fromstring(xml)
    node = root.findall(".//immobilie")[index]
    elem_path, _sep, attr = path.partition("@")
    for part in elem_path.split("/"):
        child = find_path(node, part)
        node = child if child is not None else etree.SubElement(node, part)
    if attr:
        node.set(attr, value)
    else:
        node.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def import_bytes(tmp_path, broker, xml: bytes, name="upload.xml"):
    return import_file(write_upload(tmp_path / name, xml), broker)


def stored_text(page: ListingPage, path: str) -> str | None:
    element = data_to_element(page.openimmo_data)
    elem_path, _sep, attr = path.partition("@")
    node = find_path(element, elem_path)
    return node.get(attr) if attr else node.text


CASES = [(spec, value) for spec in TYPED if spec.name != "kaufpreis" for value in HUGE[spec.kind]]


@pytest.mark.parametrize(("spec", "value"), CASES, ids=[f"{s.name}={v[:20]}" for s, v in CASES])
def test_a_value_out_of_range_leaves_the_column_empty_and_warns(tmp_path, broker, spec, value):
    xml = with_value(transfer(Prop(intern="1"), Prop(intern="2")), spec.path, value)
    result = import_bytes(tmp_path, broker, xml)
    assert (result.status, result.created, result.rejected) == ("imported", 2, 0), result.as_json()
    page = ListingPage.objects.get(objektnr_intern="1")
    assert getattr(page, spec.name) is None
    assert stored_text(page, spec.path) == value  # the broker's text is kept as sent
    codes = {w["code"] for w in result.entries[0].warnings}
    expected = RULE_CODES.get(spec.name, "number_out_of_range")
    if spec.kind == "date":
        expected = "date_out_of_range"
    if spec.kind == "int" and "e" in value:
        expected = "value_interpreted"  # the reader gives up on 1e309 as a whole number
    assert expected in codes, result.entries[0].warnings
    assert ListingPage.objects.get(objektnr_intern="2").live  # the next one is unharmed

    with count_writes() as writes:
        again = import_bytes(tmp_path, broker, xml, name="again.xml")
    assert (again.unchanged, writes.count) == (2, 0), writes.queries


@pytest.mark.parametrize("value", HUGE["decimal"])
def test_a_sale_without_a_usable_price_is_rejected_the_others_imported(tmp_path, broker, value):
    xml = with_value(transfer(Prop(intern="1"), Prop(intern="2")), "preise/kaufpreis", value)
    result = import_bytes(tmp_path, broker, xml)
    assert (result.status, result.created, result.rejected) == ("partly_imported", 1, 1)
    [problem] = result.entries[0].errors
    assert problem["code"] == "number_out_of_range" and problem["path"] == "preise/kaufpreis"
    assert list(ListingPage.objects.values_list("objektnr_intern", flat=True)) == ["2"]


def test_a_reference_object_keeps_going_without_its_price(tmp_path, broker):
    xml = with_value(transfer(Prop(aktion="REFERENZ")), "preise/kaufpreis", "1e309")
    result = import_bytes(tmp_path, broker, xml)
    assert (result.created, result.rejected) == (1, 0)
    assert ListingPage.objects.get().kaufpreis is None


def test_a_rent_is_needed_only_when_no_other_rent_is_usable(tmp_path, broker):
    rent = transfer(Prop(intern="1", kaufpreis=None), Prop(intern="2", kaufpreis=None))
    rent = rent.replace(b'KAUF="true" MIETE_PACHT="false"', b'KAUF="false" MIETE_PACHT="true"')
    xml = with_value(rent, "preise/kaltmiete", "1e309", index=0)
    xml = with_value(xml, "preise/kaltmiete", "1e309", index=1)
    xml = with_value(xml, "preise/warmmiete", "950.00", index=1)
    result = import_bytes(tmp_path, broker, xml)
    assert [e.outcome for e in result.entries] == ["rejected", "created"]
    assert result.entries[0].errors[0]["code"] == "number_out_of_range"
    assert [w["code"] for w in result.entries[1].warnings if w["path"] == "preise/kaltmiete"] == [
        "number_out_of_range"
    ]
    page = ListingPage.objects.get()
    assert (page.kaltmiete, page.warmmiete) == (None, Decimal("950.00"))


def test_the_message_is_one_the_broker_understands_in_german_and_english(tmp_path, broker):
    xml = with_value(transfer(Prop()), "flaechen/anzahl_zimmer", "1e309")
    result = import_bytes(tmp_path, broker, xml)
    [message] = [w for w in result.entries[0].warnings if w["code"] == "number_out_of_range"]
    with translation.override("de"):
        german = render_message(message, translate=translation.gettext)
    with translation.override("en"):
        english = render_message(message, translate=translation.gettext)
    assert german.startswith("Zimmer: „1e309“ ist keine sinnvolle Zahl"), german
    assert english.startswith("Rooms: “1e309” is not a sensible number"), english
    assert "999999999999.99" in english


def test_a_text_longer_than_its_column_is_left_out(tmp_path, broker):
    # objektart_typ comes from an attribute the reader does not shorten
    xml = transfer(Prop()).replace(b'wohnungtyp="ETAGE"', b'wohnungtyp="' + b"X" * 300 + b'"')
    result = import_bytes(tmp_path, broker, xml)
    assert result.created == 1
    assert "text_too_long" in {w["code"] for w in result.entries[0].warnings}
    assert ListingPage.objects.get().objektart_typ is None


def test_fit_rounds_what_fits_and_refuses_what_does_not():
    assert fit("anzahl_zimmer", Decimal("3.456")) == Decimal("3.46")
    assert fit("breitengrad", Decimal("50.123456789")) == Decimal("50.1234568")
    assert fitted("kaufpreis", Decimal("999999999999.994")) == Decimal("999999999999.99")
    assert fitted("kaufpreis", Decimal("999999999999.995")) is None
    assert fitted("kaufpreis", Decimal("1e-999999")) == Decimal("0.00")
    assert fitted("baujahr", 2147483647) == 2147483647
    assert fitted("baujahr", 2147483648) is None


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_a_transfer_timestamp_that_cannot_be_stored_is_ignored(tmp_path, broker, stamp):
    """Before year 1 in UTC: saving the run failed after every property had been applied."""
    xml = re.sub(rb'timestamp="[^"]*"', f'timestamp="{stamp}"'.encode(), transfer(Prop()))
    result = import_bytes(tmp_path, broker, xml)
    assert (result.status, result.created) == ("imported", 1)
    assert "timestamp_out_of_range" in {w["code"] for w in result.warnings}
    result.run.refresh_from_db()
    assert result.run.transfer_timestamp is None and result.run.status == "imported"
