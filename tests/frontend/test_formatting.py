"""Money, areas and free texts as visitors read them, in German and English."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from wagtail_openimmo.frontend.formatting import (
    format_area,
    format_energy,
    format_money,
    format_number,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "value", "currency", "expected"),
    [
        ("de", Decimal("1234567.00"), "EUR", f"1.234.567{NBSP}€"),
        ("de", Decimal("850.50"), "EUR", f"850,50{NBSP}€"),
        ("de", Decimal("1200"), "CHF", f"1.200{NBSP}CHF"),
        ("en", Decimal("1234567.00"), "EUR", "€1,234,567"),
        ("en", Decimal("850.5"), None, "€850.50"),
        ("en", Decimal("1200"), "CHF", f"CHF{NBSP}1,200"),
    ],
)
def test_money(language, value, currency, expected):
    with translation.override(language):
        assert format_money(value, currency) == expected


def test_money_groups_thousands_even_when_the_site_does_not(settings):
    settings.USE_THOUSAND_SEPARATOR = False
    with translation.override("de"):
        assert format_money(Decimal("450000")) == f"450.000{NBSP}€"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", (f"85,5{NBSP}m²", "3", "2,5", f"1.000{NBSP}m²")),
        ("en", (f"85.5{NBSP}m²", "3", "2.5", f"1,000{NBSP}m²")),
    ],
)
def test_areas_and_numbers_drop_trailing_zeros(language, expected):
    with translation.override(language):
        got = (
            format_area(Decimal("85.50")),
            format_number(Decimal("3.00")),
            format_number(Decimal("2.5")),
            format_area(Decimal("1000.00")),
        )
    assert got == expected


def test_empty_values_format_as_nothing():
    assert format_money(None) == format_area(None) == format_number("") == ""
    assert format_energy("not a number") == ""


def test_energy_value():
    with translation.override("de"):
        assert format_energy(Decimal("123.45")) == f"123,45{NBSP}kWh/(m²·a)"


def render(template: str, **context) -> str:
    return Template("{% load openimmo_tags %}" + template).render(Context(context))


def test_filters_in_templates():
    with translation.override("de"):
        out = render(
            "{{ p|money:c }}|{{ a|area }}|{{ r|number }}",
            p=Decimal("99000"),
            c="EUR",
            a=Decimal("70.25"),
            r=Decimal("3.5"),
        )
    assert out == f"99.000{NBSP}€|70,25{NBSP}m²|3,5"


def test_freetext_keeps_line_breaks_and_escapes_broker_html():
    text = "Erste Zeile<br>zweite Zeile<BR/>\n<p>Absatz</p><script>alert(1)</script>&lt;b&gt;"
    out = render("{{ t|freetext }}", t=text)
    assert "<script>" not in out and "<b>" not in out
    assert "<p>Erste Zeile<br>zweite Zeile</p>" in out
    assert "<p>Absatz</p>" in out
    assert "&lt;b&gt;" in out  # an escaped tag stays visible text, never markup


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "de_DE"), ("en", "en_US"), ("en-gb", "en_GB"), ("de-at", "de_AT"), ("fr", "fr_FR")],
)
def test_og_locale(language, expected):
    from wagtail_openimmo.frontend.seo import og_locale

    assert og_locale(language) == expected
