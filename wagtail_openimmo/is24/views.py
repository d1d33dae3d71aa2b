"""Admin views: the OAuth flow that connects a broker's IS24 account, and "sync now"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin.admin_url_finder import AdminURLFinder

from .models import IS24Connection
from .oauth import AuthorisationError, finish_authorisation, pending_connection
from .oauth import start_authorisation as start_flow

PERMISSION = "wagtail_openimmo_is24.change_is24connection"


def _check(user) -> None:
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


def _edit_url(connection: IS24Connection, user) -> str:
    return AdminURLFinder(user).get_edit_url(connection) or reverse("wagtailadmin_home")


@require_http_methods(["GET", "POST"])
def authorise(request, pk: int):
    """GET: explain what happens; POST: fetch a request token and go to IS24."""
    _check(request.user)
    connection = get_object_or_404(IS24Connection.objects.select_related("broker"), pk=pk)
    if request.method == "POST":
        callback = request.build_absolute_uri(reverse("wagtail_openimmo_is24:oauth_callback"))
        try:
            url = start_flow(connection, callback, request.user)
        except AuthorisationError as exc:
            messages.error(request, str(exc))
            return redirect(_edit_url(connection, request.user))
        return redirect(url)
    title = _("Connect %(broker)s with ImmobilienScout24") % {"broker": connection.broker}
    return TemplateResponse(
        request,
        "wagtail_openimmo/is24/authorise.html",
        {
            "connection": connection,
            "page_title": title,
            "header_title": title,
            "header_icon": "link-external",
            "edit_url": _edit_url(connection, request.user),
        },
    )


@require_GET
def oauth_callback(request):
    """Where IS24 sends the broker back, with ``oauth_token`` and ``oauth_verifier``."""
    connection = pending_connection(request.GET.get("oauth_token", ""))
    if connection is None:
        messages.error(
            request,
            _(
                "This IS24 authorisation is unknown or has expired (IS24 "
                "allows 30 minutes); please start it again."
            ),
        )
        return redirect("wagtailadmin_home")
    _check(request.user)
    if connection.pending_user_id != request.user.pk:
        # The flow belongs to the admin user who started it: another user (whose browser was
        # sent this link) must not attach the broker's IS24 account to the site.
        messages.error(
            request,
            _(
                "This IS24 authorisation was started by another user; only that user can "
                "finish it. Start it again yourself if needed."
            ),
        )
        return redirect(_edit_url(connection, request.user))
    verifier = request.GET.get("oauth_verifier", "")
    if request.GET.get("state") == "rejected" or not verifier:
        connection.pending_request_token = ""
        connection.pending_request_token_secret = ""
        connection.save(update_fields=["pending_request_token", "pending_request_token_secret"])
        messages.warning(request, _("The access was not granted at ImmobilienScout24."))
        return redirect(_edit_url(connection, request.user))
    try:
        finish_authorisation(connection, verifier)
    except AuthorisationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(broker)s is connected with ImmobilienScout24.") % {"broker": connection.broker},
        )
    return redirect(_edit_url(connection, request.user))


@require_POST
def sync_now(request, pk: int):
    """Queue a sync of this broker's listings (django-q)."""
    from django_q.tasks import async_task

    _check(request.user)
    connection = get_object_or_404(IS24Connection.objects.select_related("broker"), pk=pk)
    async_task(
        "wagtail_openimmo.is24.tasks.sync_broker",
        connection.broker_id,
        task_name=f"wagtail_openimmo:is24_sync:{connection.broker.slug}",
    )
    messages.success(
        request, _("The IS24 sync of %(broker)s has been started.") % {"broker": connection.broker}
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = _edit_url(connection, request.user)
    return redirect(target)
