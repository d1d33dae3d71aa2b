"""The app's settings: one ``WAGTAIL_OPENIMMO`` dict in the Django settings.

Read a setting where it is used, with ``get_setting("NAME")``, never at import time, so that
``override_settings`` works in tests and a site can change settings without restarts of
import-time caches. Every key and its default is documented here and in the README.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, Any] = {
    # --- the OpenImmo reader -------------------------------------------------------------
    # Path of the operator's own copy of the official OpenImmo XSD (openimmo.de). Its
    # licence forbids passing it on, so the app ships none. None: only the app's own rules.
    "XSD_PATH": None,
    # Strict mode: XSD findings and element order are errors (default: warnings).
    "STRICT_VALIDATION": False,
    # Largest XML file read, in bytes.
    "MAX_XML_BYTES": 1 << 30,
    # --- the importer --------------------------------------------------------------------
    # Largest uncompressed size of one upload (all ZIP members, nested ZIPs included).
    "MAX_UPLOAD_UNCOMPRESSED_BYTES": 4 << 30,
    # Most members in one ZIP (nested ZIPs included).
    "MAX_ZIP_MEMBERS": 20000,
    # Largest single attachment (image or document), in bytes.
    "MAX_ATTACHMENT_BYTES": 50 << 20,
    # Largest image in pixels (width × height); beyond this it is treated as a bomb.
    "MAX_IMAGE_PIXELS": 80_000_000,
    # What aktion DELETE and VOLL withdrawals do: "unpublish" (default) or "delete".
    "WITHDRAW_MODE": "unpublish",
    # A VOLL file that would withdraw more than this share of a broker's live imported
    # listings is held for the operator's confirmation.
    "VOLL_MAX_WITHDRAW_SHARE": 0.5,
    # Attachments by URL (REMOTE/EXTERN with http(s) pfad).
    "REMOTE_TIMEOUT": 15,
    "REMOTE_RETRIES": 3,
    "REMOTE_MAX_BYTES": 30 << 20,
    # Allow downloads from private/loopback addresses (tests only; never in production).
    "REMOTE_ALLOW_PRIVATE_NETWORKS": False,
    # Name of the Wagtail collection under which each broker's images and documents go
    # (one child collection per broker).
    "COLLECTION_NAME": "OpenImmo",
    # --- inbox, FTP ----------------------------------------------------------------------
    # Root folder of the brokers' inboxes. None: settings.OPENIMMO_INBOX_DIR, else
    # MEDIA_ROOT/../openimmo-inbox.
    "INBOX_DIR": None,
    # --- reports -------------------------------------------------------------------------
    "REPORT_FROM_EMAIL": None,  # None: settings.DEFAULT_FROM_EMAIL
    # --- IS24 (the opt-in sub-app wagtail_openimmo.is24) -----------------------------------
    # Host of IS24's REST API; the API's own paths (/restapi/api/offer/v1.0/...) are appended.
    # Production: https://rest.immobilienscout24.de. Tests and staging point it elsewhere.
    "IS24_API_BASE_URL": "https://rest.sandbox-immobilienscout24.de",
    # The OAuth consumer key and secret IS24 issued to this site; a broker's IS24Connection
    # may carry its own pair instead.
    "IS24_CONSUMER_KEY": None,
    "IS24_CONSUMER_SECRET": None,
    # Publication channel: 10000 is ImmobilienScout24 itself (10001 the broker's homepage).
    "IS24_CHANNEL_ID": 10000,
    # Retries of one request after HTTP 429 or 5xx or a connection error, with exponential
    # backoff from IS24_BACKOFF_SECONDS, each wait capped at IS24_MAX_BACKOFF_SECONDS (also
    # a longer Retry-After). A POST that may have reached IS24 is never repeated blindly.
    "IS24_MAX_RETRIES": 4,
    "IS24_BACKOFF_SECONDS": 2.0,
    "IS24_MAX_BACKOFF_SECONDS": 60.0,
    # Seconds to wait for IS24's answer to one request (image uploads included).
    "IS24_TIMEOUT": 60,
    # How often the django-q schedule syncs every active connection, in minutes.
    "IS24_SYNC_MINUTES": 30,
}


def get_setting(name: str) -> Any:
    """The value of ``WAGTAIL_OPENIMMO[name]``, or its documented default."""
    if name not in DEFAULTS:
        raise ImproperlyConfigured(f"WAGTAIL_OPENIMMO has no setting {name!r}")
    configured = getattr(settings, "WAGTAIL_OPENIMMO", {}) or {}
    return configured.get(name, DEFAULTS[name])


def inbox_dir():
    """The inbox root as a ``pathlib.Path``."""
    from pathlib import Path

    configured = get_setting("INBOX_DIR") or getattr(settings, "OPENIMMO_INBOX_DIR", None)
    if configured:
        return Path(configured)
    return Path(settings.MEDIA_ROOT).parent / "openimmo-inbox"
