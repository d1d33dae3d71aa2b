"""Signal handlers. ``AppConfig.ready()`` imports this module and nothing else."""

from __future__ import annotations

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django_q.signals import post_execute, post_spawn, pre_execute
from wagtail.models import Page

from . import workers
from .models import AbstractListingPage, DeletedListing

# Signs of life of the django-q cluster (see workers.py): sent in the worker processes.
post_spawn.connect(workers.on_worker_spawned, dispatch_uid="wagtail_openimmo_worker_spawned")
pre_execute.connect(workers.on_worker_signal, dispatch_uid="wagtail_openimmo_worker_pre")
post_execute.connect(workers.on_worker_signal, dispatch_uid="wagtail_openimmo_worker_post")


@receiver(pre_delete, dispatch_uid="wagtail_openimmo_deleted_listing")
def remember_deleted_listing(sender, instance, **kwargs) -> None:
    """Keep the address of a deleted listing that visitors may have a link to (see
    ``DeletedListing``). A page that was never published had no public address.

    For listings of any listing model (``LISTING_PAGE_MODEL``), so for every deleted row.
    """
    if not isinstance(instance, AbstractListingPage):
        return
    if instance.first_published_at is None or not instance.slug:
        return
    index_id = (
        Page.objects.filter(path=instance.path[: -instance.steplen])
        .values_list("pk", flat=True)
        .first()
    )
    if index_id is None:
        return
    DeletedListing.objects.update_or_create(
        index_id=index_id,
        slug=instance.slug,
        defaults={
            "title": (instance.title or "")[:255],
            "objektnr_extern": (instance.objektnr_extern or "")[:255],
            "deleted_at": timezone.now(),
        },
    )
