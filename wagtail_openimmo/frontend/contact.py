"""The enquiry form on a listing page: it e-mails the broker and stores nothing.

Spam protection without third-party services, in three layers:

* a honeypot field (``website``) hidden from people by CSS and from screen readers by
  ``aria-hidden``; bots that fill it get the success page and no mail is sent;
* a signed token (``ts``: the listing and the time) rendered with the form: forms sent
  within ``CONTACT_MIN_SECONDS`` are refused, as are forged or expired ones
  (``CONTACT_MAX_AGE``), tokens of another listing, and tokens used before (each token
  sends one enquiry: it is remembered in the cache until it expires);
* a rate limit per client IP (``CONTACT_RATE_LIMIT`` per ``CONTACT_RATE_WINDOW`` seconds),
  counted in Django's cache under a keyed hash of the IP — the IP itself is not kept.
  Behind reverse proxies the IP is taken from ``CONTACT_CLIENT_IP_HEADER`` counting
  ``CONTACT_PROXY_COUNT`` addresses from the right (those the proxies added), never the
  left-most one, which the client writes. Both the limit and the used tokens need a cache
  shared by all processes (Redis, Memcached, the database cache), not the per-process
  local-memory cache.

What the visitor writes goes into the e-mail and nowhere else: no database row, no log line
with personal data. The mail goes to the listing's contact person (``kontakt_email``), else
the broker's e-mail, with ``Reply-To`` set to the visitor.
"""

from __future__ import annotations

import logging
import time

from django import forms
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..conf import get_setting

logger = logging.getLogger(__name__)

SIGNING_SALT = "wagtail_openimmo.contact"  # the module's old path; kept so tokens stay valid


class SpamSuspected(Exception):
    """The submission looks automated: answer as if it succeeded, send nothing."""


def new_token(listing_id=None) -> str:
    """A signed "listing:timestamp" for a freshly rendered form."""
    return signing.dumps(f"{listing_id or ''}:{time.time()}", salt=SIGNING_SALT)


def _used_key(token: str) -> str:
    digest = salted_hmac(SIGNING_SALT, token, algorithm="sha256").hexdigest()
    return f"wagtail_openimmo:contact-token:{digest}"


class SpamProtectedForm(forms.Form):
    """A public form with the honeypot and the signed timestamp (see the module docstring).
    The enquiry form and the search-agent form are such forms."""

    # Honeypot: people never see it; see the module docstring.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    ts = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, listing=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.listing_id = getattr(listing, "pk", None)
        if not self.is_bound:
            self.initial["ts"] = new_token(self.listing_id)
        if "email" in self.fields:
            self.fields["email"].widget.attrs["autocomplete"] = "email"
        privacy_url = get_setting("PRIVACY_POLICY_URL")
        if privacy_url and "privacy" in self.fields:
            self.fields["privacy"].help_text = format_html(
                '<a href="{}">{}</a>', privacy_url, _("Privacy policy")
            )

    def clean_ts(self):
        token = self.cleaned_data["ts"]
        try:
            rendered = signing.loads(
                token, salt=SIGNING_SALT, max_age=get_setting("CONTACT_MAX_AGE")
            )
        except signing.SignatureExpired as exc:
            raise self._expired() from exc
        except signing.BadSignature as exc:
            raise SpamSuspected("forged form token") from exc
        if not isinstance(rendered, str) or ":" not in rendered:
            raise self._expired()  # a token of the old form (a timestamp only)
        listing, _sep, stamp = rendered.partition(":")
        if listing != str(self.listing_id or ""):
            raise SpamSuspected("form token of another listing")
        if cache.get(_used_key(token)):
            raise SpamSuspected("form token used before")
        if time.time() - float(stamp) < get_setting("CONTACT_MIN_SECONDS"):
            raise forms.ValidationError(
                _("That was very quick. Please check your entries and send the form again.")
            )
        return token

    def _expired(self) -> forms.ValidationError:
        # Give the visitor a fresh token so that sending again works.
        self.data = self.data.copy()
        self.data[self.add_prefix("ts")] = new_token(self.listing_id)
        return forms.ValidationError(
            _("The form has expired. Please check your entries and send it again.")
        )

    def mark_used(self) -> None:
        """Remember the token until it expires: it has sent its enquiry."""
        cache.set(_used_key(self.cleaned_data["ts"]), 1, get_setting("CONTACT_MAX_AGE"))

    def check_honeypot(self) -> None:
        if self.data.get(self.add_prefix("website")):
            raise SpamSuspected("honeypot filled")

    def is_valid_enquiry(self) -> bool:
        """``is_valid()``, raising ``SpamSuspected`` for bots instead of showing errors."""
        self.check_honeypot()
        return self.is_valid()


class ContactForm(SpamProtectedForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    message = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    privacy = forms.BooleanField(
        label=_(
            "I agree that my details are used to answer my "
            "enquiry and are sent to the broker by e-mail."
        )
    )
    field_order = ["name", "email", "phone", "message", "privacy", "website", "ts"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"


def client_ip(request) -> str:
    """The visitor's address. Behind proxies: from the header they write (e.g.
    X-Forwarded-For: "client, proxy1"), the address ``CONTACT_PROXY_COUNT`` places from the
    right -- what the outermost trusted proxy saw. Addresses left of it are the client's own
    words and are ignored."""
    header = get_setting("CONTACT_CLIENT_IP_HEADER")
    if header and request.META.get(header):
        parts = [p.strip() for p in request.META[header].split(",") if p.strip()]
        proxies = max(1, int(get_setting("CONTACT_PROXY_COUNT") or 1))
        if len(parts) >= proxies:
            return parts[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request) -> bool:
    """Count this submission; True when the client IP is over the limit."""
    digest = salted_hmac(SIGNING_SALT, client_ip(request), algorithm="sha256").hexdigest()
    key = f"wagtail_openimmo:contact:{digest}"
    window = get_setting("CONTACT_RATE_WINDOW")
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > get_setting("CONTACT_RATE_LIMIT")


def recipient(listing) -> str:
    """Who gets enquiries: the listing's contact person, else the broker."""
    return listing.kontakt_email or (listing.broker.email if listing.broker_id else "") or ""


def send_enquiry(listing, form: ContactForm, request) -> None:
    """E-mail the enquiry to the broker (with OpenImmo-Feedback) and confirm it to the
    enquirer: see ``leads.enquiry``."""
    from ..leads.enquiry import send_enquiry as send

    send(listing, form.cleaned_data, request)
