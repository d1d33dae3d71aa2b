"""What differs between the Wagtail versions the app supports (7.0 LTS to 8.x), in one place.

Wagtail 8 looks permission policies up in a registry (``wagtail.permissions``); Wagtail 7
has no registry and its views use the ``permission_policy`` they carry. The app's views and
viewsets therefore carry their policy themselves, and on Wagtail 8 it is registered as well,
so that Wagtail's own views (choosers, the snippet listing) use the same policy.
"""

from __future__ import annotations

try:  # Wagtail >= 8.0
    from wagtail.permissions import register_permission_policy as _register_permission_policy
except ImportError:  # Wagtail 7.x
    _register_permission_policy = None


def register_permission_policy(model, policy):
    """Register ``policy`` for ``model`` where Wagtail has a registry; return the policy."""
    if _register_permission_policy is not None:
        _register_permission_policy(model, policy)
    return policy
