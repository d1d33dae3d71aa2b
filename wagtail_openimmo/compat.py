"""What differs between the Wagtail versions the app supports (7.0 LTS to 8.x), in one place.

Wagtail 8 looks permission policies up in a registry (``wagtail.permissions``); Wagtail 7
has no registry and its views use the ``permission_policy`` they carry. The app's views and
viewsets therefore carry their policy themselves, and on Wagtail 8 it is registered as well,
so that Wagtail's own views (choosers, the snippet listing) use the same policy.

Wagtail 8 moved its search framework into the separate ``modelsearch`` package (django-
modelsearch); Wagtail 7 has the same functions under ``wagtail.search``.
"""

from __future__ import annotations

try:  # Wagtail >= 8.0
    from wagtail.permissions import register_permission_policy as _register_permission_policy
except ImportError:  # Wagtail 7.x
    _register_permission_policy = None

try:  # Wagtail >= 8.0: django-modelsearch
    from modelsearch import index as search_index
    from modelsearch.backends import get_search_backends_with_name
    from modelsearch.signal_handlers import post_save_signal_handler
    from modelsearch.tasks import insert_or_update_object_task
except ImportError:  # Wagtail 7.x
    from wagtail.search import index as search_index
    from wagtail.search.backends import get_search_backends_with_name
    from wagtail.search.signal_handlers import post_save_signal_handler
    from wagtail.search.tasks import insert_or_update_object_task

__all__ = [
    "document_permission_policy",
    "get_search_backends_with_name",
    "insert_or_update_object_task",
    "post_save_signal_handler",
    "register_permission_policy",
    "search_index",
]


def register_permission_policy(model, policy):
    """Register ``policy`` for ``model`` where Wagtail has a registry; return the policy."""
    if _register_permission_policy is not None:
        _register_permission_policy(model, policy)
    return policy


def document_permission_policy():
    """Wagtail's permission policy for documents: from the registry on Wagtail 8, the
    module attribute (deprecated there) on Wagtail 7."""
    from wagtail.documents import get_document_model

    try:  # Wagtail >= 8.0
        from wagtail.permissions import policy_registry
    except ImportError:  # Wagtail 7.x
        policy_registry = None
    if policy_registry is not None:
        return policy_registry.get_by_type(get_document_model())
    from wagtail.documents.permissions import permission_policy

    return permission_policy
