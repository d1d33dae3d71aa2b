"""Real-browser tests: Playwright driving Debian's chromium against a live test server.

Chromium is ``/usr/bin/chromium`` (or ``$CHROMIUM_PATH``). Without it the tests skip — unless
``OPENIMMO_REQUIRE_BROWSER=1`` (set by ``.ci/run``), then they fail. Screenshots go to
``test-artifacts/screenshots/`` (kept as CI artefacts, ignored by git).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
EXAMPLE_SITE = ROOT / "example_site"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        reason = f"Chromium is not installed at {path} (apt-get install chromium)"
        if os.environ.get("OPENIMMO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, but OPENIMMO_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(reason)
    return path


@pytest.fixture
def example_site_look(settings):
    """Render with the example site's templates and static files (its base.html overrides
    the app's), as a site using the app would."""
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [EXAMPLE_SITE / "templates", *engine.get("DIRS", [])]
    settings.TEMPLATES = [engine]
    settings.STATICFILES_DIRS = [EXAMPLE_SITE / "static"]


@pytest.fixture
def chromium(monkeypatch, tmp_path):
    """Headless Chromium, each context with a fresh profile (``--user-data-dir``): yields a
    factory ``chromium(javascript=True) -> BrowserContext``."""
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # meanwhile are ordinary synchronous ones, so Django's async guard does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    contexts = []
    with sync_playwright() as playwright:

        def new_context(*, javascript: bool = True, locale: str = "en-GB"):
            context = playwright.chromium.launch_persistent_context(
                tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path),
                executable_path=path,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 860},
                locale=locale,
                java_script_enabled=javascript,
                reduced_motion="reduce",
            )
            context.set_default_timeout(15_000)
            contexts.append(context)
            return context

        try:
            yield new_context
        finally:
            for context in contexts:
                context.close()


def screenshot(page, name: str, **kwargs) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    return path


DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
DOCS_SIZES = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


def docs_screenshots(page, name: str) -> None:
    """The page at 1366×900 and 390×844 into ``docs/screenshots/<name>-<width>.png`` (and
    ``test-artifacts/``); fails if the page scrolls sideways at either size."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in DOCS_SIZES.items():
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}-{label}.png"))
        screenshot(page, f"{name}-{label}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"] + 1, f"{name} scrolls sideways at {label}px"
    page.set_viewport_size(DOCS_SIZES["1366"])
