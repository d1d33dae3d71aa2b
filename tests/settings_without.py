"""The test settings less the apps named in ``OPENIMMO_TEST_WITHOUT_APPS`` (comma-separated)
and, with ``OPENIMMO_TEST_WITHOUT_Q_CLUSTER=1``, without ``Q_CLUSTER``: for the system-check
tests, which run ``manage.py check`` in a subprocess with these settings."""

import os

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

_without = {name for name in os.environ.get("OPENIMMO_TEST_WITHOUT_APPS", "").split(",") if name}
INSTALLED_APPS = [name for name in INSTALLED_APPS if name not in _without]
if os.environ.get("OPENIMMO_TEST_WITHOUT_Q_CLUSTER"):
    del Q_CLUSTER  # noqa: F821
ROOT_URLCONF = "tests.urls_minimal"
# A complete site links its privacy policy (the W011 check); the suite's settings leave it
# unset because the contact-form tests set it themselves.
WAGTAIL_OPENIMMO = {"PRIVACY_POLICY_URL": "/datenschutz/"}
