"""wagtail-openimmo: OpenImmo imports, exports and IS24 sync for Wagtail sites.

``get_listing_page_model()`` is the page model listings are stored in: the app's own
``ListingPage`` unless the site names its own subclass of ``AbstractListingPage`` in
``WAGTAIL_OPENIMMO["LISTING_PAGE_MODEL"]`` (see docs/extending.md), as Wagtail's
``get_image_model()`` is for images. Code that refers to the listing model calls these
instead of importing ``ListingPage``.
"""

from __future__ import annotations

DEFAULT_LISTING_PAGE_MODEL = "wagtail_openimmo.ListingPage"


def get_listing_page_model_string() -> str:
    """The listing page model as ``"app_label.ModelName"`` (for relations and ``apps``)."""
    from django.conf import settings

    configured = getattr(settings, "WAGTAIL_OPENIMMO", None) or {}
    if not isinstance(configured, dict):  # reported by the system check E001
        return DEFAULT_LISTING_PAGE_MODEL
    return configured.get("LISTING_PAGE_MODEL") or DEFAULT_LISTING_PAGE_MODEL


def get_listing_page_model():
    """The listing page model class (``ImproperlyConfigured`` if the setting names none)."""
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    name = get_listing_page_model_string()
    try:
        return apps.get_model(name, require_ready=False)
    except ValueError:
        raise ImproperlyConfigured(
            f'WAGTAIL_OPENIMMO["LISTING_PAGE_MODEL"] must be of the form '
            f'"app_label.ModelName", not {name!r}.'
        ) from None
    except LookupError:
        raise ImproperlyConfigured(
            f'WAGTAIL_OPENIMMO["LISTING_PAGE_MODEL"] refers to the model {name!r}, which is '
            "not installed."
        ) from None
