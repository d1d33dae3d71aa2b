"""Search-index and reference-index updates of an import, with fewer round trips.

Writing one listing saves its page three times (``add_child``, the revision, ``publish``)
and each picture once; every save would update the search index on its own (Wagtail's
``post_save`` handler, run at once by the immediate task backend) -- a quarter of a first
import's time. Inside ``collected_search_updates()`` those saves are only noted; when the
block ends, each noted object is indexed once, all objects of a model in one bulk call,
still inside the property's transaction: a listing is searchable as soon as it is committed,
and a crash leaves nothing to catch up, exactly as before.

Other threads and other code paths are not affected: the gate that notes the saves is
per thread and passes everything through outside the block.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from django.db.models.signals import post_save
from django_tasks.backends.immediate import ImmediateBackend
from wagtail.models import ReferenceIndex
from wagtail.tasks import update_reference_index_task

from ..compat import (
    get_search_backends_with_name,
    insert_or_update_object_task,
    post_save_signal_handler,
)

logger = logging.getLogger("wagtail_openimmo.importing")

_state = threading.local()
_installed: set[type] = set()
_install_lock = threading.Lock()


def _gate(sender, instance, **kwargs):
    """Stands in for the search package's ``post_save`` handler on the gated models."""
    noted = getattr(_state, "noted", None)
    if noted is None or kwargs.get("raw", False):
        return post_save_signal_handler(instance=instance, sender=sender, **kwargs)
    noted.setdefault(type(instance), {})[instance.pk] = instance
    return None


def _install(models) -> None:
    """Put the gate in place of the search handler for ``models`` (once per model).

    The gate is connected before the handler is disconnected: for a moment both run (an
    object indexed twice), never neither.
    """
    with _install_lock:
        for model in models:
            if model in _installed:
                continue
            uid = f"wagtail_openimmo-search-gate-{model._meta.label}"
            post_save.connect(_gate, sender=model, dispatch_uid=uid)
            if not post_save.disconnect(post_save_signal_handler, sender=model):
                # the model is not updated automatically (search_auto_update = False)
                post_save.disconnect(sender=model, dispatch_uid=uid)
            _installed.add(model)


@contextlib.contextmanager
def collected_search_updates(models) -> Iterator[None]:
    """Note the saves of ``models`` in this block; index each saved object once at its end.

    Nothing is indexed when the block raises (its transaction is rolled back anyway).
    Blocks do not nest.
    """
    _install(models)
    _state.noted = {}
    try:
        yield
        noted = _state.noted
    finally:
        _state.noted = None
    for model, objects in noted.items():
        index_objects(model, list(objects))


def index_objects(model, pks: list) -> None:
    """Index these objects of ``model`` as the search package's handler would, in bulk.

    With a task backend that runs tasks later (not the immediate one), one task per object
    is queued instead, as the handler would have done.
    """
    if not isinstance(insert_or_update_object_task.get_backend(), ImmediateBackend):
        for pk in pks:
            insert_or_update_object_task.enqueue(
                model._meta.app_label, model._meta.model_name, str(pk)
            )
        return
    objects = list(model.get_indexed_objects().filter(pk__in=pks))
    if not objects:
        return
    for name, search_backend in get_search_backends_with_name(with_auto_update=True):
        try:
            search_backend.add_bulk(model, objects)
        except Exception:
            logger.exception("Indexing %s objects in search backend %r failed", model, name)
            if not search_backend.catch_indexing_errors:
                raise


def update_references(obj, *, fresh: bool = False) -> None:
    """Update ``obj``'s entries in Wagtail's reference index, as its save would have.

    ``fresh``: ``obj`` was saved a moment ago in this transaction, as it is in memory, and
    has no parent object (a picture or document, or the listing page itself), so with the
    immediate task backend its references are taken from it directly -- Wagtail's task
    would load it again and open a savepoint for the same result. Otherwise the task is
    queued as Wagtail queues it.
    """
    immediate = isinstance(update_reference_index_task.get_backend(), ImmediateBackend)
    if fresh and immediate:
        if ReferenceIndex.is_indexed(type(obj)):
            ReferenceIndex.create_or_update_for_object(obj)  # inside the caller's atomic()
        return
    update_reference_index_task.enqueue(obj._meta.app_label, obj._meta.model_name, str(obj.pk))
