"""Does a value fit its column? Checked before anything is written.

The reader turns text into numbers, dates and strings, but a number that parses is not
necessarily one the database can hold: ``<anzahl_zimmer>1e309</anzahl_zimmer>`` is a valid
decimal, yet ``anzahl_zimmer`` has 14 digits with 2 places, and PostgreSQL's ``integer``
stops at 2,147,483,647 (SQLite would take a larger one, so the limit is the same on every
database). The limits are read from the model fields themselves, so they cannot drift.

A value that does not fit is not written: the column stays empty and the value stays in the
lossless record (``openimmo_data``), with a warning the broker understands. Only where the
listing cannot be shown without it -- the project's rules (``openimmo.rules``) would reject
the property if the value were missing, a sale's price say -- the property is rejected.

    fitted("anzahl_zimmer", Decimal("3.456"))   # Decimal("3.46")
    fitted("anzahl_zimmer", Decimal("1e309"))   # None
    check(record)                               # [Problem(...)], errors and warnings
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_noop as _

from .. import get_listing_page_model
from ..models.pages import COLUMN_FOR_FIELD
from ..openimmo import rules
from ..openimmo.fields import FIELDS_BY_NAME, find_path
from ..openimmo.problems import Problem, Text, error, warning
from ..openimmo.records import PropertyRecord
from ..openimmo.tree import data_to_element

# The narrowest DATE among Django's databases (MySQL/MariaDB: 1000-01-01 to 9999-12-31).
DATE_MIN = dt.date(1000, 1, 1)
DATE_MAX = dt.date(9999, 12, 31)
_SHOWN_CHARS = 60  # of a too long text, in a message


class Misfit(Exception):
    """``value`` does not fit ``column``; ``kind`` says how (number, text, date)."""

    def __init__(self, kind: str, limit: str):
        super().__init__(kind, limit)
        self.kind = kind
        self.limit = limit


@cache
def _field(column: str) -> models.Field:
    return get_listing_page_model()._meta.get_field(column)


def _int_range(model_field: models.Field) -> tuple[int, int]:
    # Django's default ranges are PostgreSQL's and MySQL's; SQLite's are wider. Use the
    # narrow one everywhere, so that a file imports the same on every database.
    low, high = BaseDatabaseOperations.integer_field_ranges[model_field.get_internal_type()]
    return low, high


def fit(column: str, value: Any) -> Any:
    """``value`` as ``column`` stores it (decimals rounded); raises ``Misfit`` if it cannot."""
    if value is None:
        return None
    model_field = _field(column)
    if isinstance(model_field, models.DecimalField):
        return _fit_decimal(model_field, value)
    if isinstance(model_field, models.IntegerField):
        low, high = _int_range(model_field)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Misfit("number", f"{low} … {high}")
        return value
    if isinstance(model_field, models.DateField):
        if not isinstance(value, dt.date) or not DATE_MIN <= value <= DATE_MAX:
            raise Misfit("date", f"{DATE_MIN.isoformat()} … {DATE_MAX.isoformat()}")
        return value
    limit = getattr(model_field, "max_length", None)
    if isinstance(value, str) and limit is not None and len(value) > limit:
        raise Misfit("text", str(limit))
    return value


def _fit_decimal(model_field: models.DecimalField, value: Any) -> Decimal:
    places, digits = model_field.decimal_places, model_field.max_digits
    largest = Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise Misfit("number", str(largest))
    value = Decimal(value)
    # Check the size before rounding: quantize() of 1e309 to two places needs 312 digits
    # and raises InvalidOperation in the default context (28 digits).
    if not value.is_finite() or (value and value.adjusted() >= digits - places):
        raise Misfit("number", str(largest))
    try:
        rounded = value.quantize(
            Decimal(1).scaleb(-places), ROUND_HALF_UP, context=Context(prec=digits + 2)
        )
    except InvalidOperation as exc:  # pragma: no cover - ruled out by the size check
        raise Misfit("number", str(largest)) from exc
    if abs(rounded) > largest:  # 999999999999.995 rounds up to 13 digits
        raise Misfit("number", str(largest))
    return rounded


def fitted(column: str, value: Any) -> Any:
    """``value`` as ``column`` stores it, or None if it does not fit (never raises)."""
    try:
        return fit(column, value)
    except Misfit:
        return None


_TEMPLATES = {
    ("number", "warning"): _(
        "{label}: “{value}” is not a sensible number (at most {limit}); it is not shown on "
        "the listing but kept in the stored record."
    ),
    ("number", "error"): _(
        "{label}: “{value}” is not a sensible number (at most {limit}), and the listing "
        "cannot be shown without it; the property was rejected."
    ),
    ("text", "warning"): _(
        "{label}: “{value}” is longer than {limit} characters; it is not shown on the "
        "listing but kept in the stored record."
    ),
    ("text", "error"): _(
        "{label}: “{value}” is longer than {limit} characters, and the listing cannot be "
        "shown without it; the property was rejected."
    ),
    ("date", "warning"): _(
        "{label}: “{value}” is not a sensible date ({limit}); it is not shown on the listing "
        "but kept in the stored record."
    ),
    ("date", "error"): _(
        "{label}: “{value}” is not a sensible date ({limit}), and the listing cannot be "
        "shown without it; the property was rejected."
    ),
}
CODES = {"number": "number_out_of_range", "text": "text_too_long", "date": "date_out_of_range"}


def _raw(element, path: str) -> str | None:
    """The text the broker sent at ``path`` (``a/b`` or ``a/b@attr``), if it is there."""
    elem_path, _sep, attr = path.partition("@")
    node = find_path(element, elem_path)
    if node is None:
        return None
    return node.get(attr) if attr else node.text


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def check(record: PropertyRecord, *, strict: bool = False) -> list[Problem]:
    """A finding for every value of ``record`` that does not fit its column.

    A warning when the column can stay empty; an error (the property is rejected) when the
    project's rules would reject the property without the value — in ``strict`` mode more
    rules reject (a sale without its price), in lenient mode few do.
    """
    misfits: list[tuple[str, Misfit]] = []
    for name, value in record.fields.items():
        try:
            fit(COLUMN_FOR_FIELD.get(name, name), value)
        except Misfit as exc:
            misfits.append((name, exc))
    if not misfits:
        return []
    element = data_to_element(record.data)
    known_errors = {p.code for p in record.errors}
    problems = []
    for name, misfit in misfits:
        spec = FIELDS_BY_NAME[name]
        without = replace(record, fields={k: v for k, v in record.fields.items() if k != name})
        needed = any(
            p.severity == "error" and p.code not in known_errors
            for p in rules.check_record(without, element, strict=strict)
        )
        severity = "error" if needed else "warning"
        raw = _raw(element, spec.path) or str(record.fields[name])
        problems.append(
            (error if needed else warning)(
                CODES[misfit.kind],
                _TEMPLATES[misfit.kind, severity],
                line=record.field_lines.get(name),
                path=spec.path,
                label=Text(spec.label or name),
                value=_shown(raw),
                limit=misfit.limit,
            )
        )
    return problems
