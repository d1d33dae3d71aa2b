"""Typed values from the text that real exporters send.

Each parser returns ``(value, note)``: ``value`` is ``None`` when the text is empty or cannot be
read, ``note`` is ``None`` or the template of a warning explaining what was assumed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .problems import _

TRUE_WORDS = {"true", "1"}
FALSE_WORDS = {"false", "0"}
# Not allowed by the schema but seen in the wild; read them and say so.
LENIENT_TRUE = {"ja", "yes", "j", "y", "wahr"}
LENIENT_FALSE = {"nein", "no", "n", "falsch", ""}


def parse_bool(text: str | None):
    if text is None:
        return None, None
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    if word in LENIENT_TRUE:
        return True, _("{label}: “{value}” is not a boolean (true/false/1/0); read as true.")
    if word in LENIENT_FALSE and word:
        return False, _("{label}: “{value}” is not a boolean (true/false/1/0); read as false.")
    if not word:
        return None, None
    return None, _("{label}: “{value}” is not a boolean (true/false/1/0) and was ignored.")


_GERMAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_NUMBER_IN_TEXT = re.compile(r"-?\d+(?:[.,]\d+)?")


def parse_decimal(text: str | None):
    """Read a decimal: ``149000.00``, also ``5,95`` and ``1.234,56`` (with a warning)."""
    if text is None:
        return None, None
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return None, None
    try:
        value = Decimal(raw)
        if value.is_finite():
            return value, None
        return None, _("{label}: “{value}” is not a number and was ignored.")
    except InvalidOperation:
        pass
    if _GERMAN_NUMBER.match(raw):
        return Decimal(raw.replace(".", "").replace(",", ".")), _(
            "{label}: “{value}” uses German number format; read as {parsed}."
        )
    if raw.count(",") == 1 and "." not in raw:
        try:
            return Decimal(raw.replace(",", ".")), _(
                "{label}: “{value}” uses a decimal comma; read as {parsed}."
            )
        except InvalidOperation:
            pass
    return None, _("{label}: “{value}” is not a number and was ignored.")


# No whole number a column holds has more digits; int() of 1e99999999 would take minutes.
_INT_DIGITS = 18


def parse_int(text: str | None):
    value, note = parse_decimal(text)
    if value is None:
        return None, note
    if value and value.adjusted() >= _INT_DIGITS:
        return None, _("{label}: “{value}” is not a sensible number and was ignored.")
    if value != value.to_integral_value():
        return int(value), _("{label}: “{value}” is not a whole number; read as {parsed}.")
    return int(value), note


def parse_date(text: str | None):
    """ISO dates (``2015-06-22``), also ``22.06.2015`` and a date-time's date part."""
    if text is None or not text.strip():
        return None, None
    raw = text.strip()
    try:
        return dt.date.fromisoformat(raw[:10]), None
    except ValueError:
        pass
    match = re.match(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day), _(
                "{label}: “{value}” is not an ISO date; read as {parsed}."
            )
        except ValueError:
            pass
    return None, _("{label}: “{value}” is not a date and was ignored.")


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_datetime(text: str | None):
    """ISO date-times as exporters write them.

    Accepts 7-digit fractions (``.1242974``, .NET style) by cutting them to microseconds, and
    values without a zone, which are returned naive (the caller decides the zone).
    Returns ``(value, notes)`` where ``notes`` is a list of warning templates.
    """
    notes: list[str] = []
    if text is None or not text.strip():
        return None, notes
    raw = text.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    if _FRACTION.search(raw):
        raw = _FRACTION.sub(r"\1", raw)
        notes.append(
            _("{label}: timestamp “{value}” has more than 6 fraction digits; they were cut.")
        )
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        date, date_note = parse_date(raw)
        if date is None:
            notes.append(_("{label}: “{value}” is not a timestamp and was ignored."))
            return None, notes
        value = dt.datetime(date.year, date.month, date.day)
    if value.tzinfo is None:
        notes.append(_("{label}: timestamp “{value}” has no time zone; local time is assumed."))
    return value, notes


def clean_text(text: str | None) -> str | None:
    """Strip surrounding white space; empty becomes ``None`` (the broker sent nothing)."""
    if text is None:
        return None
    text = text.strip()
    return text or None
