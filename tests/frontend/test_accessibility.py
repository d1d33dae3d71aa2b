"""Accessibility of the default templates and styles: contrast, headings, labels, alt texts."""

import re
from pathlib import Path

import pytest

import wagtail_openimmo
from tests.frontend.html import parse
from tests.frontend.listings import make_listing

CSS = Path(wagtail_openimmo.__file__).parent / "static" / "wagtail_openimmo" / "openimmo.css"


def css_colours() -> dict[str, str]:
    root = re.search(r":root\s*{([^}]*)}", CSS.read_text()).group(1)
    return dict(re.findall(r"--openimmo-([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background", "minimum"),
    [
        ("text", "#ffffff", 4.5),
        ("muted", "#ffffff", 4.5),
        ("muted", "surface", 4.5),  # notes and labels on the filter and contact panels
        ("primary", "#ffffff", 4.5),  # links
        ("primary", "surface", 4.5),
        ("#ffffff", "primary", 4.5),  # button text
        ("#ffffff", "primary-dark", 4.5),  # button text on hover
        ("error", "#ffffff", 4.5),
        ("success", "success-bg", 4.5),
        ("focus", "#ffffff", 3.0),  # the focus ring against the page (WCAG 1.4.11)
        ("focus", "surface", 3.0),
    ],
)
def test_default_colours_meet_wcag_aa(foreground, background, minimum):
    colours = css_colours()
    fg = colours.get(foreground, foreground)
    bg = colours.get(background, background)
    assert contrast(fg, bg) >= minimum, (foreground, background, round(contrast(fg, bg), 2))


def test_contrast_formula_reference_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the well-known AA grey


@pytest.mark.django_db
def test_heading_structure_and_alt_texts(client, broker):
    page = make_listing(broker, 0, images=2)
    for url in (broker.index_page.url, page.url):
        tree = parse(client.get(url))
        levels = [int(h.tag[1]) for h in tree.xpath("//main//*[self::h1 or self::h2 or self::h3]")]
        assert levels[0] == 1 and levels.count(1) == 1, url
        # No level is skipped on the way down (h1 → h3 without an h2).
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (url, levels)
        images = tree.xpath("//main//img[not(ancestor::template)]")
        assert images and all(img.get("alt") for img in images), url
        assert tree.xpath("//html/@lang") == ["en"]
