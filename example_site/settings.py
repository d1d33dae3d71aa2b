"""Settings of the example site: a complete Wagtail project that uses wagtail-openimmo.

Everything a test or a newcomer may want to point elsewhere comes from the environment:

    DATABASE_URL        default sqlite:///example_site/db.sqlite3 (postgres://… for PostgreSQL)
    MEDIA_ROOT          default example_site/media
    OPENIMMO_INBOX_DIR  default example_site/inbox
    EMAIL_BACKEND       default the file backend, writing to EMAIL_FILE_PATH
    EMAIL_FILE_PATH     default example_site/var/mail
    REDIS_URL           unset: django-q2 uses the database (ORM broker); set: the Redis broker
    IS24_API_BASE_URL   default unset: each IS24 connection's system (sandbox or live);
                        set, e.g. https://rest.sandbox-immobilienscout24.de, for all of them
    FTP_HOST, FTP_PORT, FTP_PASSIVE_PORTS, FTP_MASQUERADE_ADDRESS, FTP_TLS_CERTFILE,
    FTP_TLS_KEYFILE     the built-in FTP server (openimmo_ftpd); defaults in wagtail_openimmo.conf
    IS24_CONSUMER_KEY, IS24_CONSUMER_SECRET   the site's IS24 OAuth consumer (optional)
    SECRET_KEY, DEBUG, ALLOWED_HOSTS, WAGTAILADMIN_BASE_URL
"""

import os
from pathlib import Path

import dj_database_url

SITE_DIR = Path(__file__).resolve().parent
BASE_DIR = SITE_DIR.parent


def env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


SECRET_KEY = env("SECRET_KEY", "example-site-not-secret-change-me")
DEBUG = env("DEBUG", "1") == "1"
ALLOWED_HOSTS = env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]

INSTALLED_APPS = [
    "example_site.home",
    "wagtail_openimmo",
    "wagtail_openimmo.is24",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "example_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "example_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{SITE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Wagtail's PostgreSQL search index uses django.contrib.postgres fields; Django 6.1
    # refuses them (postgres.E005) unless the app is installed.
    INSTALLED_APPS.append("django.contrib.postgres")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, FTP server, qcluster) share the file: wait for locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(SITE_DIR / "var" / "static")))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(SITE_DIR / "media")))
MEDIA_URL = "/media/"
OPENIMMO_INBOX_DIR = Path(env("OPENIMMO_INBOX_DIR", str(SITE_DIR / "inbox")))

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(SITE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "immobilien@example.com")

WAGTAIL_SITE_NAME = "Demo Immobilien"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents through Wagtail's serve view (/documents/<id>/<name>), never by their media
# URL: the app's before_serve_document hook answers 404 for those of withdrawn listings.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "txt", "rtf", "odt", "zip"]

WAGTAIL_OPENIMMO = {
    "IS24_API_BASE_URL": env("IS24_API_BASE_URL"),
    "IS24_CONSUMER_KEY": env("IS24_CONSUMER_KEY"),
    "IS24_CONSUMER_SECRET": env("IS24_CONSUMER_SECRET"),
    # Unset, `manage.py check` warns (wagtail_openimmo.W011): the demo has no privacy page.
    "PRIVACY_POLICY_URL": env("PRIVACY_POLICY_URL"),
}
# The built-in FTP server: only what the environment sets (the app's defaults otherwise).
for _name in ("FTP_HOST", "FTP_PORT", "FTP_PASSIVE_PORTS", "FTP_MASQUERADE_ADDRESS",
              "FTP_TLS_CERTFILE", "FTP_TLS_KEYFILE"):
    if env(_name):
        WAGTAIL_OPENIMMO[_name] = env(_name)

# django-q2: the database is the queue unless REDIS_URL is set.
Q_CLUSTER = {
    "name": "wagtail_openimmo",
    "workers": int(env("Q_WORKERS", "2")),
    "timeout": 1800,  # the slowest import
    "retry": 2100,  # must exceed timeout
    "max_attempts": 3,
    "catch_up": False,
    "label": "Django Q",
}
if env("REDIS_URL"):
    Q_CLUSTER["redis"] = env("REDIS_URL")
else:
    Q_CLUSTER["orm"] = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "wagtail_openimmo": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    },
}
