"""What the IS24 sync remembers: a broker's connection and the state of each listing on IS24.

The state rows are what make the sync a diff instead of a "Vollabgleich": they hold the IS24
id of every listing (written as soon as IS24 answers the POST), the hash of the last payload
sent, whether it is published, and the checksum and IS24 id of every uploaded image.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import conf
from ..listing_relations import ListingOneToOneField

# IS24's real-estate types in words, for the admin and for messages that name a type.
REALESTATE_TYPE_LABELS = {
    "apartmentRent": _("flat for rent"),
    "apartmentBuy": _("flat for sale"),
    "houseRent": _("house for rent"),
    "houseBuy": _("house for sale"),
    "livingBuySite": _("building plot for sale"),
    "livingRentSite": _("building plot for lease"),
    "tradeSite": _("commercial plot"),
    "office": _("office or practice"),
    "store": _("retail"),
    "gastronomy": _("gastronomy or hotel"),
    "industry": _("hall, storage or production"),
    "specialPurpose": _("special purpose property"),
    "investment": _("investment property"),
    "garageRent": _("garage or parking space for rent"),
    "garageBuy": _("garage or parking space for sale"),
    "shortTermAccommodation": _("short-term accommodation"),
    "flatShareRoom": _("room in a shared flat"),
}


def realestate_type_label(kind: str) -> str:
    """``"retail (store)"``: IS24's type in the active language, with IS24's own name."""
    label = REALESTATE_TYPE_LABELS.get(kind)
    return f"{label} ({kind})" if label else kind


EXPOSE_URLS = {
    True: "https://www.sandbox-immobilienscout24.de/expose/{id}",
    False: "https://www.immobilienscout24.de/expose/{id}",
}


class IS24Connection(models.Model):
    """One broker's ImmobilienScout24 account: OAuth 1.0a credentials and sync status.

    The consumer key and secret identify this site to IS24 (from the settings
    ``IS24_CONSUMER_KEY``/``IS24_CONSUMER_SECRET`` unless the connection has its own); the
    access token and its secret, obtained by the admin's three-legged OAuth flow or given
    to ``is24_connect``, identify the broker's IS24 user. IS24 access tokens do not expire;
    a 401 answer means the broker revoked it, and the connection then needs re-authorisation.
    """

    broker = models.OneToOneField(
        "wagtail_openimmo.Broker",
        verbose_name=_("broker"),
        on_delete=models.CASCADE,
        related_name="is24_connection",
    )
    sandbox = models.BooleanField(
        _("sandbox"),
        default=True,
        help_text=_("The account is on IS24's sandbox (test system), not on the live site."),
    )
    active = models.BooleanField(
        _("sync active"),
        default=True,
        help_text=_("Listings of this broker are synced to IS24."),
    )
    consumer_key = models.CharField(
        _("consumer key"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to use the site's consumer key from the settings."),
    )
    consumer_secret = models.CharField(
        _("consumer secret"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to keep the stored secret (or to use the settings)."),
    )
    access_token = models.CharField(_("access token"), max_length=255, blank=True, editable=False)
    access_token_secret = models.CharField(
        _("access token secret"), max_length=255, blank=True, editable=False
    )
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True, editable=False)
    needs_reauth = models.BooleanField(
        _("needs re-authorisation"),
        default=False,
        editable=False,
        help_text=_("IS24 refused the access token; authorise the account again."),
    )
    # The request token of a running three-legged OAuth flow (IS24 lets it live 30 minutes).
    pending_request_token = models.CharField(
        max_length=255, blank=True, editable=False, db_index=True
    )
    pending_request_token_secret = models.CharField(max_length=255, blank=True, editable=False)
    pending_request_at = models.DateTimeField(null=True, blank=True, editable=False)
    pending_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    adopted_at = models.DateTimeField(
        _("existing IS24 listings adopted at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the first sync matched the listings already on IS24 by external id."),
    )
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True, editable=False)
    # A lease, so that two syncs of one account (the schedule and a command, say) never run
    # at once and create the same listing twice.
    sync_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("IS24 connection")
        verbose_name_plural = _("IS24 connections")
        ordering = ["broker__name"]

    def __str__(self) -> str:
        return str(self.broker)

    def __repr__(self) -> str:  # never the secrets
        return f"<IS24Connection {self.pk} broker={self.broker_id}>"

    def consumer_credentials(self) -> tuple[str, str]:
        """(key, secret): the connection's own pair, else the site's from the settings."""
        if self.consumer_key and self.consumer_secret:
            return self.consumer_key, self.consumer_secret
        return (
            conf.get_setting("IS24_CONSUMER_KEY") or "",
            conf.get_setting("IS24_CONSUMER_SECRET") or "",
        )

    @property
    def is_authorised(self) -> bool:
        return bool(self.access_token and self.access_token_secret) and not self.needs_reauth

    def status_label(self) -> str:
        if not self.access_token:
            return str(_("not connected"))
        if self.needs_reauth:
            return str(_("needs re-authorisation"))
        if not self.active:
            return str(_("paused"))
        return str(_("connected"))

    status_label.short_description = _("status")

    def expose_url(self, is24_id: str | None) -> str:
        """The public page of a published IS24 listing."""
        return EXPOSE_URLS[self.sandbox].format(id=is24_id) if is24_id else ""

    def store_access_token(self, token: str, secret: str) -> None:
        self.access_token = token
        self.access_token_secret = secret
        self.needs_reauth = False
        self.authorised_at = timezone.now()
        self.pending_request_token = ""
        self.pending_request_token_secret = ""
        self.pending_request_at = None
        self.pending_user = None
        self.last_error = ""


class IS24ListingState(models.Model):
    """Where one listing stands on IS24, as far as this site has told IS24.

    ``payload_hash`` is the hash of the last real-estate payload sent (or that IS24 refused
    as invalid), so an unchanged listing costs no request at all. ``create_started_at`` is
    set (and committed) before the POST that creates the IS24 object: if the process dies
    before the answer's id is stored, the next sync looks the object up by external id
    instead of creating a duplicate.
    """

    listing = ListingOneToOneField(
        verbose_name=_("listing"),
        null=True,
        blank=True,
        # Deleting the page must not lose the IS24 id: the next sync deactivates the object.
        on_delete=models.SET_NULL,
        related_name="is24_state",
    )
    connection = models.ForeignKey(
        IS24Connection,
        verbose_name=_("IS24 connection"),
        on_delete=models.CASCADE,
        related_name="listing_states",
    )
    external_id = models.CharField(
        _("external id"), max_length=255, blank=True, help_text=_("The listing's objektnr_extern.")
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    is24_id = models.CharField(_("IS24 id"), max_length=32, blank=True, db_index=True)
    realestate_type = models.CharField(_("IS24 type"), max_length=40, blank=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    attachments_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Hash of the image list last synced completely; equal means no image work.",
    )
    published = models.BooleanField(_("published on IS24"), default=False)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    create_started_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_code = models.CharField(_("error code"), max_length=80, blank=True)
    # Our own errors as {"template": English text, "params": {...}} so that reports can show
    # them in the broker's language; IS24's messages are kept as IS24 sent them.
    last_error_detail = models.JSONField(default=dict, blank=True)
    notice = models.TextField(
        _("notice"),
        blank=True,
        help_text=_(
            "Something the broker should know, e.g. that the listing became a new IS24 object."
        ),
    )
    notice_detail = models.JSONField(default=dict, blank=True)
    notice_at = models.DateTimeField(null=True, blank=True)
    replaced_is24_ids = models.JSONField(
        _("replaced IS24 ids"),
        default=list,
        blank=True,
        help_text=_("Former IS24 objects of this listing (deactivated when its type changed)."),
    )

    class Meta:
        verbose_name = _("IS24 listing state")
        verbose_name_plural = _("IS24 listing states")
        ordering = ["connection", "external_id"]
        indexes = [models.Index(fields=["connection", "external_id"], name="is24_state_extern")]

    def __str__(self) -> str:
        return f"{self.external_id or self.title} ({self.status_label()})"

    def status_label(self) -> str:
        if self.last_error:
            return str(_("error"))
        if not self.is24_id:
            return str(_("not on IS24"))
        if self.published:
            return str(_("published"))
        return str(_("deactivated"))

    status_label.short_description = _("IS24 status")

    def expose_url(self) -> str:
        return self.connection.expose_url(self.is24_id) if self.published else ""

    def type_label(self) -> str:
        return realestate_type_label(self.realestate_type) if self.realestate_type else ""

    type_label.short_description = _("IS24 type")

    def set_error(self, message: str, code: str, detail: dict | None = None) -> None:
        self.last_error = message
        self.last_error_code = code
        self.last_error_detail = detail or {}

    def clear_error(self) -> None:
        self.last_error = ""
        self.last_error_code = ""
        self.last_error_detail = {}

    def error_message(self) -> str:
        """The last error in the active language (IS24's own messages as IS24 sent them)."""
        return render_message(self.last_error_detail, self.last_error)

    def notice_message(self) -> str:
        return render_message(self.notice_detail, self.notice)


def render_message(detail: dict | None, fallback: str) -> str:
    """A stored ``{"template", "params"}`` message in the active language."""
    from django.utils.translation import gettext

    detail = detail or {}
    if detail.get("items"):
        return "; ".join(render_message(item, "") for item in detail["items"]) or fallback
    if not detail.get("template"):
        return fallback
    # Field labels and IS24 types are translatable themselves; other parameters are data.
    params = {
        key: gettext(value)
        if key == "label"
        else (realestate_type_label(value) if key == "type" else value)
        for key, value in (detail.get("params") or {}).items()
    }
    try:
        return gettext(detail["template"]).format(**params)
    except (KeyError, IndexError, ValueError):  # a broken translation must not crash
        return fallback


class IS24AttachmentState(models.Model):
    """One picture or PDF of a listing as uploaded to IS24.

    ``checksum`` is what was sent as IS24's ``externalCheckSum`` (the file's SHA-256): an
    image whose checksum is already on IS24 is never uploaded again.
    """

    state = models.ForeignKey(
        IS24ListingState, on_delete=models.CASCADE, related_name="attachments"
    )
    attachment = models.ForeignKey(
        "wagtail_openimmo.ListingAttachment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    external_id = models.CharField(max_length=50, blank=True)
    checksum = models.CharField(max_length=255, blank=True)
    is24_attachment_id = models.CharField(max_length=32)
    position = models.PositiveIntegerField(default=0)
    is_title = models.BooleanField(default=False)
    metadata_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("IS24 attachment state")
        verbose_name_plural = _("IS24 attachment states")
        ordering = ["state", "position"]

    def __str__(self) -> str:
        return f"{self.external_id} → {self.is24_attachment_id}"


class IS24Contact(models.Model):
    """A contact person of the broker as an IS24 realtor contact (``/user/me/contact``).

    One row per person and account: created on IS24 once, with an external id made from
    the broker and the person's identity (see ``mapping.contact_of``), updated with a PUT
    only when the person's details change (``payload_hash``), and named by every real
    estate of that person. ``create_started_at`` makes a crashed create look the contact
    up by external id instead of creating it twice, as for listings.
    """

    connection = models.ForeignKey(
        IS24Connection,
        verbose_name=_("IS24 connection"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    external_id = models.CharField(_("external id"), max_length=100)
    is24_id = models.CharField(_("IS24 id"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    email = models.CharField(_("e-mail"), max_length=300, blank=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    create_started_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)

    class Meta:
        verbose_name = _("IS24 contact")
        verbose_name_plural = _("IS24 contacts")
        ordering = ["connection", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "external_id"], name="is24_contact_unique_extern"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or self.external_id} → {self.is24_id or '-'}"
