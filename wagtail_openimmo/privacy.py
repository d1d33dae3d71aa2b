"""The documents of listings that are not live are not served to visitors.

An exposé or a floor plan with the owner's name can carry personal data. Wagtail serves a
document through its serve view (``/documents/<id>/<file name>``, unless
``WAGTAILDOCS_SERVE_METHOD = "direct"``) and asks the ``before_serve_document`` hooks first;
the app's hook (``wagtail_hooks``) answers 404 for a document that is attached to listings
none of which is live (withdrawn or unpublished), unless the user may change the document
or edit one of those listings in the admin. Documents of live listings, and documents the
app did not attach to any listing, are served as ever.

What this does not cover (see the README's security section): the file itself under
``MEDIA_ROOT/documents/`` if the web server serves ``MEDIA_URL`` to everyone (deny
``/media/documents/`` there, as Wagtail's docs on private documents say), a storage that
hands out public URLs (``"direct"``, or a public bucket behind ``"redirect"``), and copies
a visitor or a cache kept while the listing was live.
"""

from __future__ import annotations

from django.http import Http404

from . import get_listing_page_model
from .compat import document_permission_policy
from .models import ListingAttachment


def listings_of(document) -> list:
    """The listing pages ``document`` is attached to."""
    ids = ListingAttachment.objects.filter(document=document).values("listing_id")
    return list(get_listing_page_model().objects.filter(pk__in=ids).specific(defer=True))


def may_see_hidden(user, document, listings) -> bool:
    """Whether ``user`` may still get a document of listings that are not live: who may
    change the document (its collection) or edit one of the listings."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    policy = document_permission_policy()
    if policy.user_has_permission_for_instance(user, "change", document):
        return True
    return any(page.permissions_for_user(user).can_edit() for page in listings)


def check_document(document, request) -> None:
    """``before_serve_document``: raise ``Http404`` for a document of listings that are all
    not live, unless the user may see it (``may_see_hidden``)."""
    listings = listings_of(document)
    if not listings or any(page.live for page in listings):
        return
    if may_see_hidden(getattr(request, "user", None), document, listings):
        return
    raise Http404("No document here.")
