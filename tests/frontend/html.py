"""Reading rendered pages in tests with lxml and XPath (no CSS-selector dependency)."""

from __future__ import annotations

import lxml.html


def parse(response):
    return lxml.html.fromstring(response.content)


def cls(name: str) -> str:
    """XPath predicate: the element has the CSS class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def text(element) -> str:
    return " ".join(element.text_content().split())
