"""An enquiry from a listing page, handed to the broker as mail + OpenImmo-Feedback XML, and
confirmed to the enquirer.

Who gets it: the listing's ``kontaktperson/email_feedback`` when the broker's software sent
one (that address exists for exactly this: the software reads Feedback XML arriving there),
else the contact person's e-mail, else the broker's; plus the broker's extra recipient. The
mail carries ``openimmo_feedback.xml`` unless the broker switched it off. ``Reply-To`` is the
enquirer, so answering the mail answers them.

The enquirer gets a confirmation (``CONTACT_CONFIRMATION``) in the page's language: what they
asked about which listing, and who will answer; its ``Reply-To`` is the broker. Nothing of it
is stored.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..conf import get_setting
from ..openimmo import feedback

logger = logging.getLogger(__name__)

FEEDBACK_FILENAME = "openimmo_feedback.xml"


def contact_person(listing) -> str:
    """The listing's contact person as a name ("Frau Erika Muster"), or ""."""
    parts = [listing.kontakt_anrede, listing.kontakt_vorname, listing.kontakt_name]
    return " ".join(part for part in parts if part)


def broker_recipients(listing) -> list[str]:
    """Where the enquiry goes (see the module docstring), without duplicates."""
    broker = listing.broker if listing.broker_id else None
    main = listing.kontakt_email_feedback or listing.kontakt_email or (broker and broker.email)
    found = [main] if main else []
    extra = broker.enquiry_extra_recipient if broker else ""
    if extra and extra.lower() not in {address.lower() for address in found}:
        found.append(extra)
    return found


def feedback_document(listing, data: dict, listing_url: str) -> bytes:
    """The OpenImmo-Feedback XML of one enquiry."""
    broker = listing.broker if listing.broker_id else None
    vorname, nachname = feedback.split_name(data.get("name", ""))
    price = listing.kaufpreis if listing.is_purchase else (
        listing.kaltmiete or listing.warmmiete or listing.nettokaltmiete
    )
    if price is None:
        price = listing.preis
    place = " ".join(part for part in (listing.plz, listing.ort) if part)
    return feedback.build_feedback(
        feedback.Sender(
            name=_site_name(),
            openimmo_anid=(broker.openimmo_anid if broker else "") or "",
            makler_id=(broker.anbieternr if broker else "") or "",
            datum=timezone.localdate(),
        ),
        feedback.Objekt(
            oobj_id=listing.objektnr_extern or listing.objektnr_intern or "",
            anbieter_id=(broker.anbieternr if broker else "") or "",
            expose_url=listing_url,
            vermarktungsart=listing.vermarktungsart or "",
            bezeichnung=listing.title,
            strasse=" ".join(p for p in (listing.strasse, listing.hausnummer) if p)
            if listing.objektadresse_freigeben is not False
            else "",
            ort=place,
            preis=f"{price:.2f}" if price is not None else "",
            wae=listing.waehrung or ("EUR" if price is not None else ""),
            anzahl_zimmer=f"{listing.anzahl_zimmer.normalize():f}"
            if listing.anzahl_zimmer is not None
            else "",
            flaeche=f"{listing.flaeche.normalize():f}" if listing.flaeche is not None else "",
        ),
        feedback.Interessent(
            vorname=vorname,
            nachname=nachname,
            email=data.get("email", ""),
            tel=data.get("phone", ""),
            anfrage=data.get("message", ""),
            wunsch=["DETAIL"],
            bevorzugt=["TEL", "EMAIL"] if data.get("phone") else ["EMAIL"],
        ),
    )


def _site_name() -> str:
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).only("site_name", "hostname").first()
    if site is None:
        return "wagtail-openimmo"
    return site.site_name or site.hostname


def _checked_feedback(listing, data: dict, listing_url: str) -> bytes | None:
    """The Feedback XML, or None when it breaks our rules or the operator's XSD (logged:
    the enquiry still goes out, without the attachment)."""
    document = feedback_document(listing, data, listing_url)
    problems = feedback.structure_errors(document)
    xsd = get_setting("FEEDBACK_XSD_PATH")
    if not problems and xsd:
        try:
            problems = feedback.validate_xsd(document, xsd)
        except (OSError, ValueError) as exc:  # lxml's errors are ValueErrors
            problems = [f"the Feedback XSD {xsd} could not be used: {exc}"]
    if problems:
        logger.error("OpenImmo-Feedback for listing %s left off the enquiry: %s",
                     listing.pk, "; ".join(problems))  # fmt: skip
        return None
    return document


def send_enquiry(listing, data: dict, request) -> None:
    """E-mail the enquiry to the broker, in the broker's language, with the Feedback XML."""
    broker = listing.broker
    listing_url = listing.get_full_url(request)
    context = {
        "listing": listing,
        "listing_url": listing_url,
        "broker": broker,
        "name": data["name"],
        "email": data["email"],
        "phone": data.get("phone", ""),
        "message": data["message"],
    }
    with translation.override(broker.language or settings.LANGUAGE_CODE):
        subject = render_to_string("wagtail_openimmo/email/contact_subject.txt", context)
        body = render_to_string("wagtail_openimmo/email/contact_body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=get_setting("CONTACT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
        to=broker_recipients(listing),
        reply_to=[data["email"]],
    )
    if broker.enquiry_feedback_xml:
        document = _checked_feedback(listing, data, listing_url)
        if document is not None:
            message.attach(FEEDBACK_FILENAME, document, "application/xml")
    message.send()
    logger.info("Enquiry about listing %s sent to the broker %s", listing.pk, broker.slug)
    if get_setting("CONTACT_CONFIRMATION"):
        send_confirmation(listing, data, listing_url)


def send_confirmation(listing, data: dict, listing_url: str) -> None:
    """Tell the enquirer what was sent and who will answer (in the active language: the
    page's). A failure here is logged, never shown: the enquiry itself went out."""
    broker = listing.broker
    context = {
        "listing": listing,
        "listing_url": listing_url,
        "broker": broker,
        "contact_person": contact_person(listing),
        "company": listing.kontakt_firma or broker.name,
        "phone": listing.kontakt_telefon,
        "name": data["name"],
        "message": data["message"],
    }
    subject = render_to_string("wagtail_openimmo/email/contact_confirmation_subject.txt", context)
    body = render_to_string("wagtail_openimmo/email/contact_confirmation.txt", context)
    reply_to = [a for a in (listing.kontakt_email or broker.email,) if a]
    try:
        EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            from_email=get_setting("CONTACT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
            to=[data["email"]],
            reply_to=reply_to,
        ).send()
    except Exception:  # the enquiry reached the broker; this is a courtesy
        logger.exception("Confirmation of an enquiry about listing %s not sent", listing.pk)
