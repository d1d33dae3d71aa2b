"""Posting the site's public forms as a browser would (with a token rendered in the past)."""

from __future__ import annotations

import time

from django.core import signing

from wagtail_openimmo.frontend.contact import SIGNING_SALT


def token(age: float = 30, listing=None) -> str:
    """A form's signed token (listing and time) as if rendered ``age`` seconds ago."""
    listing_id = getattr(listing, "pk", "") or ""
    return signing.dumps(f"{listing_id}:{time.time() - age}", salt=SIGNING_SALT)


def enquiry(listing, **overrides) -> dict:
    data = {
        "contact-name": "Erika Mustermann",
        "contact-email": "erika@example.org",
        "contact-phone": "+49 6131 4711",
        "contact-message": "Ist die Wohnung noch frei? Grüße & danke <3",
        "contact-privacy": "on",
        "contact-website": "",
        "contact-ts": token(listing=listing),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def agent_post(email: str = "suche@example.org", **filters) -> dict:
    data = {
        "agent-email": email,
        "agent-privacy": "on",
        "agent-website": "",
        "agent-ts": token(),
    }
    data.update({f"agent-{key}": value for key, value in filters.items()})
    return data
