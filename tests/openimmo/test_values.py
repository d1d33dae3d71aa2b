"""Typed values from the text real exporters send (``values.py``, ``fields.convert``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from wagtail_openimmo.openimmo import values
from wagtail_openimmo.openimmo.fields import FIELDS_BY_NAME, convert
from wagtail_openimmo.openimmo.tree import text_content


def render(template, raw, parsed=None):
    return template.format(label="Field", value=raw, parsed=parsed, max_length=255)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        (" TRUE ", True),
        ("False", False),
    ],
)
def test_booleans_of_the_schema(raw, expected):
    assert values.parse_bool(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw,expected",
    [("ja", True), ("Nein", False), ("yes", True), ("no", False), ("J", True), ("n", False)],
)
def test_lenient_booleans_are_read_with_a_note(raw, expected):
    value, note = values.parse_bool(raw)
    assert value is expected
    assert f"“{raw}”" in render(note, raw) and str(expected).lower() in render(note, raw)


def test_unreadable_and_empty_booleans():
    value, note = values.parse_bool("vielleicht")
    assert value is None and "ignored" in render(note, "vielleicht")
    assert values.parse_bool("") == (None, None)
    assert values.parse_bool(None) == (None, None)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("149000.00", Decimal("149000.00")),
        ("88", Decimal("88")),
        ("-3.5", Decimal("-3.5")),
        (" 1 200.50 ", Decimal("1200.50")),
        ("1\u00a0200", Decimal("1200")),
    ],
)
def test_decimals_as_the_schema_writes_them(raw, expected):
    assert values.parse_decimal(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw,expected,words",
    [
        ("5,95", Decimal("5.95"), "decimal comma"),
        ("1.234,56", Decimal("1234.56"), "German number format"),
        ("1.234.567", Decimal("1234567"), "German number format"),
        ("-12,5", Decimal("-12.5"), "decimal comma"),
    ],
)
def test_german_decimals_are_read_with_a_note(raw, expected, words):
    value, note = values.parse_decimal(raw)
    assert value == expected
    assert words in render(note, raw, value) and str(expected) in render(note, raw, value)


@pytest.mark.parametrize("raw", ["auf Anfrage", "12 EUR", "1,234.56", "NaN", "Infinity"])
def test_text_that_is_not_a_number_is_ignored_with_a_note(raw):
    value, note = values.parse_decimal(raw)
    assert value is None and "not a number" in render(note, raw)


def test_empty_decimal_is_absent_without_a_note():
    assert values.parse_decimal("  ") == (None, None)
    assert values.parse_decimal(None) == (None, None)


def test_integers():
    assert values.parse_int("1971") == (1971, None)
    assert values.parse_int("3.00") == (3, None)
    value, note = values.parse_int("2,5")
    assert value == 2 and "whole number" in render(note, "2,5", value)


@pytest.mark.parametrize(
    "raw,expected,noted",
    [
        ("2015-06-22", dt.date(2015, 6, 22), False),
        ("2015-06-22T13:55:07", dt.date(2015, 6, 22), False),
        ("22.06.2015", dt.date(2015, 6, 22), True),
        ("1.8.2015", dt.date(2015, 8, 1), True),
    ],
)
def test_dates(raw, expected, noted):
    value, note = values.parse_date(raw)
    assert value == expected and (note is not None) == noted


@pytest.mark.parametrize("raw", ["sofort", "31.02.2015", "03-2018"])
def test_text_that_is_not_a_date(raw):
    value, note = values.parse_date(raw)
    assert value is None and "not a date" in render(note, raw)


def test_datetimes():
    plus2 = dt.timezone(dt.timedelta(hours=2))
    value, notes = values.parse_datetime("2020-08-07T11:56:39.1242974+02:00")
    assert value == dt.datetime(2020, 8, 7, 11, 56, 39, 124297, tzinfo=plus2)
    assert len(notes) == 1 and "fraction digits" in notes[0]
    value, notes = values.parse_datetime("2020-08-07T11:56:39")
    assert value.tzinfo is None and "no time zone" in notes[0]
    value, notes = values.parse_datetime("2015-06-22T13:55:07.0+00:00")
    assert value == dt.datetime(2015, 6, 22, 13, 55, 7, tzinfo=dt.UTC) and notes == []
    value, notes = values.parse_datetime("2020-08-07")
    assert value == dt.datetime(2020, 8, 7) and "no time zone" in notes[0]
    assert values.parse_datetime("") == (None, [])


def test_clean_text():
    assert values.clean_text("  Mainz \n") == "Mainz"
    assert values.clean_text(" \t\n") is None
    assert values.clean_text(None) is None


def test_long_text_is_shortened_with_a_note():
    field = FIELDS_BY_NAME["plz"]
    value, note = convert(field, "1" * 30)
    assert value == "1" * field.max_length
    assert str(field.max_length) in note.format(label="Postcode", max_length=field.max_length)
    longtext = FIELDS_BY_NAME["objektbeschreibung"]
    assert convert(longtext, "x" * 10000) == ("x" * 10000, None)


def test_text_content_of_mixed_markup():
    element = etree.fromstring("<t>A<br/>B <i>c</i> d<br/><br/>E</t>")
    assert text_content(element) == "A\nB c d\n\nE"
    assert text_content(etree.fromstring("<t>plain</t>")) == "plain"
    assert text_content(etree.fromstring("<t/>")) is None
