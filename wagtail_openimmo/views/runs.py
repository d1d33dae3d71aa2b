"""The import log in the admin: the list of runs, one run's detail, and "Run import now"."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ..logsafe import shown
from ..messages import render_messages, run_message
from ..models import ImportRun, ImportRunEntry
from ..permissions import IMPORT_RUN_POLICY
from ..timewords import action_label, yes_no
from .dispatch import QUEUED, THREAD, Dispatched, WorkerHealthMixin, dispatch, safe_next

logger = logging.getLogger(__name__)

# The django-q task "Run import now" queues: every inbox, like the scheduled scan.
INBOX_TASK = "wagtail_openimmo.tasks.process_inboxes"
ENTRIES_PER_PAGE = 100

# Fields whose text comes from the broker (the upload's name, the XML's header): control
# characters in them are shown escaped.
BROKERS_WORDS = {"file_name", "file_path", "sendersoftware", "techn_email", "umfang"}

STATUS_PRIMARY = {ImportRun.Status.IMPORTED}
STATUS_PROBLEM = {ImportRun.Status.FAILED, ImportRun.Status.REJECTED}


def queue_inbox_run(user=None) -> Dispatched:
    """Have every inbox scanned: by the django-q cluster, or (no worker) see ``dispatch``."""
    return dispatch(INBOX_TASK, task_name="wagtail_openimmo:run-now", user=user)


def tell(request, dispatched: Dispatched, *, queued: str) -> None:
    """Say truthfully what became of a task the admin started."""
    health = dispatched.health
    if dispatched.how == QUEUED:
        messages.success(request, queued)
    elif dispatched.how == THREAD:
        messages.warning(
            request,
            _(
                "No background worker is running, so the import runs now in this web "
                "server's process; reload the page to see its progress. Start the worker "
                "with “%(command)s” so that uploads are imported by themselves."
            )
            % {"command": health.start_command},
        )
    else:
        messages.error(
            request,
            _(
                "Nothing was started: no background worker is running. Start it with "
                "“%(start)s”, or import the inboxes once with “%(command)s”."
            )
            % {"start": health.start_command, "command": health.import_command},
        )


class ImportRunIndexView(WorkerHealthMixin, IndexView):
    template_name = "wagtail_openimmo/admin/importrun_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_run_import"] = self.user_has_permission("run_import")
        context["run_now_url"] = reverse("wagtail_openimmo_runs:run_now")
        return context


class ImportRunInspectView(InspectView):
    """One run: what happened to the file and to each of its properties."""

    template_name = "wagtail_openimmo/admin/importrun_inspect.html"

    def get_field_display_value(self, field_name, field):
        if field_name == "message":
            # stored as data: shown in the editor's language (Wagtail activates it)
            return self.object.message_text or "–"
        value = super().get_field_display_value(field_name, field)
        if field_name in BROKERS_WORDS and isinstance(value, str):
            return shown(value) or "–"
        if isinstance(value, bool):
            return yes_no(value)
        return "–" if value is None or value == "" else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run: ImportRun = self.object
        outcome = self.request.GET.get("outcome") or ""
        entries = run.entries.select_related("listing").order_by("position", "id")
        if outcome in ImportRunEntry.Outcome.values:
            entries = entries.filter(outcome=outcome)
        page = Paginator(entries, ENTRIES_PER_PAGE).get_page(self.request.GET.get("p"))
        # Line numbers help to find a property in a file of many lines; in a file written on
        # one line (many exports are) every property has the same line: say nothing then.
        lines = list(
            run.entries.exclude(line=None).order_by().values_list("line", flat=True).distinct()[:2]
        )
        context.update(
            {
                "run": run,
                "file_findings": render_messages(run.problems or []),
                "run_message": run_message(run, besides=run.problems or []),
                "entries_page": page,
                "log": [self._row(entry) for entry in page.object_list],
                "show_lines": len(lines) > 1,
                "outcome": outcome,
                "outcomes": ImportRunEntry.Outcome.choices,
                "counts": [
                    (gettext_lazy("created"), run.created),
                    (gettext_lazy("updated"), run.updated),
                    (gettext_lazy("unchanged"), run.unchanged),
                    (gettext_lazy("withdrawn"), run.withdrawn),
                    (gettext_lazy("rejected"), run.rejected),
                    (gettext_lazy("warnings"), run.warnings),
                ],
                "status_is_problem": run.status in STATUS_PROBLEM,
            }
        )
        return context

    @staticmethod
    def _row(entry: ImportRunEntry) -> dict:
        page = entry.listing
        return {
            "entry": entry,
            "action": action_label(entry.action, entry.outcome),
            # Rendered in the language the admin user works in (Wagtail activates it).
            "messages": render_messages(entry.messages or []),
            # An internal error's traceback: for the operator, never in the broker's report.
            "tracebacks": [m["traceback"] for m in entry.messages or [] if m.get("traceback")],
            "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]) if page else None,
            "live_url": page.get_url() if page is not None and page.live else None,
        }


class RunImportNowView(PermissionCheckedMixin, View):
    """POST only: queue a scan of all inboxes, then back to where the button was."""

    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "run_import"
    http_method_names = ["post"]

    def post(self, request):
        try:
            dispatched = queue_inbox_run(request.user)
        except Exception as exc:  # the queue (Redis, the database) is not there
            logger.exception("Could not queue an inbox run")
            messages.error(request, _("The import could not be queued: %(error)s") % {"error": exc})
        else:
            tell(
                request,
                dispatched,
                queued=_("Import queued: every inbox will be scanned and new files imported "
                         "shortly."),
            )
        return redirect(safe_next(request, "wagtail_openimmo_runs:index"))
