"""The "withdraw from contract" function (§ 356a BGB), an opt-in per broker.

Since 19 June 2026 a trader who lets consumers conclude contracts online (for brokers: an
"Exposé anfordern" form with a commission confirmation) must offer a permanently visible
withdrawal function: a button, a form for the declaration, and an immediate confirmation of
receipt, with its date and time, on a durable medium (e-mail). Switched on for a broker
(``Broker.withdrawal_button``), the broker's listing pages show the button, and the
declaration is mailed to the broker and a dated receipt to the consumer. Nothing is stored.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..conf import get_setting

logger = logging.getLogger(__name__)


def broker_for(page):
    """The broker whose listing index ``page`` is, or is below of (or None)."""
    from ..models import Broker, ListingIndexPage

    index = page if isinstance(page, ListingIndexPage) else None
    if index is None:
        index = ListingIndexPage.objects.ancestor_of(page, inclusive=True).last()
    if index is None:
        return None
    return Broker.objects.filter(index_page=index).first()


def enabled_for(page) -> bool:
    broker = broker_for(page)
    return bool(broker and broker.withdrawal_button)


def withdrawal_url(page, request=None) -> str | None:
    """The withdrawal form's address for a listing or index page, when switched on."""
    from ..models import ListingIndexPage

    broker = broker_for(page)
    if not (broker and broker.withdrawal_button):
        return None
    index = page if isinstance(page, ListingIndexPage) else page.get_parent().specific
    return f"{index.get_url(request)}withdrawal/"


def send_withdrawal(index, broker, data: dict, request=None) -> None:
    """Mail the declaration to the broker and a dated receipt to the consumer."""
    received = timezone.localtime()
    context = {
        "broker": broker,
        "received": received,
        "name": data["name"],
        "email": data["email"],
        "contract": data["contract"],
        "concluded_on": data.get("concluded_on"),
        "message": data.get("message", ""),
        "site": index.get_site().site_name if index.get_site() else "",
    }
    from_email = get_setting("CONTACT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL
    broker_address = broker.email if broker else ""
    with translation.override(broker.language if broker else settings.LANGUAGE_CODE):
        subject = render_to_string("wagtail_openimmo/email/withdrawal_subject.txt", context)
        body = render_to_string("wagtail_openimmo/email/withdrawal_broker.txt", context)
    if broker_address:
        EmailMessage(
            subject=" ".join(subject.split()), body=body, from_email=from_email,
            to=[broker_address], reply_to=[data["email"]],
        ).send()
    else:
        logger.error("A withdrawal for broker %s could not be forwarded: no e-mail address",
                     broker.pk if broker else None)  # fmt: skip
    subject = render_to_string("wagtail_openimmo/email/withdrawal_receipt_subject.txt", context)
    body = render_to_string("wagtail_openimmo/email/withdrawal_receipt.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()), body=body, from_email=from_email,
        to=[data["email"]], reply_to=[broker_address] if broker_address else None,
    ).send()
