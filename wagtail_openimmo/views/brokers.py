"""A broker's own admin pages besides its edit form: FTP access, and uploading a file with a
preview (a dry run) before it is imported in the background with live progress."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from ..ftp.access import AccessNotSent, access_for, send_access
from ..importing import staged
from ..messages import render_messages
from ..models import Broker, ImportRun
from ..permissions import can_run_import
from ..timewords import action_label, relative
from .dispatch import WorkerHealthMixin
from .dispatch import dispatch as start_task
from .runs import tell

logger = logging.getLogger(__name__)

FTP_PERMISSION = "wagtail_openimmo.change_ftpaccount"
STAGED_TASK = "wagtail_openimmo.tasks.import_staged"


class BrokerPageMixin(WagtailAdminTemplateMixin):
    """A page about one broker, under Brokers › <broker> in the breadcrumbs."""

    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise PermissionDenied
        self.broker = get_object_or_404(Broker, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def get_page_subtitle(self):
        return self.broker.name

    def get_breadcrumbs_items(self):
        viewset = Broker.snippet_viewset
        return [
            *self.breadcrumbs_items,
            {"url": reverse(viewset.get_url_name("list")), "label": _("Brokers")},
            {
                "url": reverse(viewset.get_url_name("edit"), args=[self.broker.pk]),
                "label": self.broker.name,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["broker"] = self.broker
        context["edit_url"] = reverse(
            Broker.snippet_viewset.get_url_name("edit"), args=[self.broker.pk]
        )
        return context


# --- FTP access --------------------------------------------------------------------------


class FTPAccessView(BrokerPageMixin, TemplateView):
    template_name = "wagtail_openimmo/admin/broker_ftp.html"
    page_title = gettext_lazy("FTP access")
    header_icon = "key"

    def allowed(self, user):
        return user.has_perm(FTP_PERMISSION)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["access"] = access_for(self.broker)
        return context


class SendFTPAccessView(BrokerPageMixin, View):
    """POST: new password for the broker's account, e-mailed to the broker, shown once."""

    http_method_names = ["post"]

    def allowed(self, user):
        return user.has_perm(FTP_PERMISSION)

    def post(self, request, pk):
        url = reverse("wagtail_openimmo_broker:ftp", args=[self.broker.pk])
        try:
            account, password = send_access(self.broker, sender=request.user)
        except AccessNotSent as exc:
            if str(exc) == "shared":
                messages.error(
                    request,
                    _(
                        "This broker uploads to a shared FTP account; its password belongs to "
                        "every broker using it. Give the broker an account of its own first."
                    ),
                )
            else:
                messages.error(request, _("The broker has no e-mail address to send to."))
            return redirect(url)
        except Exception as exc:  # the mail server; the password change was rolled back
            logger.exception("Could not send the FTP access data of %s", self.broker.slug)
            messages.error(
                request,
                _("The e-mail could not be sent (%(error)s); nothing was changed.")
                % {"error": exc},
            )
            return redirect(url)
        messages.warning(
            request,
            _(
                "The access data were sent to %(email)s. The new password of %(user)s is: "
                "%(password)s — it is shown only now and stored only as a hash."
            )
            % {"email": self.broker.email, "user": account.username, "password": password},
        )
        return redirect(url)


# --- upload with preview -----------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("OpenImmo file"),
        help_text=gettext_lazy(
            "A ZIP as the broker's software exports it, or an OpenImmo XML "
            "file. You see what it would change before anything is "
            "imported."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.xml,application/zip,text/xml"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".zip", ".xml")):
            raise forms.ValidationError(_("Choose a ZIP or XML file."))
        return upload


class UploadView(BrokerPageMixin, TemplateView):
    """GET the form; POST a file: it is kept and a dry run shows what it would do."""

    template_name = "wagtail_openimmo/admin/broker_upload.html"
    page_title = gettext_lazy("Upload a file")
    header_icon = "upload"

    def allowed(self, user):
        return can_run_import(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        return context

    def post(self, request, pk):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = staged.stage(form.cleaned_data["file"], broker=self.broker, user=request.user)
        result = staged.preview(upload, self.broker)
        rows = [
            {
                "entry": entry,
                "action": action_label(entry.action, entry.outcome),
                "messages": render_messages(entry.messages or []),
            }
            for entry in result.entries
        ]
        context = self.get_context_data(
            form=None,
            upload=upload,
            result=result,
            rows=rows,
            counts=[
                (_("new"), result.created),
                (_("updated"), result.updated),
                (_("unchanged"), result.unchanged),
                (_("withdrawn"), result.withdrawn),
                (_("rejected"), result.rejected),
            ],
            file_findings=render_messages(result.problems or []),
            can_import=not result.refused,
            confirm_url=reverse(
                "wagtail_openimmo_broker:upload_confirm", args=[self.broker.pk, upload.token]
            ),
        )
        return self.render_to_response(context)


class UploadConfirmView(BrokerPageMixin, View):
    """POST: import the previewed file in the background (or cancel: delete it)."""

    http_method_names = ["post"]

    def allowed(self, user):
        return can_run_import(user)

    def post(self, request, pk, token):
        try:
            upload = staged.find(token)
        except staged.StagedUploadMissing:
            messages.error(request, _("This upload is gone; upload the file again."))
            return redirect("wagtail_openimmo_broker:upload", pk=self.broker.pk)
        if "cancel" in request.POST:
            staged.discard(upload)
            messages.success(request, _("The upload was discarded; nothing was imported."))
            return redirect("wagtail_openimmo_broker:upload", pk=self.broker.pk)
        run = staged.start(upload, self.broker)
        dispatched = start_task(
            STAGED_TASK, run.pk, task_name=f"wagtail_openimmo:upload-{run.pk}", user=request.user
        )
        if dispatched.how == "not_started":
            messages.error(
                request,
                _(
                    "No background worker is running, so the import was not started. Start it "
                    "with “%(start)s”, or import the file with “%(command)s”."
                )
                % {
                    "start": dispatched.health.start_command,
                    "command": f"python manage.py openimmo_import {upload.path} "
                    f"--broker {self.broker.slug}",
                },
            )
            ImportRun.objects.filter(pk=run.pk).delete()
            return redirect("wagtail_openimmo_broker:upload", pk=self.broker.pk)
        tell(
            request,
            dispatched,
            queued=_("The import of %(file)s has started.") % {"file": upload.name},
        )
        return redirect("wagtail_openimmo_broker:upload_progress", pk=self.broker.pk, run_id=run.pk)


def _run_state(run: ImportRun) -> dict:
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "finished": run.finished,
        "done": run.progress_done,
        "total": run.progress_total,
        "created": run.created,
        "updated": run.updated,
        "withdrawn": run.withdrawn,
        "rejected": run.rejected,
        "run_url": reverse("wagtail_openimmo_runs:inspect", args=[run.pk]),
        "updated_ago": relative(run.progress_at) if run.progress_at else "",
    }


class UploadProgressView(WorkerHealthMixin, BrokerPageMixin, TemplateView):
    """The background import of an uploaded file, live (the page polls ``?format=json``)."""

    template_name = "wagtail_openimmo/admin/broker_upload_progress.html"
    page_title = gettext_lazy("Import of an uploaded file")
    header_icon = "upload"

    def allowed(self, user):
        return can_run_import(user)

    def get(self, request, pk, run_id):
        self.run = ImportRun.objects.filter(pk=run_id, broker=self.broker).first()
        if self.run is None:
            raise Http404
        if request.GET.get("format") == "json":
            return JsonResponse(_run_state(self.run))
        return super().get(request, pk=pk, run_id=run_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"run": self.run, "state": _run_state(self.run)})
        return context
