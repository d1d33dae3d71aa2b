"""Search agents from the command line: GDPR requests, bounces, sending now.

    manage.py openimmo_search_agents list [--broker SLUG]
    manage.py openimmo_search_agents export --email ADDRESS     # JSON: all that is stored
    manage.py openimmo_search_agents delete --email ADDRESS     # erase the address
    manage.py openimmo_search_agents bounce --email ADDRESS     # count a bounce
    manage.py openimmo_search_agents send                       # send what is due now
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ...leads import agents
from ...models import SearchAgent


class Command(BaseCommand):
    help = "List, export, delete search agents; record bounces; send due mails."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "export", "delete", "bounce", "send"])
        parser.add_argument("--email", help="The subscriber's e-mail address.")
        parser.add_argument("--broker", help="Only this broker's agents (slug), for list.")

    def handle(self, *args, action, email=None, broker=None, **options):
        if action in ("export", "delete", "bounce") and not email:
            raise CommandError(f"{action} needs --email")
        if action == "list":
            found = SearchAgent.objects.select_related("broker").order_by("email")
            if broker:
                found = found.filter(broker__slug=broker)
            for agent in found:
                state = "confirmed" if agent.confirmed else "unconfirmed"
                if not agent.active:
                    state += ", stopped"
                self.stdout.write(
                    f"{agent.email}\t{agent.broker.slug if agent.broker else '-'}\t{state}\t"
                    f"{agents.filters_query(agent.filters or {})}"
                )
        elif action == "export":
            rows = SearchAgent.objects.filter(email__iexact=email).prefetch_related("matches")
            data = [
                {
                    "email": a.email,
                    "language": a.language,
                    "page": a.index_page_id,
                    "broker": a.broker.slug if a.broker else None,
                    "filters": a.filters,
                    "created_at": a.created_at.isoformat(),
                    "consent_ip_hash": a.consent_ip_hash,
                    "confirmed_at": a.confirmed_at.isoformat() if a.confirmed_at else None,
                    "last_sent_at": a.last_sent_at.isoformat() if a.last_sent_at else None,
                    "bounces": a.bounces,
                    "active": a.active,
                    "listings_mailed": [m.listing_id for m in a.matches.all() if m.sent_at],
                }
                for a in rows
            ]
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        elif action == "delete":
            deleted = SearchAgent.objects.filter(email__iexact=email).count()
            SearchAgent.objects.filter(email__iexact=email).delete()
            self.stdout.write(f"Deleted {deleted} search agent(s) of {email}.")
        elif action == "bounce":
            count = agents.record_bounce(email)
            self.stdout.write(f"Counted a bounce on {count} search agent(s) of {email}.")
        else:
            sent = agents.send_due()
            purged = agents.purge_unconfirmed()
            self.stdout.write(f"Sent {sent} mail(s); deleted {purged} unconfirmed agent(s).")
