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
    # Largest single <immobilie> in bytes and in elements. The reader builds one property in
    # memory at a time; one beyond either limit is rejected unread (with its number, if it
    # has one) and the file's other properties are imported, so memory stays bounded
    # whatever a file holds. Elements are counted as tags (comments and CDATA count too).
    "MAX_PROPERTY_BYTES": 64 << 20,
    "MAX_PROPERTY_ELEMENTS": 50_000,
    # --- the importer --------------------------------------------------------------------
    # Largest uncompressed size of one upload (all ZIP members, nested ZIPs included).
    "MAX_UPLOAD_UNCOMPRESSED_BYTES": 4 << 30,
    # Most members in one ZIP (nested ZIPs included).
    "MAX_ZIP_MEMBERS": 20000,
    # How deep ZIPs may be nested inside the uploaded ZIP (1: a ZIP inside the ZIP).
    "MAX_ZIP_DEPTH": 2,
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
    # Seconds to wait before the 2nd try; doubled before each further try.
    "REMOTE_BACKOFF_SECONDS": 1.0,
    # Downloads by URL per import (one upload), in number and in seconds spent in all; the
    # rest of the upload's URL attachments are skipped with one warning (0: no limit).
    "REMOTE_MAX_DOWNLOADS": 2000,
    "REMOTE_MAX_SECONDS": 1200,
    # Allow downloads from private/loopback addresses (tests only; never in production).
    "REMOTE_ALLOW_PRIVATE_NETWORKS": False,
    # Name of the Wagtail collection under which each broker's images and documents go
    # (one child collection per broker).
    "COLLECTION_NAME": "OpenImmo",
    # Seconds an import waits for another import of the same broker before giving up
    # (``locks.BrokerLocked``; the inbox retries the file on its next run).
    "LOCK_TIMEOUT": 900,
    # Where `openimmo_broker create` puts a new broker's listing index page when --parent is
    # not given: a page id or a URL path below the default site's root page ("/immobilien/").
    # None: the default site's root page.
    "BROKER_PARENT_PAGE": None,
    # The page types a listing index page may be created under, as "app_label.ModelName"
    # strings (e.g. ["home.HomePage"]). None: any page whose own subpage_types allow it
    # (never a listing or another listing index).
    "LISTING_INDEX_PARENT_PAGE_TYPES": None,
    # The page model listings are stored in, "app_label.ModelName": a subclass of
    # wagtail_openimmo.models.AbstractListingPage in the site's own app (docs/extending.md).
    # Read when the models load; choose it before the first ``migrate``, as Django's
    # AUTH_USER_MODEL. Default: the app's own ListingPage.
    "LISTING_PAGE_MODEL": "wagtail_openimmo.ListingPage",
    # --- inbox, FTP ----------------------------------------------------------------------
    # Root folder of the brokers' inboxes. None: settings.OPENIMMO_INBOX_DIR, else
    # MEDIA_ROOT/../openimmo-inbox.
    "INBOX_DIR": None,
    # The built-in FTP server (``openimmo_ftpd``): address it listens on. Brokers reach it
    # from outside: set "0.0.0.0" (all IPv4 addresses) or the public address in production.
    "FTP_HOST": "127.0.0.1",
    "FTP_PORT": 2121,
    # Passive-mode data ports, "FIRST-LAST" (open them in the firewall). None: any free port.
    "FTP_PASSIVE_PORTS": "60000-60099",
    # The host name brokers enter in their software (shown in the admin's FTP access panel
    # and sent to brokers). None: FTP_MASQUERADE_ADDRESS, a public FTP_HOST, or the host of
    # WAGTAILADMIN_BASE_URL.
    "FTP_PUBLIC_HOST": None,
    # Public IP address announced in passive replies when the server is behind NAT.
    "FTP_MASQUERADE_ADDRESS": None,
    # Explicit FTPS (AUTH TLS): certificate (PEM, may contain the key) and key file. Needs
    # pyOpenSSL (the "ftps" extra). None: plain FTP only.
    "FTP_TLS_CERTFILE": None,
    "FTP_TLS_KEYFILE": None,
    # With a certificate: refuse logins and transfers that are not encrypted.
    "FTP_TLS_REQUIRED": False,
    # Largest single upload in bytes; bigger uploads are aborted with "552" and deleted.
    "FTP_MAX_UPLOAD_BYTES": 2 << 30,
    # Most bytes one FTP account's folder may hold (files waiting for import and files
    # being uploaded); beyond it an upload is refused or aborted with "552". 0: no quota.
    "FTP_ACCOUNT_QUOTA_BYTES": 10 << 30,
    # Most simultaneous connections, in all and from one IP address (0: unlimited).
    "FTP_MAX_CONNECTIONS": 256,
    "FTP_MAX_CONNECTIONS_PER_IP": 10,
    # Failed logins from one IP address: after this many, every further failure is answered
    # more slowly (FTP_LOGIN_DELAY_SECONDS more each time, at most 30 s) ...
    "FTP_LOGIN_FAILURES_BEFORE_DELAY": 3,
    "FTP_LOGIN_DELAY_SECONDS": 2,
    # ... and after this many the address is refused for FTP_BAN_SECONDS.
    "FTP_LOGIN_FAILURES_BEFORE_BAN": 10,
    "FTP_BAN_SECONDS": 900,
    # Seconds an upload's size and modification time must stay unchanged before it counts as
    # complete (for inboxes filled by an external FTP server; the built-in server knows).
    "INBOX_STABLE_SECONDS": 60,
    # Hours after which unfinished uploads (temporary names: *.part, *.tmp, dot files …,
    # never imported) are deleted from an inbox folder by the inbox run; the broker's next
    # report names them. None: kept for ever (they count against FTP_ACCOUNT_QUOTA_BYTES).
    "INBOX_TEMPORARY_MAX_AGE_HOURS": 24,
    # A file whose import crashed this many times is moved to failed/ instead of retried.
    "INBOX_MAX_ATTEMPTS": 3,
    # Days that imported files are kept in the archive (None: forever).
    "ARCHIVE_DAYS": 90,
    # Dotted path of a callable ``policy(broker) -> bool | (bool, reason)`` that may approve
    # imports (e.g. when the broker booked a listing package) besides the manual flag.
    "APPROVAL_POLICY": None,
    # Who hears about uploads that match no broker. None: settings.ADMINS.
    "OPERATOR_EMAILS": None,
    # --- the exporter --------------------------------------------------------------------
    # What <check> carries for each exported file, so receivers can skip unchanged ones:
    # "DATETIME" (the file's date; the only choice that validates against the XSD, which
    # types <check> as a date-time) or "MD5" (the file's MD5 sum, which many receivers
    # compare but which makes the file invalid against the XSD).
    "EXPORT_CHECK_TYPE": "DATETIME",
    # Seconds an FTP push waits for the target server before giving up.
    "EXPORT_FTP_TIMEOUT": 60,
    # A CA bundle (PEM file) to verify FTPS targets with, for servers with a private CA.
    # None: the system's trusted CAs. Certificates are always verified.
    "EXPORT_FTPS_CAFILE": None,
    # --- reports -------------------------------------------------------------------------
    "REPORT_FROM_EMAIL": None,  # None: settings.DEFAULT_FROM_EMAIL
    # Reply-To of broker reports: the operator's address(es). None: settings.MANAGERS.
    "REPORT_REPLY_TO": None,
    # Also send the report to the transfer's <uebertragung techn_email="…"> address.
    "REPORT_TO_TECHN_EMAIL": False,
    # Send a report even when a run changed nothing and found nothing worth a warning.
    "REPORT_UNCHANGED": False,
    # How often a report whose sending failed is tried in all (the retry task runs every
    # REPORT_RETRY_MINUTES); after that it is given up and only shown in the admin.
    "REPORT_MAX_ATTEMPTS": 5,
    "REPORT_RETRY_MINUTES": 15,
    # Most properties listed one by one per section of a report (the rest are counted).
    "REPORT_MAX_ITEMS": 200,
    # --- scheduling and the run log ------------------------------------------------------
    # Minutes between two scans of all inboxes (the django-q schedule
    # "wagtail_openimmo:inbox-scan"; run `openimmo_schedule` after changing it).
    "INBOX_SCAN_MINUTES": 5,
    # Import runs older than this many days are deleted with their per-property log (the
    # newest run of each broker is always kept). None or 0: keep them for ever.
    "RUN_RETENTION_DAYS": 180,
    # The admin warns that no django-q worker is running when none was seen working (a
    # heartbeat, a task, an import's progress) for this many minutes.
    "WORKER_STALE_MINUTES": 5,
    # Without a worker, "Import now" in the admin may import in a background thread of the
    # web process (an interrupted import is kept in processing/ and taken again by the next
    # run). False: the admin shows the command to run instead.
    "ADMIN_BACKGROUND_IMPORT": True,
    # --- front end (listing pages) -------------------------------------------------------
    # Per site, Settings → OpenImmo website in the admin (models.OpenImmoSiteSettings)
    # overrides CONTACT_FORM_ENABLED, PRIVACY_POLICY_URL, MAP_TILE_URL, MAP_ATTRIBUTION,
    # MAP_ZOOM, MAP_LINK_URL (off), SEARCH_AGENTS_ENABLED and PDF_EXPOSE_ENABLED; the values
    # here are the default of every site (frontend.site_config).
    # What a visitor gets for a withdrawn (unpublished by the importer) listing: "gone" (410
    # with a short page linking to the broker's listings) or "redirect" (302 to that index).
    "WITHDRAWN_LISTING_RESPONSE": "gone",
    # Map tiles, e.g. "https://tile.example.org/{z}/{x}/{y}.png" ({s} becomes "a"). None: no
    # map, the address only. Tiles are requested only after the visitor clicks "Load map".
    "MAP_TILE_URL": None,
    # The tile provider's required attribution, shown under the map (plain text).
    "MAP_ATTRIBUTION": "",
    # Zoom level of the map (OSM-style tiles: 0-19).
    "MAP_ZOOM": 15,
    # A plain link to the location on a map site, shown where the address may be shown
    # (no tiles, no request before the click). {lat}, {lon} and {zoom} are filled in.
    # None: no link.
    "MAP_LINK_URL": "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={zoom}/{lat}/{lon}",
    # Listings published within this many days get the badge "New". 0: no such badge.
    "NEW_LISTING_DAYS": 14,
    # The PDF exposé of a listing (…/expose/; needs the extra "pdf": WeasyPrint).
    "PDF_EXPOSE_ENABLED": True,
    # The contact form on listing pages; False hides it.
    "CONTACT_FORM_ENABLED": True,
    # Forms sent sooner than this many seconds after the page was rendered are refused as spam.
    "CONTACT_MIN_SECONDS": 3,
    # A rendered form is valid for this many seconds (its signed timestamp expires).
    "CONTACT_MAX_AGE": 2 * 24 * 3600,
    # At most CONTACT_RATE_LIMIT enquiries per client IP per CONTACT_RATE_WINDOW seconds
    # (counted in Django's default cache, under a hash of the IP, never in the database).
    "CONTACT_RATE_LIMIT": 5,
    "CONTACT_RATE_WINDOW": 3600,
    # The request.META key holding the visitor's IP behind a reverse proxy (for example
    # "HTTP_X_FORWARDED_FOR"). None: REMOTE_ADDR. The address CONTACT_PROXY_COUNT places
    # from the right is used (what your outermost proxy saw); the ones left of it are
    # written by the client and never trusted. The rate limit and the single-use form tokens
    # need a cache shared by all processes (not the local-memory cache).
    "CONTACT_CLIENT_IP_HEADER": None,
    # How many reverse proxies of yours add to that header (1: one nginx in front).
    "CONTACT_PROXY_COUNT": 1,
    # Sender of enquiry e-mails. None: settings.DEFAULT_FROM_EMAIL.
    "CONTACT_FROM_EMAIL": None,
    # URL of the site's privacy policy, linked from the form's consent checkbox.
    "PRIVACY_POLICY_URL": None,
    # --- leads: enquiries back to the broker software, search agents ----------------------
    # Path of the operator's copy of the official OpenImmo-Feedback XSD (its licence forbids
    # passing it on). Set, every Feedback attachment is validated against it before sending
    # (an invalid one is logged and left off the mail; the enquiry still goes out).
    "FEEDBACK_XSD_PATH": None,
    # Send the enquirer a confirmation of the enquiry (what, which listing, who answers).
    "CONTACT_CONFIRMATION": True,
    # Search agents (Suchauftraege) on listing indexes: a visitor saves the filters with an
    # e-mail address (double opt-in) and is mailed new matching listings.
    "SEARCH_AGENTS_ENABLED": True,
    # "digest": at most one mail per agent every SEARCH_AGENT_DIGEST_HOURS; "immediate": a
    # mail as soon as matching listings are found (the sending job runs every
    # SEARCH_AGENT_SEND_MINUTES).
    "SEARCH_AGENT_MODE": "digest",
    "SEARCH_AGENT_DIGEST_HOURS": 24,
    "SEARCH_AGENT_SEND_MINUTES": 15,
    # Unconfirmed agents are deleted after this many hours.
    "SEARCH_AGENT_UNCONFIRMED_HOURS": 48,
    # An agent whose mails bounced this many times stops.
    "SEARCH_AGENT_MAX_BOUNCES": 3,
    # Most listings listed in one mail (the rest are counted, with a link to the list).
    "SEARCH_AGENT_MAX_LISTINGS": 20,
    # --- IS24 (the opt-in sub-app wagtail_openimmo.is24) -----------------------------------
    # Host of IS24's REST API; the API's own paths (/restapi/api/offer/v1.0/...) are appended.
    # None: each connection's own system, https://rest.sandbox-immobilienscout24.de for a
    # sandbox connection, https://rest.immobilienscout24.de for a live one. Set (e.g. to the
    # sandbox's host), every connection's requests go there: tests and staging point it
    # elsewhere.
    "IS24_API_BASE_URL": None,
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
    # Throttle ahead of IS24's limit of 2,000 requests a minute per consumer key: at most
    # this many requests a minute (0: no throttle), in bursts of up to IS24_RATE_BURST,
    # counted in the Django cache IS24_THROTTLE_CACHE, which every worker must share
    # (Redis, Memcached or the database cache; see is24/throttle.py).
    "IS24_RATE_LIMIT_PER_MINUTE": 1800,
    "IS24_RATE_BURST": 20,
    "IS24_THROTTLE_CACHE": "default",
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
    if not settings.MEDIA_ROOT:
        # Media in a remote storage (django-storages): no local folder to put the inbox
        # beside. The inbox is always local: the FTP server and the workers share it.
        raise ImproperlyConfigured(
            "Set OPENIMMO_INBOX_DIR (or WAGTAIL_OPENIMMO['INBOX_DIR']): the folder, shared by "
            "the FTP server and every worker, where brokers' uploads arrive."
        )
    return Path(settings.MEDIA_ROOT).parent / "openimmo-inbox"
