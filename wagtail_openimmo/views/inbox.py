"""The inbox overview: every file waiting or in flight, per broker, with what can be done.

Reading is ``inbox.overview`` (read-only); the actions are the existing "Import now",
"Confirm"/"Discard" of held files, a download, and moving a failed file back.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ..inbox import overview
from ..inbox.requeue import RequeueError, requeue_failed
from ..models import ImportRun
from ..permissions import IMPORT_RUN_POLICY
from ..timewords import relative
from ..workers import worker_health
from .dispatch import WorkerHealthMixin

logger = logging.getLogger(__name__)


class InboxOverviewView(
    WorkerHealthMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "view"
    template_name = "wagtail_openimmo/admin/inbox_overview.html"
    page_title = gettext_lazy("Inbox")
    header_icon = "folder-inverse"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            folders = overview.inbox_overview()
        except OSError:  # an inbox that cannot be read must not break the page
            logger.exception("Could not read the inboxes")
            folders = []
        context.update(
            {
                "folders": folders,
                "file_count": sum(len(f.files) for f in folders),
                "can_run_import": self.user_has_permission("run_import"),
                "run_now_url": reverse("wagtail_openimmo_runs:run_now"),
                "status_url": reverse("wagtail_openimmo_inbox:status"),
                "worker_health": worker_health(with_schedules=True),
            }
        )
        return context


class InboxStatusView(PermissionCheckedMixin, View):
    """JSON for the overview's live refresh: the state and progress of each file."""

    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "view"

    def get(self, request):
        files = [
            {
                "folder": f.folder,
                "name": f.name,
                "state": f.state,
                "done": f.progress[0] if f.progress else None,
                "total": f.progress[1] if f.progress else None,
                "since": relative(f.since),
            }
            for folder in overview.inbox_overview()
            for f in folder.files
        ]
        return JsonResponse({"files": files, "worker_alive": not worker_health().warn})


class DownloadInboxFileView(PermissionCheckedMixin, View):
    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "view"

    def get(self, request, folder, place, name):
        path = overview.locate(folder, place, name)
        if path is None:
            raise Http404
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


class RequeueFailedView(PermissionCheckedMixin, View):
    """POST: move a failed file back into its inbox folder, to be imported again."""

    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "run_import"
    http_method_names = ["post"]

    def post(self, request, folder, name):
        try:
            moved = requeue_failed(folder, name)
        except RequeueError:
            messages.error(
                request, _("%(file)s is not among the failed files any more.") % {"file": name}
            )
        else:
            logger.info("Failed file %s moved back to %s by %s", name, moved, request.user)
            messages.success(
                request,
                _("%(file)s is back in the inbox and will be imported by the next run.")
                % {"file": moved.name},
            )
        return redirect("wagtail_openimmo_inbox:index")
