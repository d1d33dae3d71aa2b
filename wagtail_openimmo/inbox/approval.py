"""Whether a broker's uploads may be imported, and telling the broker when they may not.

Approval is the operator's manual flag ``Broker.import_approved`` or a pluggable policy: the
setting ``APPROVAL_POLICY`` names a callable (e.g. one that checks whether the broker has
booked a listing package on a portal) that gets the broker and returns ``True``/``False`` or
``(approved, reason)``. Files of unapproved brokers are neither imported nor deleted; they
wait in the inbox, and the broker is told once that the account awaits approval.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ..conf import get_setting
from ..models import Broker

logger = logging.getLogger("wagtail_openimmo.inbox")


def is_import_approved(broker: Broker) -> tuple[bool, str]:
    """``(approved, reason)``: the manual flag, else the ``APPROVAL_POLICY`` callable."""
    if broker.import_approved:
        return True, _("Imports were approved by the operator.")
    dotted = get_setting("APPROVAL_POLICY")
    if not dotted:
        return False, _("The operator has not approved imports for this account yet.")
    try:
        policy = import_string(dotted) if isinstance(dotted, str) else dotted
        answer = policy(broker)
    except Exception:
        # A broken policy must not import anything, and must not stop other brokers' imports.
        logger.exception("Approval policy %s failed for broker %s", dotted, broker.slug)
        return False, _("The approval check failed; the operator has been told.")
    if isinstance(answer, tuple):
        approved, reason = bool(answer[0]), str(answer[1]) if len(answer) > 1 else ""
    else:
        approved, reason = bool(answer), ""
    if not reason:
        reason = (
            _("Imports are approved by the approval policy.")
            if approved
            else _("The approval policy did not approve imports for this account.")
        )
    return approved, reason


def notify_awaiting_approval(
    broker: Broker,
    file_names: Iterable[str],
    *,
    reason: str = "",
    extra_recipients: Iterable[str] = (),
) -> bool:
    """Send the broker ONE e-mail that uploads wait for approval; True if one was sent now.

    ``Broker.approval_requested_at`` remembers that it was sent; it is cleared when the
    broker's imports run again, so a later suspension is announced again.
    """
    if broker.approval_requested_at is not None:
        return False
    recipients = [a for a in dict.fromkeys([broker.email, *extra_recipients]) if a]
    if not recipients:
        logger.warning(
            "Uploads of broker %s wait for approval, but the broker has no e-mail address.",
            broker.slug,
        )
        return False
    with translation.override(broker.language or settings.LANGUAGE_CODE):
        context = {
            "broker": broker,
            "files": sorted(file_names),
            "reason": reason,
            "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        }
        subject = render_to_string(
            "wagtail_openimmo/email/awaiting_approval_subject.txt", context
        ).strip()
        body = render_to_string("wagtail_openimmo/email/awaiting_approval.txt", context)
    try:
        send_mail(
            " ".join(subject.split()),
            body,
            get_setting("REPORT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:
        # The files keep waiting either way; try again on the next run.
        logger.exception("Could not tell broker %s that uploads await approval", broker.slug)
        return False
    Broker.objects.filter(pk=broker.pk).update(approval_requested_at=timezone.now())
    broker.approval_requested_at = timezone.now()
    logger.info("Told broker %s that its uploads await approval.", broker.slug)
    return True


def clear_approval_request(broker: Broker) -> None:
    """Forget that the broker was told to wait (its imports run now)."""
    if broker.approval_requested_at is not None:
        Broker.objects.filter(pk=broker.pk).update(approval_requested_at=None)
        broker.approval_requested_at = None
