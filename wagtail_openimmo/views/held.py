"""Held files: uploads waiting for the operator.

Two kinds of file wait: those of brokers whose import is not approved yet (they stay in the
broker's inbox untouched until approval), and full transfers (VOLL) that the mass-withdrawal
guard held because they would take too many listings offline (the run has status "held").
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ..inbox import HeldFileError, can_confirm, discard_held
from ..logsafe import shown
from ..messages import say
from ..models import Broker, ImportRun
from ..permissions import IMPORT_RUN_POLICY
from .dispatch import WorkerHealthMixin, dispatch, safe_next
from .runs import queue_inbox_run, tell

logger = logging.getLogger(__name__)

# The django-q task the "Confirm and import" button queues (a full transfer can take minutes).
CONFIRM_TASK = "wagtail_openimmo.tasks.confirm_held_run"


def waiting_brokers():
    """Brokers that are not approved, the ones that have sent files first."""
    return (
        Broker.objects.filter(import_approved=False)
        .annotate(runs=Count("import_runs"))
        .order_by("approval_requested_at", "name")
    )


def held_runs():
    """Runs held by the VOLL guard and not confirmed since (a later run of the same file)."""
    held = ImportRun.objects.filter(status=ImportRun.Status.HELD).select_related("broker")
    confirmed = (
        ImportRun.objects.filter(forced=True)
        .exclude(checksum="")
        .values("broker_id", "checksum")
        .annotate(last=Max("id"))
    )
    done = {(row["broker_id"], row["checksum"]): row["last"] for row in confirmed}
    return [run for run in held if done.get((run.broker_id, run.checksum), 0) < run.id]


class HeldFilesView(
    WorkerHealthMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "view"
    template_name = "wagtail_openimmo/admin/held_files.html"
    page_title = gettext_lazy("Held files")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        brokers = list(waiting_brokers())
        context.update(
            {
                "waiting_brokers": brokers,
                "waiting_with_files": [b for b in brokers if b.approval_requested_at],
                "held_runs": [(run, can_confirm(run)) for run in held_runs()],
                "can_run_import": self.user_has_permission("run_import"),
                "runs_index_url": reverse("wagtail_openimmo_runs:index"),
            }
        )
        return context

    @cached_property
    def waiting_files(self) -> list[tuple[Broker, list]]:
        """The brokers awaiting approval, each with the files it has waiting in the inbox
        (``inbox.held_files``: name, size, upload time), for the template as
        ``view.waiting_files``.

        With an ``APPROVAL_POLICY``, brokers the policy approves are not waiting, whatever
        their manual flag says: their files are imported by the next run.
        """
        from ..conf import get_setting
        from ..inbox import held_files, is_import_approved

        files: dict[int, list] = {}
        try:
            for held in held_files():
                if held.kind == "approval" and held.broker is not None:
                    files.setdefault(held.broker.pk, []).append(held)
        except OSError:  # an inbox that cannot be read must not break the page
            logger.exception("Could not list the held files of the inbox")
        brokers = list(waiting_brokers())
        if get_setting("APPROVAL_POLICY"):
            brokers = [b for b in brokers if not is_import_approved(b)[0]]
        return [(broker, files.get(broker.pk, [])) for broker in brokers]


class ApproveBrokerView(PermissionCheckedMixin, View):
    """POST: approve a broker's imports and queue an inbox run for its waiting files."""

    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "run_import"
    http_method_names = ["post"]

    def post(self, request, pk):
        broker = get_object_or_404(Broker, pk=pk)
        if not broker.import_approved:
            Broker.objects.filter(pk=broker.pk).update(import_approved=True)
            logger.info("Broker %s approved by %s", broker.slug, request.user)
            approved = _("%(broker)s is approved; the files waiting in the inbox are being "
                         "imported.") % {"broker": broker.name}
            try:
                tell(request, queue_inbox_run(request.user), queued=approved)
            except Exception:  # approved all the same; the next scheduled scan imports
                logger.exception("Could not queue an inbox run after approving %s", broker.slug)
                messages.success(request, approved)
        return redirect(safe_next(request, "wagtail_openimmo_held:index"))


class _HeldRunActionView(PermissionCheckedMixin, View):
    model = ImportRun
    permission_policy = IMPORT_RUN_POLICY
    permission_required = "run_import"
    http_method_names = ["post"]

    def post(self, request, pk):
        run = get_object_or_404(ImportRun.objects.select_related("broker"), pk=pk)
        if not can_confirm(run):
            messages.error(
                request,
                _(
                    "%(file)s is not held for confirmation any more (already confirmed or "
                    "discarded, or its file is gone)."
                )
                % {"file": shown(run.file_name)},
            )
        else:
            self.act(request, run)
        return redirect(safe_next(request, "wagtail_openimmo_held:index"))

    def act(self, request, run: ImportRun) -> None:
        raise NotImplementedError


class ConfirmHeldView(_HeldRunActionView):
    """POST: apply a held full transfer despite the guard (``force``), in the background."""

    def act(self, request, run):
        dispatched = dispatch(
            CONFIRM_TASK,
            run.pk,
            task_name=f"wagtail_openimmo:confirm-held-{run.pk}",
            user=request.user,
        )
        logger.info(
            "Held full transfer %s (run %s) of broker %s confirmed by %s (%s)",
            shown(run.file_name),
            run.pk,
            run.broker.slug,
            request.user,
            dispatched.how,
        )
        tell(
            request,
            dispatched,
            queued=_(
                "%(file)s of %(broker)s is being imported as confirmed; the listings it does "
                "not contain are withdrawn. The import log shows the result."
            )
            % {"file": shown(run.file_name), "broker": run.broker.name},
        )


class DiscardHeldView(_HeldRunActionView):
    """POST: set a held full transfer aside unapplied (moved to ``failed/``)."""

    def act(self, request, run):
        try:
            discard_held(
                run,
                reason=say(
                    "voll_discarded_by",
                    gettext_noop("{user} decided not to apply this full transfer."),
                    user=request.user.get_username(),
                ),
            )
        except HeldFileError as exc:
            messages.error(request, str(exc))
            return
        logger.info(
            "Held full transfer %s (run %s) discarded by %s",
            shown(run.file_name),
            run.pk,
            request.user,
        )
        messages.success(
            request,
            _("%(file)s of %(broker)s was set aside; no listing was changed.")
            % {"file": shown(run.file_name), "broker": run.broker.name},
        )


def waiting_counts() -> dict[str, int]:
    """For the dashboard: how many brokers and held full transfers wait for the operator."""
    brokers = Broker.objects.filter(
        Q(import_approved=False) & Q(approval_requested_at__isnull=False)
    ).count()
    return {"brokers": brokers, "held_runs": len(held_runs())}
