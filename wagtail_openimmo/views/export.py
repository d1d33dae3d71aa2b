"""Admin views of the export: download a broker's listings or a selection as OpenImmo, and
the form that keeps an export target's password write-only."""

from __future__ import annotations

import tempfile

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction

from .. import get_listing_page_model
from ..exporting import ExportError, export_broker
from ..models import AbstractListingPage, Broker

EXPORT_PERMISSION = "wagtail_openimmo.change_broker"


def can_export(user, broker: Broker | None = None) -> bool:
    """Exports carry everything about a broker's listings: who may edit the broker may."""
    return user.has_perm(EXPORT_PERMISSION)


def zip_response(broker: Broker, **options) -> FileResponse:
    """Export into an anonymous temporary file and stream it as a download.

    The file disappears when the response is closed; the ZIP never sits in memory.
    """
    fh = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        export_broker(broker, fh, **options)
    except BaseException:
        fh.close()
        raise
    fh.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(
        fh,
        as_attachment=True,
        filename=f"openimmo-{broker.slug}-{stamp}.zip",
        content_type="application/zip",
    )


def broker_export(request: HttpRequest, pk: int):
    """Download the broker's whole live stock (VOLL) as an OpenImmo ZIP."""
    if not can_export(request.user):
        raise PermissionDenied
    broker = get_object_or_404(Broker, pk=pk)
    try:
        return zip_response(broker, umfang="VOLL")
    except ExportError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("wagtailsnippets_wagtail_openimmo_broker:list"))


class ExportListingsBulkAction(PageBulkAction):
    """ "Export as OpenImmo" for listings selected in the page explorer.

    A page bulk action is Wagtail's own way to act on selected pages, and listings are pages:
    editors select them where they work with them. The confirmation lists what will be
    exported; confirming downloads a TEIL ZIP (a selection is never a broker's whole stock).
    """

    display_name = gettext_lazy("Export as OpenImmo")
    action_type = "export_openimmo"
    aria_label = gettext_lazy("Export selected listings as OpenImmo")
    template_name = "wagtail_openimmo/bulk_actions/confirm_export.html"
    action_priority = 80

    def check_perm(self, page) -> bool:
        return issubclass(page.specific_class or object, AbstractListingPage) and can_export(
            self.request.user
        )

    def form_valid(self, form):
        objects, _without_access = self.get_actionable_objects()
        listings = get_listing_page_model().objects.filter(pk__in=[page.pk for page in objects])
        brokers = list(Broker.objects.filter(listings__in=listings).distinct())
        if len(brokers) != 1:
            messages.error(
                self.request,
                _("Select listings of one broker: an OpenImmo file belongs to one broker.")
                if brokers
                else _("None of the selected pages is a listing."),
            )
            return redirect(self.next_url)
        try:
            return zip_response(brokers[0], umfang="TEIL", listings=listings)
        except ExportError as exc:
            messages.error(self.request, str(exc))
            return redirect(self.next_url)


class ExportTargetForm(WagtailAdminModelForm):
    """The target's password can be set or replaced, never read back."""

    password = forms.CharField(
        label=gettext_lazy("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Stored as given because it is needed to log in there, and never shown again. "
            "Leave empty to keep the stored password."
        ),
    )

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            return password
        if self.instance.pk and self.instance.password:
            return self.instance.password
        raise forms.ValidationError(_("Enter the password of the FTP account."))
