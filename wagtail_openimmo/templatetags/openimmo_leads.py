"""Template tags of leads: ``{% load openimmo_leads %}``.

{% search_agent_form %}      on a listing index: "get new listings by e-mail" with the
                             current filters (nothing when search agents are off for
                             the request's site)
{% withdrawal_link page %}   the "withdraw from contract" button (§ 356a BGB) where the
                             broker switched it on
"""

from __future__ import annotations

from django import template

from ..frontend.site_config import site_config

register = template.Library()


@register.inclusion_tag("wagtail_openimmo/includes/search_agent_form.html", takes_context=True)
def search_agent_form(context):
    from ..frontend.filters import ListingFilterForm
    from ..leads import agents
    from ..leads.forms import SearchAgentForm
    from ..leads.views import AGENT_PATH, FORM_PREFIX

    request = context.get("request")
    page = context.get("page")
    if page is None or request is None or not site_config(request).search_agents:
        return {"hidden": True}
    # The index's own filter form knows the default marketing type of the broker's stock.
    filter_form = context.get("filter_form") or ListingFilterForm(request.GET or None)
    filters = agents.agent_filters(filter_form)
    return {
        "form": SearchAgentForm(prefix=FORM_PREFIX, filters=filters, request=request),
        "filters": agents.describe_filters(filters),
        "action": f"{page.get_url(request)}{AGENT_PATH}/",
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("wagtail_openimmo/includes/withdrawal_link.html", takes_context=True)
def withdrawal_link(context, page=None):
    from ..leads.withdrawal import withdrawal_url

    page = page or context.get("page")
    request = context.get("request")
    return {"url": withdrawal_url(page, request) if page is not None else None}
