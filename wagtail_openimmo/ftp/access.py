"""What a broker types into its software to upload here, and sending it to the broker.

``access_for(broker)`` collects host, port, protocol, user and folder; ``send_access``
gives the broker's FTP account a new password (creating the account if it has none),
e-mails the data in the broker's language and returns the password once: only its hash is
stored, so it cannot be shown again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from ..conf import get_setting
from ..models import Broker, FTPAccount, FTPSettings
from ..models.ftp import generate_password

logger = logging.getLogger("wagtail_openimmo.ftp")

# Addresses a server listens on that no broker can connect to from outside.
_UNROUTABLE = {"", "0.0.0.0", "::", "127.0.0.1", "::1", "localhost"}  # noqa: S104


def public_host() -> str:
    """The host name brokers connect to: ``FTP_PUBLIC_HOST``, else the masquerade address,
    else ``FTP_HOST`` when it is a real address, else the admin's own host name."""
    for value in (
        get_setting("FTP_PUBLIC_HOST"),
        get_setting("FTP_MASQUERADE_ADDRESS"),
        get_setting("FTP_HOST"),
    ):
        if value and str(value) not in _UNROUTABLE:
            return str(value)
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return urlsplit(base).hostname or str(get_setting("FTP_HOST"))


@dataclass
class FTPAccess:
    host: str
    port: int
    tls: bool  # explicit FTPS (AUTH TLS) offered
    tls_required: bool
    accounts: list[FTPAccount] = field(default_factory=list)
    shared: bool = False

    @property
    def account(self) -> FTPAccount | None:
        """The account whose data are sent: the broker's own, else a shared one."""
        return self.accounts[0] if self.accounts else None


def accounts_of(broker: Broker) -> list[FTPAccount]:
    own = list(FTPAccount.objects.filter(brokers=broker).order_by("username"))
    if own:
        return own
    if FTPSettings.objects.filter(mode=FTPSettings.MODE_SHARED).exists():
        return list(FTPAccount.objects.filter(brokers=None).order_by("username"))
    return []


def access_for(broker: Broker) -> FTPAccess:
    accounts = accounts_of(broker)
    return FTPAccess(
        host=public_host(),
        port=int(get_setting("FTP_PORT")),
        tls=bool(get_setting("FTP_TLS_CERTFILE")),
        tls_required=bool(get_setting("FTP_TLS_CERTFILE") and get_setting("FTP_TLS_REQUIRED")),
        accounts=accounts,
        shared=bool(accounts) and not accounts[0].brokers.exists(),
    )


def _free_username(broker: Broker) -> str:
    base = broker.slug[:140] or "broker"
    name, n = base, 2
    while (
        FTPAccount.objects.filter(username=name).exists()
        or FTPAccount.objects.filter(folder=name).exists()
    ):
        name, n = f"{base}-{n}", n + 1
    return name


class AccessNotSent(Exception):
    pass


@transaction.atomic
def send_access(broker: Broker, *, sender=None) -> tuple[FTPAccount, str]:
    """Give the broker's account a new password, mail the access data; (account, password).

    A shared account is not changed (its password belongs to every broker using it): use
    the FTP account's own page for it.
    """
    if not broker.email:
        raise AccessNotSent("no e-mail")
    access = access_for(broker)
    if access.shared:
        raise AccessNotSent("shared")
    account = access.account
    if account is None:
        account = FTPAccount(username=_free_username(broker))
        account.save()
        account.brokers.set([broker])
    password = generate_password()
    account.set_password(password)
    account.is_active = True
    account.save(update_fields=["password", "is_active"])
    language = broker.language or settings.LANGUAGE_CODE
    context = {
        "broker": broker,
        "access": access,
        "account": account,
        "password": password,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
    }
    with translation.override(language):
        subject = render_to_string("wagtail_openimmo/email/ftp_access_subject.txt", context)
        body = render_to_string("wagtail_openimmo/email/ftp_access.txt", context)
    EmailMessage(
        " ".join(subject.split()),
        body,
        get_setting("REPORT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
        [broker.email],
    ).send()
    logger.info(
        "FTP access data of %s sent to %s by %s", account.username, broker.email, sender or "?"
    )
    return account, password
