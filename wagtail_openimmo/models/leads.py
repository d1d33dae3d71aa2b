"""Search agents (Suchaufträge): a visitor's saved filters and the listings mailed to them.

What is stored, and why (see docs/leads.md, "Privacy"): the e-mail address (to send to), the
filters (to match), the language (to write in), when consent was given and a keyed hash of
the IP address it was given from (proof of the double opt-in without keeping the address),
when the agent was confirmed and last mailed, and which listings it was told about (so that
it is told once). Unconfirmed agents are deleted after ``SEARCH_AGENT_UNCONFIRMED_HOURS``;
unsubscribing deletes the agent and everything about it.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SearchAgent(models.Model):
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=10, default="de")
    index_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("listing page"), on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The listing index (or portal search) the agent was saved on: it matches "
                    "the listings found there."),
    )
    broker = models.ForeignKey(
        "wagtail_openimmo.Broker", verbose_name=_("broker"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="search_agents",
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    consent_ip_hash = models.CharField(_("consent IP (hashed)"), max_length=64, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last mailed at"), null=True, blank=True)
    bounces = models.PositiveSmallIntegerField(_("bounces"), default=0)
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Off when mails to the address bounced too often."),
    )

    class Meta:
        verbose_name = _("search agent")
        verbose_name_plural = _("search agents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["confirmed_at", "active"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.index_page_id})"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class SearchAgentMatch(models.Model):
    """A listing an agent is (to be) told about: ``sent_at`` empty until it was mailed."""

    agent = models.ForeignKey(SearchAgent, on_delete=models.CASCADE, related_name="matches")
    listing = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    matched_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("search agent match")
        verbose_name_plural = _("search agent matches")
        constraints = [
            models.UniqueConstraint(fields=["agent", "listing"], name="openimmo_agent_listing")
        ]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"{self.agent_id} → {self.listing_id}"
