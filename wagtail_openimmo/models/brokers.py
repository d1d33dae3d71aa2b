"""The broker: whose files are imported, under which page, and whether that is approved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _norm(value: str | None) -> str:
    return (value or "").strip().casefold()


def default_report_language() -> str:
    """A new broker's report language: German on a German site (``LANGUAGE_CODE`` de*),
    English otherwise."""
    code = (getattr(settings, "LANGUAGE_CODE", "") or "").lower()
    return "de" if code.startswith("de") else "en"


class Broker(models.Model):
    """A real-estate broker (``anbieter``) whose OpenImmo files this site imports.

    Files are recognised by ``anbieternr`` (the customer number this site gave the broker)
    or by ``openimmo_anid``. Broker software may send a slightly different ANID from one
    transfer to the next, so every ANID a broker has sent is remembered in ``known_anids``.
    """

    REPORT_LANGUAGES = [("de", _("German")), ("en", _("English"))]

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True,
        help_text=_("Short name used by commands and the FTP inbox folder."),
    )
    email = models.EmailField(
        _("report e-mail"), blank=True,
        help_text=_("Where import reports are sent."),
    )
    language = models.CharField(
        _("report language"), max_length=5, choices=REPORT_LANGUAGES,
        default=default_report_language,
    )
    anbieternr = models.CharField(
        _("anbieternr"), max_length=100, blank=True, null=True, unique=True,
        help_text=_("The customer number this site assigned; brokers send it as "
                    "<anbieternr>."),
    )
    openimmo_anid = models.CharField(
        _("OpenImmo ANID"), max_length=100, blank=True,
        help_text=_("The broker's OpenImmo provider ID (<openimmo_anid>)."),
    )
    known_anids = models.JSONField(
        _("known ANIDs"), default=list, blank=True,
        help_text=_("Other ANIDs this broker's files have carried."),
    )
    index_page = models.ForeignKey(
        "wagtail_openimmo.ListingIndexPage",
        verbose_name=_("listing index page"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("Imported listings are created below this page."),
    )
    import_approved = models.BooleanField(
        _("import approved"), default=False,
        help_text=_("Only files of approved brokers are imported; others wait in the inbox."),
    )
    live_listing_quota = models.PositiveIntegerField(
        _("live listing quota"), null=True, blank=True,
        help_text=_("Most live listings this broker may have; empty for no limit."),
    )
    approval_requested_at = models.DateTimeField(
        _("approval requested at"), null=True, blank=True, editable=False,
        help_text=_("When the broker was told that the account awaits approval."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )

    class Meta:
        verbose_name = _("broker")
        verbose_name_plural = _("brokers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def all_anids(self) -> set[str]:
        return {a for a in (_norm(x) for x in [self.openimmo_anid, *self.known_anids]) if a}

    def matches_anbieter(self, anbieternr: str | None, anid: str | None) -> bool:
        """Whether an ``<anbieter>`` with these identifiers is this broker."""
        if anbieternr and self.anbieternr and _norm(anbieternr) == _norm(self.anbieternr):
            return True
        return bool(anid) and _norm(anid) in self.all_anids()

    def remember_anid(self, anid: str | None) -> bool:
        """Add an ANID this broker sent to ``known_anids``; True if it was new."""
        if not anid or _norm(anid) in self.all_anids():
            return False
        self.known_anids = [*self.known_anids, anid.strip()]
        return True
