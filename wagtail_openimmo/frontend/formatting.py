"""Numbers, money and areas the way visitors read them, in the active language.

German: ``1.234.567 €``, ``850,50 €``, ``85,5 m²``; English: ``€1,234,567``, ``85.5 m²``.
Separators come from Django's locale formats (``get_format``), grouping is always on,
whatever ``USE_THOUSAND_SEPARATOR`` says: a price without grouping is hard to read, and the
site-wide switch is about form inputs and admin columns, not about ads.

Wagtail activates the page's locale when internationalisation is on; otherwise
``LocaleMiddleware`` picks the visitor's language. Both end up as the active language here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language

NBSP = "\u00a0"
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
# Languages that write the currency symbol before the amount (€1,234); the others after it
# with a space (1.234 €), as German, French, Spanish, Italian, Polish… do.
SYMBOL_FIRST_LANGUAGES = {"en"}


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value, decimals: int | None = None) -> str:
    """``value`` with the active language's separators and thousands grouping.

    ``decimals=None`` shows up to two decimals and drops trailing zeros (``85,5``, ``3``).
    """
    number = to_decimal(value)
    if number is None:
        return ""
    if decimals is None:
        number = number.quantize(Decimal("0.01")).normalize()
        # normalize() may give 1E+3; quantize back to a plain exponent.
        if number == number.to_integral_value():
            number = number.quantize(Decimal(1))
        decimals = max(0, -number.as_tuple().exponent)
    return numberformat.format(
        number,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=get_format("NUMBER_GROUPING"),
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def format_money(value, currency: str | None = "EUR") -> str:
    """A price: whole amounts without cents (``450.000 €``), others with two (``850,50 €``)."""
    number = to_decimal(value)
    if number is None:
        return ""
    whole = number == number.to_integral_value()
    amount = format_number(number, 0 if whole else 2)
    code = (currency or "EUR").upper()
    symbol = CURRENCY_SYMBOLS.get(code, code)
    language = (get_language() or "en").split("-")[0]
    if language in SYMBOL_FIRST_LANGUAGES:
        return f"{symbol}{amount}" if len(symbol) == 1 else f"{symbol}{NBSP}{amount}"
    return f"{amount}{NBSP}{symbol}"


def format_area(value) -> str:
    """An area in square metres: ``85,5 m²``."""
    text = format_number(value)
    return f"{text}{NBSP}m²" if text else ""


def format_energy(value) -> str:
    """An energy value of an Energieausweis: ``123,5 kWh/(m²·a)``."""
    text = format_number(value)
    return f"{text}{NBSP}kWh/(m²·a)" if text else ""
