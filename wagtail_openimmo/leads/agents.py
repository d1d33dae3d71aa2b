"""Search agents (Suchaufträge): saved filters that mail visitors new matching listings.

The cycle:

1. ``subscribe`` stores the filters of a listing index with an e-mail address, unconfirmed,
   and mails a confirmation link (double opt-in). Nothing is ever sent to an unconfirmed
   address but that one mail; unconfirmed agents are deleted after
   ``SEARCH_AGENT_UNCONFIRMED_HOURS`` (``purge_unconfirmed``).
2. ``confirm`` marks the agent confirmed.
3. After each import that created or changed listings, ``queue_matching`` hands the listing
   ids to django-q once the import's transaction has committed; ``match_listings`` records
   which confirmed agents each listing matches (``SearchAgentMatch``, once per agent and
   listing: a listing that matched before is not mailed again, one that newly matches is).
   It works in a constant number of queries: the changed listings, the agents and the
   matches that exist are loaded once and compared in memory.
4. ``send_due`` mails each agent its pending matches: at most one mail every
   ``SEARCH_AGENT_DIGEST_HOURS`` (or at once with ``SEARCH_AGENT_MODE = "immediate"``), with
   a one-click unsubscribe link and the ``List-Unsubscribe`` headers.
5. ``unsubscribe`` deletes the agent and its matches.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from ..conf import get_setting
from ..models import ListingPage, SearchAgent, SearchAgentMatch

logger = logging.getLogger(__name__)

# The index's filters a search agent keeps (``page`` and ``sort`` do not filter).
FILTER_KEYS = ("q", "vermarktungsart", "objektart", "ort", "preis_min", "preis_max",
               "zimmer_min", "flaeche_min", "merkmal", "ohne_reserviert",
               "anbieter")  # fmt: skip
LIST_KEYS = ("merkmal",)


# --- filters -------------------------------------------------------------------------------


def agent_filters(form) -> dict:
    """What an agent stores of a bound ``ListingFilterForm``: its criteria (the marketing
    type always filled in, as the index shows it), JSON-ready."""
    kept: dict = {}
    for key, value in form.criteria().items():
        if key not in FILTER_KEYS or value in (None, "", [], False):
            continue
        if key in LIST_KEYS:
            kept[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            kept[key] = True
        else:
            kept[key] = str(value)
    return kept


def filters_query(filters: dict) -> str:
    """The query string that shows an agent's filters on its index page."""
    query = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        value = filters.get(key)
        if not value:
            continue
        if key in LIST_KEYS:
            query.setlist(key, [str(v) for v in value])
        elif value is True:
            query[key] = "on"
        else:
            query[key] = str(value)
    return query.urlencode()


def compile_filters(filters: dict):
    """An agent's filters as a predicate over listing pages: the index's own rules
    (``frontend.filters.listing_matches``, which a test holds to the database filters).
    Free text matches when every word occurs in the listing's title, place or texts."""
    from ..frontend.filters import listing_matches as matches

    criteria = dict(filters)
    return lambda listing: matches(listing, criteria)


def listing_matches(filters: dict, listing) -> bool:
    """Whether a listing page passes an agent's filters."""
    return compile_filters(filters)(listing)


# --- subscribe, confirm, unsubscribe -------------------------------------------------------


def ip_hash(ip: str) -> str:
    """A keyed hash of the consenting IP: proof of the opt-in, not the address itself."""
    return salted_hmac("wagtail_openimmo.search_agent", ip or "", algorithm="sha256").hexdigest()


def subscribe(*, index_page, broker, email: str, filters: dict[str, str], ip: str,
              request=None) -> SearchAgent:  # fmt: skip
    """Store an unconfirmed agent and mail its confirmation link."""
    agent = SearchAgent.objects.create(
        email=email.strip(),
        language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
        index_page=index_page,
        broker=broker,
        filters=filters,
        consent_ip_hash=ip_hash(ip),
    )
    send_confirmation_request(agent, request)
    return agent


def confirm(token: str) -> SearchAgent | None:
    """Confirm the agent with this token. An agent with the same address, page and filters
    that was confirmed before stays, the new one goes (no second mail for one search)."""
    agent = SearchAgent.objects.filter(token=token).first()
    if agent is None:
        return None
    if agent.confirmed_at is None:
        twin = (
            SearchAgent.objects.filter(
                email__iexact=agent.email,
                index_page_id=agent.index_page_id,
                confirmed_at__isnull=False,
            )
            .exclude(pk=agent.pk)
            .filter(filters=agent.filters)
            .first()
        )
        if twin is not None:
            agent.delete()
            return twin
        agent.confirmed_at = timezone.now()
        agent.save(update_fields=["confirmed_at"])
    return agent


def unsubscribe(token: str) -> bool:
    """Delete the agent with this token and all that is known about it."""
    deleted, _ = SearchAgent.objects.filter(token=token).delete()
    return bool(deleted)


def purge_unconfirmed(now: dt.datetime | None = None) -> int:
    """Delete agents whose confirmation link was not followed in time."""
    hours = get_setting("SEARCH_AGENT_UNCONFIRMED_HOURS")
    cutoff = (now or timezone.now()) - dt.timedelta(hours=hours)
    deleted, _ = SearchAgent.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


def record_bounce(email: str) -> int:
    """Count a bounce for every agent of this address (call it from your mail provider's
    bounce webhook, or ``openimmo_search_agents bounce``); agents stop at
    ``SEARCH_AGENT_MAX_BOUNCES``. Returns the number of agents affected."""
    agents = list(SearchAgent.objects.filter(email__iexact=email.strip()))
    for agent in agents:
        _bounced(agent)
    return len(agents)


def _bounced(agent: SearchAgent) -> None:
    agent.bounces += 1
    if agent.bounces >= get_setting("SEARCH_AGENT_MAX_BOUNCES"):
        agent.active = False
    agent.save(update_fields=["bounces", "active"])


# --- matching ------------------------------------------------------------------------------


def queue_matching(listing_ids: Iterable[int]) -> None:
    """After an import: match the listings in django-q once the transaction committed."""
    ids = sorted(set(listing_ids))
    if not ids or not get_setting("SEARCH_AGENTS_ENABLED"):
        return
    if not SearchAgent.objects.filter(confirmed_at__isnull=False, active=True).exists():
        return

    def enqueue():
        from django_q.tasks import async_task

        async_task(
            "wagtail_openimmo.tasks.match_search_agents",
            ids,
            task_name="wagtail_openimmo:search-agents-match",
            group="wagtail_openimmo",
        )

    transaction.on_commit(enqueue)


def match_listings(listing_ids: Iterable[int]) -> int:
    """Record the (agent, listing) pairs that are new among these listings: live, current
    (not reference) listings that pass a confirmed, active agent's filters below the page
    the agent was saved on. Returns the number of new matches."""
    ids = list(set(listing_ids))
    if not ids:
        return 0
    listings = list(
        ListingPage.objects.filter(pk__in=ids, live=True, is_reference=False).select_related(
            "broker"
        )
    )
    if not listings:
        return 0
    agents = list(
        SearchAgent.objects.filter(confirmed_at__isnull=False, active=True).values_list(
            "pk", "index_page__path", "filters", "index_page_id"
        )
    )
    # Agents saved on a portal search look at the listings of its brokers (all by default),
    # wherever they are in the tree.
    portal_brokers = _portal_brokers({page_id for *_rest, page_id in agents})
    known = set(
        SearchAgentMatch.objects.filter(listing_id__in=[listing.pk for listing in listings])
        .values_list("agent_id", "listing_id")
    )
    # Listings by the index page above them: an agent looks only below its own page.
    below: dict[str, list] = defaultdict(list)
    prefixes = {path for _pk, path, _f, page_id in agents if page_id not in portal_brokers}
    for listing in listings:
        for length in range(ListingPage.steplen, len(listing.path), ListingPage.steplen):
            prefix = listing.path[:length]
            if prefix in prefixes:
                below[prefix].append(listing)
    # Agents with the same page and filters (common: "rent in Mainz") are matched once.
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    filters_of: dict[tuple[str, str], dict] = {}
    for page_id, chosen in portal_brokers.items():
        below[f"portal:{page_id}"] = [
            listing for listing in listings if not chosen or listing.broker_id in chosen
        ]
    for agent_id, path, filters, page_id in agents:
        if page_id in portal_brokers:
            path = f"portal:{page_id}"
        key = (path, json.dumps(filters or {}, sort_keys=True))
        groups[key].append(agent_id)
        filters_of[key] = filters or {}
    new: list[tuple[int, int]] = []
    for key, agent_ids in groups.items():
        candidates = below.get(key[0])
        if not candidates:
            continue
        matches = compile_filters(filters_of[key])
        hits = [listing.pk for listing in candidates if matches(listing)]
        new.extend(
            (agent_id, pk) for agent_id in agent_ids for pk in hits if (agent_id, pk) not in known
        )
    _insert_matches(new)
    return len(new)


def _portal_brokers(page_ids: set[int]) -> dict[int, set[int]]:
    """For the portal search pages among ``page_ids``: the ids of their chosen brokers
    (empty: all brokers). Two queries, however many agents."""
    from ..models import PortalSearchPage

    portals = {pk: set() for pk in PortalSearchPage.objects.filter(pk__in=page_ids)
               .values_list("pk", flat=True)}  # fmt: skip
    if portals:
        through = PortalSearchPage.brokers.through
        for page_id, broker_id in through.objects.filter(
            portalsearchpage_id__in=portals
        ).values_list("portalsearchpage_id", "broker_id"):
            portals[page_id].add(broker_id)
    return portals


def _insert_matches(pairs: list[tuple[int, int]]) -> None:
    """Insert (agent, listing) rows with one prepared statement (``executemany``): a big
    import can make hundreds of thousands, which model instances would make slow. A pair
    that another worker inserted meanwhile is skipped (``ON CONFLICT DO NOTHING``, which
    SQLite and PostgreSQL both understand)."""
    if not pairs:
        return
    table = connection.ops.quote_name(SearchAgentMatch._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {table} (agent_id, listing_id, matched_at) "  # noqa: S608 (our table)
        "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(pairs), 10_000):
            cursor.executemany(sql, [(a, b, now) for a, b in pairs[start : start + 10_000]])


# --- sending -------------------------------------------------------------------------------


def send_due(now: dt.datetime | None = None, *, request=None) -> int:
    """Mail every confirmed, active agent its pending matches when it is due; returns the
    number of mails sent. Matches of listings that are no longer live are dropped."""
    now = now or timezone.now()
    SearchAgentMatch.objects.filter(sent_at__isnull=True).filter(
        Q(listing__live=False) | Q(listing__isnull=True)
    ).delete()
    due = SearchAgent.objects.filter(
        confirmed_at__isnull=False, active=True, matches__sent_at__isnull=True
    ).distinct()
    if get_setting("SEARCH_AGENT_MODE") != "immediate":
        hours = get_setting("SEARCH_AGENT_DIGEST_HOURS")
        due = due.filter(
            Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - dt.timedelta(hours=hours))
        )
    sent = 0
    for agent in due.select_related("index_page"):
        pending = list(
            SearchAgentMatch.objects.filter(agent=agent, sent_at__isnull=True).order_by("pk")
        )
        listing_ids = [match.listing_id for match in pending]
        listings = list(
            ListingPage.objects.live().filter(pk__in=listing_ids).order_by("-first_published_at")
        )
        if not listings:
            continue
        if _send_digest(agent, listings, request):
            SearchAgentMatch.objects.filter(pk__in=[m.pk for m in pending]).update(sent_at=now)
            agent.last_sent_at = now
            agent.save(update_fields=["last_sent_at"])
            sent += 1
    return sent


def agent_urls(agent: SearchAgent, request=None) -> dict[str, str]:
    """Absolute links of an agent: its list, confirmation and unsubscribe pages."""
    index = agent.index_page.specific
    base = index.get_full_url(request) or ""
    if base and not base.endswith("/"):
        base += "/"
    query = filters_query(agent.filters or {})
    urls = {
        "list": base + (f"?{query}" if query else ""),
        "confirm": f"{base}search-agent/confirm/{agent.token}/",
        "unsubscribe": f"{base}search-agent/unsubscribe/{agent.token}/",
    }
    # The header's one-click URL (RFC 8058) needs the CSRF-exempt view of
    # ``wagtail_openimmo.urls``; without that include, the unsubscribe page.
    urls["one_click"] = urls["unsubscribe"]
    try:
        one_click = reverse("wagtail_openimmo:search_agent_unsubscribe", args=[agent.token])
    except NoReverseMatch:
        return urls
    site = index.get_site()
    root = site.root_url if site else ""
    if request is not None and not root:
        root = request.build_absolute_uri("/").rstrip("/")
    urls["one_click"] = f"{root}{one_click}"
    return urls


def describe_filters(filters: dict[str, str]) -> list[str]:
    """The agent's filters in words, for its mails and pages."""
    from django.utils.translation import gettext as _

    from ..frontend.presentation import KEY_FEATURE_LABELS, OBJEKTART_LABELS, label_for

    words = []
    if filters.get("vermarktungsart") == "kauf":
        words.append(_("to buy"))
    elif filters.get("vermarktungsart") == "miete":
        words.append(_("to rent"))
    if filters.get("objektart"):
        words.append(label_for(OBJEKTART_LABELS, filters["objektart"]))
    if filters.get("ort"):
        words.append(_("in %(place)s") % {"place": filters["ort"]})
    if filters.get("preis_min"):
        words.append(_("price from %(value)s") % {"value": filters["preis_min"]})
    if filters.get("preis_max"):
        words.append(_("price up to %(value)s") % {"value": filters["preis_max"]})
    if filters.get("zimmer_min"):
        words.append(_("at least %(value)s rooms") % {"value": filters["zimmer_min"]})
    if filters.get("flaeche_min"):
        words.append(_("at least %(value)s m²") % {"value": filters["flaeche_min"]})
    words.extend(str(KEY_FEATURE_LABELS.get(code, code)) for code in filters.get("merkmal") or ())
    if filters.get("ohne_reserviert"):
        words.append(_("without reserved listings"))
    if filters.get("anbieter"):
        words.append(_("from %(broker)s") % {"broker": filters["anbieter"]})
    if filters.get("q"):
        words.append(_("“%(text)s”") % {"text": filters["q"]})
    return words


def _from_email() -> str:
    return get_setting("CONTACT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL


def send_confirmation_request(agent: SearchAgent, request=None) -> None:
    urls = agent_urls(agent, request)
    context = {
        "agent": agent,
        "urls": urls,
        "filters": describe_filters(agent.filters or {}),
        "index_title": agent.index_page.title,
        "hours": get_setting("SEARCH_AGENT_UNCONFIRMED_HOURS"),
    }
    with translation.override(agent.language):
        subject = render_to_string("wagtail_openimmo/email/agent_confirm_subject.txt", context)
        body = render_to_string("wagtail_openimmo/email/agent_confirm.txt", context)
    EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, from_email=_from_email(), to=[agent.email]
    ).send()


def _send_digest(agent: SearchAgent, listings: list, request=None) -> bool:
    urls = agent_urls(agent, request)
    limit = get_setting("SEARCH_AGENT_MAX_LISTINGS")
    context = {
        "agent": agent,
        "urls": urls,
        "filters": describe_filters(agent.filters or {}),
        "index_title": agent.index_page.title,
        "listings": [
            {"title": listing.title, "url": listing.get_full_url(request),
             "facts": _card_facts(listing)}
            for listing in listings[:limit]
        ],
        "more": max(0, len(listings) - limit),
        "count": len(listings),
    }
    with translation.override(agent.language):
        subject = render_to_string("wagtail_openimmo/email/agent_digest_subject.txt", context)
        body = render_to_string("wagtail_openimmo/email/agent_digest.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=_from_email(),
        to=[agent.email],
        headers={
            # RFC 2369 and RFC 8058: mail programs offer "unsubscribe", and a POST to the URL
            # unsubscribes in one click.
            "List-Unsubscribe": f"<{urls['one_click']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        logger.warning("Search agent %s: the mail server refused the address", agent.pk)
        _bounced(agent)
        return False
    except (smtplib.SMTPException, OSError):
        logger.exception("Search agent %s: the mail could not be sent; tried again later",
                         agent.pk)  # fmt: skip
        return False
    return True


def _card_facts(listing) -> str:
    """"Etagenwohnung · 3 Zimmer · 78 m² · Kaltmiete 850 €" for a mail's list of listings."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    from ..frontend.presentation import headline_price, objektart_label

    parts = [objektart_label(listing)]
    if listing.ort:
        parts.append(listing.ort)
    if listing.anzahl_zimmer is not None:
        rooms = number_format(listing.anzahl_zimmer.normalize())
        parts.append(_("%(rooms)s rooms") % {"rooms": rooms})
    if listing.flaeche is not None:
        parts.append(f"{number_format(listing.flaeche.normalize())} m²")
    price = headline_price(listing)
    if price is not None:
        parts.append(f"{price.label} {price.value}")
    return " · ".join(part for part in parts if part)
