"""A small settings module for the test suite (SQLite by default; DATABASE_URL for others)."""

import os
import tempfile
from pathlib import Path

import dj_database_url
import wagtail

TESTS_DIR = Path(__file__).resolve().parent
BASE_DIR = TESTS_DIR.parent
_TMP = Path(tempfile.mkdtemp(prefix="openimmo-tests-"))

SECRET_KEY = "tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "wagtail_openimmo",
    "wagtail_openimmo.is24",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_q",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TESTS_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'tests.sqlite3'}"
    )
}
if "postgresql" in DATABASES["default"]["ENGINE"]:
    INSTALLED_APPS.append("django.contrib.postgres")  # Wagtail's search index (Django 6.1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Fast hashing keeps the suite quick; FTP passwords are still stored as Django hashes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
MEDIA_ROOT = _TMP / "media"
MEDIA_URL = "/media/"
OPENIMMO_INBOX_DIR = _TMP / "inbox"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "portal@example.com"

WAGTAIL_SITE_NAME = "Tests"
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

WAGTAIL_OPENIMMO = {}

if wagtail.VERSION < (8,):
    # Wagtail 7 updates the search index in a django-tasks task enqueued on commit, and a
    # test's transaction never commits: run such tasks at once.
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "ENQUEUE_ON_COMMIT": False,
        }
    }

Q_CLUSTER = {
    "name": "tests",
    "orm": "default",
    "sync": True,
    "timeout": 60,
    "retry": 120,
    "catch_up": False,
}
