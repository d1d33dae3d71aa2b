"""The listing page model swapped for a site's own (``LISTING_PAGE_MODEL``): the tests in
``tests/swapped_listing`` run in a process of their own with ``tests.settings_swapped``
(the models, their relations and the migrations are fixed when a process starts, so a
swapped model cannot be tried with ``override_settings``); the system checks for a wrong
setting; and the app's migrations need no change for a swapped model."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wagtail_openimmo import get_listing_page_model, get_listing_page_model_string
from wagtail_openimmo.checks import check_listing_page_model
from wagtail_openimmo.models import ListingIndexPage, ListingPage

ROOT = Path(__file__).resolve().parent.parent


def swapped(args, *, model=None, timeout=900):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings_swapped"
    env.pop("PYTEST_XDIST_WORKER", None)
    if model is not None:
        env["OPENIMMO_TEST_LISTING_PAGE_MODEL"] = model
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_the_default_is_the_apps_listing_page():
    assert get_listing_page_model_string() == "wagtail_openimmo.ListingPage"
    assert get_listing_page_model() is ListingPage
    assert ListingIndexPage.clean_subpage_models() == [ListingPage]
    assert check_listing_page_model() == []


@pytest.mark.xdist_group("swapped")
def test_the_swapped_suite_passes():
    result = swapped(
        ["-m", "pytest", "tests/swapped_listing", "-p", "no:cacheprovider", "-q", "-n", "0",
         "--ds", "tests.settings_swapped"]
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


def test_a_swapped_model_needs_no_migration_of_the_app():
    result = swapped(["-m", "django", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("swapped_listing.NoSuchPage", "wagtail_openimmo.E020"),
        ("no_dot", "wagtail_openimmo.E020"),
        ("wagtail_openimmo.ListingIndexPage", "wagtail_openimmo.E021"),
    ],
)
def test_a_wrong_setting_is_a_system_check_error(model, error):
    result = swapped(["-m", "django", "check", "--tag", "wagtail_openimmo"], model=model)
    assert result.returncode == 1, result.stdout + result.stderr
    assert error in result.stderr and "LISTING_PAGE_MODEL" in result.stderr
