"""Starting background work from the admin without pretending.

``dispatch()`` queues a task for the django-q cluster when a worker was seen recently (or
django-q runs tasks at once, ``sync``). With no worker it does not queue into the void: it
runs the task in a background thread of this web process when ``ADMIN_BACKGROUND_IMPORT``
allows (safe for imports: an interrupted import leaves its file in ``processing/``, where
the next run takes it first), and otherwise runs nothing and says which command to run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections, connections
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django_q.tasks import async_task

from ..conf import get_setting
from ..workers import WorkerHealth, worker_health

logger = logging.getLogger("wagtail_openimmo.admin")

QUEUED = "queued"
THREAD = "thread"
NOT_STARTED = "not_started"


@dataclass
class Dispatched:
    how: str  # queued | thread | not_started
    health: WorkerHealth
    task_id: str | None = None


def _run(func: str, args: tuple) -> None:
    close_old_connections()
    try:
        import_string(func)(*args)
    except Exception:
        logger.exception("Background task %s failed in the web process", func)
    finally:
        connections.close_all()


def dispatch(func: str, *args, task_name: str, user=None) -> Dispatched:
    """Queue ``func(*args)`` for a worker, or run it in a thread, or not at all (see above)."""
    health = worker_health()
    if not health.warn:
        task_id = async_task(func, *args, task_name=task_name, group="wagtail_openimmo")
        logger.info("%s queued by %s (task %s)", task_name, user or "?", task_id)
        return Dispatched(QUEUED, health, task_id)
    if get_setting("ADMIN_BACKGROUND_IMPORT"):
        logger.warning(
            "No django-q worker seen since %s: %s runs in a thread of the web process (%s)",
            health.last_seen,
            task_name,
            user or "?",
        )
        threading.Thread(target=_run, args=(func, args), name=task_name, daemon=True).start()
        return Dispatched(THREAD, health)
    logger.warning("No django-q worker: %s not started (%s)", task_name, user or "?")
    return Dispatched(NOT_STARTED, health)


class WorkerHealthMixin:
    """Puts ``worker_health`` (for the warning banner) into a view's context."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("worker_health", worker_health())
        return context


def safe_next(request, default: str) -> str:
    """The ``next`` URL posted with a form if it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)
