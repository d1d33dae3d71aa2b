"""The test settings with the listing page model swapped for the site's own
(``tests.swapped_listing.MyListingPage``): for ``tests/swapped_listing``, run in a process of
their own (``tests/test_swapped_listing_model.py``). ``OPENIMMO_TEST_LISTING_PAGE_MODEL``
names another model, for the system-check tests."""

import os

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = ["tests.swapped_listing", *INSTALLED_APPS]
WAGTAIL_OPENIMMO = {
    "LISTING_PAGE_MODEL": os.environ.get(
        "OPENIMMO_TEST_LISTING_PAGE_MODEL", "swapped_listing.MyListingPage"
    ),
}
if "sqlite" not in DATABASES["default"]["ENGINE"]:  # noqa: F405
    # Its own test database: the suite that starts this process may be using test_<name>.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_swapped"}  # noqa: F405
