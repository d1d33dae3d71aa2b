"""Pages below a listing index for search agents and the withdrawal function.

A listing index answers, besides its listings (see ``AbstractListingIndexPage.route``):

=====================================  ===============================================
``search-agent/``                      POST: save a search agent (then "check your mail")
``search-agent/confirm/<token>/``      GET: confirm it (the link of the opt-in mail)
``search-agent/unsubscribe/<token>/``  GET: a page with one button; POST: delete it
                                       (mail programs POST here: RFC 8058 one-click)
``withdrawal/``                        the withdrawal form (§ 356a BGB), where switched on
=====================================  ===============================================
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page

from ..frontend.contact import SpamSuspected, client_ip, rate_limited
from ..frontend.filters import ListingFilterForm
from ..frontend.site_config import site_config
from . import agents, withdrawal
from .forms import SearchAgentForm, WithdrawalForm

logger = logging.getLogger(__name__)

AGENT_PATH = "search-agent"
WITHDRAWAL_PATH = "withdrawal"
FORM_PREFIX = "agent"


def _render(index, request, template: str, context: dict, status: int = 200):
    full = Page.get_context(index, request)
    full.update({"index_page": index, "noindex": True, **context})
    return TemplateResponse(request, template, full, status=status)


def serve(index, request, path: list[str]):
    """Dispatch a sub-path of the index (see the module docstring)."""
    head, rest = path[0], path[1:]
    if head == AGENT_PATH and site_config(request).search_agents:
        if not rest:
            return subscribe(index, request)
        if len(rest) == 2 and rest[0] == "confirm":
            return confirm(index, request, rest[1])
        if len(rest) == 2 and rest[0] == "unsubscribe":
            return unsubscribe(index, request, rest[1])
    if head == WITHDRAWAL_PATH and not rest and withdrawal.enabled_for(index):
        return withdrawal_form(index, request)
    raise Http404


def filter_form_for(index, data) -> ListingFilterForm:
    """The filter form of the page the agent is saved on: a portal's offers its brokers."""
    from ..models import Broker, PortalSearchPage

    brokers = None
    if isinstance(index.specific, PortalSearchPage):
        chosen = index.specific.chosen_broker_ids()
        found = Broker.objects.order_by("name")
        brokers = list((found.filter(pk__in=chosen) if chosen else found).values_list(
            "slug", "name"))
    return ListingFilterForm(data, brokers=brokers)


def index_broker(index):
    from ..models import Broker

    return Broker.objects.filter(index_page_id=index.pk).first()


def subscribe(index, request):
    if request.method != "POST":
        return HttpResponseRedirect(index.get_url(request))
    form = SearchAgentForm(request.POST, prefix=FORM_PREFIX, request=request)
    try:
        valid = form.is_valid_enquiry()
    except SpamSuspected as exc:
        logger.info("Search agent on page %s dropped as spam: %s", index.pk, exc)
        return _render(index, request, "wagtail_openimmo/search_agent.html", {"state": "sent"})
    filter_form = filter_form_for(index, form.filter_data())
    if valid and rate_limited(request):
        form.add_error(None, _("You have sent this form several times in a short time. "
                               "Please try again later."))  # fmt: skip
        valid = False
    if not valid:
        return _render(
            index,
            request,
            "wagtail_openimmo/search_agent.html",
            {"state": "form", "agent_form": form,
             "filters": agents.describe_filters(agents.agent_filters(filter_form))},
            status=400,
        )
    form.mark_used()
    agents.subscribe(
        index_page=index,
        broker=index_broker(index),
        email=form.cleaned_data["email"],
        filters=agents.agent_filters(filter_form),
        ip=client_ip(request),
        request=request,
    )
    return _render(index, request, "wagtail_openimmo/search_agent.html", {"state": "sent"})


def confirm(index, request, token: str):
    agent = agents.confirm(token)
    if agent is None or agent.index_page_id != index.pk:
        return _render(
            index, request, "wagtail_openimmo/search_agent.html", {"state": "unknown"}, 404
        )
    return _render(
        index,
        request,
        "wagtail_openimmo/search_agent.html",
        {"state": "confirmed", "agent": agent,
         "filters": agents.describe_filters(agent.filters or {}),
         "urls": agents.agent_urls(agent, request)},
    )


def unsubscribe(index, request, token: str):
    from ..models import SearchAgent

    agent = SearchAgent.objects.filter(token=token, index_page_id=index.pk).first()
    if request.method == "POST":
        if agent is not None:
            agents.unsubscribe(token)
        return _render(index, request, "wagtail_openimmo/search_agent.html",
                       {"state": "unsubscribed"})  # fmt: skip
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if agent is None:
        return _render(
            index, request, "wagtail_openimmo/search_agent.html", {"state": "unknown"}, 404
        )
    return _render(
        index,
        request,
        "wagtail_openimmo/search_agent.html",
        {"state": "unsubscribe", "agent": agent,
         "filters": agents.describe_filters(agent.filters or {})},
    )


@csrf_exempt
@require_POST
def one_click_unsubscribe(request, token: str):
    """RFC 8058 one-click unsubscribe: mail programs POST ``List-Unsubscribe=One-Click``
    from their servers, without a CSRF cookie. The token in the URL is the secret, and
    deleting the agent it names is all it can do."""
    agents.unsubscribe(token)
    return HttpResponse(_("You have been unsubscribed."), content_type="text/plain")


def withdrawal_form(index, request):
    if request.method == "POST":
        form = WithdrawalForm(request.POST, prefix="withdrawal", request=request)
        try:
            valid = form.is_valid_enquiry()
        except SpamSuspected as exc:
            logger.info("Withdrawal on page %s dropped as spam: %s", index.pk, exc)
            return HttpResponseRedirect(f"{index.get_url(request)}{WITHDRAWAL_PATH}/?sent=1")
        if valid:
            form.mark_used()
            withdrawal.send_withdrawal(index, index_broker(index), form.cleaned_data, request)
            return HttpResponseRedirect(f"{index.get_url(request)}{WITHDRAWAL_PATH}/?sent=1")
        status = 400
    else:
        form = WithdrawalForm(prefix="withdrawal", request=request)
        status = 200
    return _render(
        index,
        request,
        "wagtail_openimmo/withdrawal.html",
        {"withdrawal_form": form, "sent": request.GET.get("sent") == "1",
         "broker": index_broker(index)},
        status=status,
    )
