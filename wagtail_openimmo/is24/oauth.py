"""IS24's three-legged OAuth 1.0a flow, with requests-oauthlib as IS24's documentation shows.

1. ``start_authorisation``: ask IS24 for a request token (with our callback URL), remember
   it on the connection, and send the broker to IS24's ``confirm_access`` page;
2. the broker agrees at IS24, which redirects to the callback with ``oauth_verifier``;
3. ``finish_authorisation``: exchange request token + verifier for the access token, which
   is stored and never shown again. IS24 access tokens do not expire until revoked.
"""

from __future__ import annotations

import datetime as dt
import logging

import requests
from django.utils import timezone
from django.utils.translation import gettext as _
from oauthlib.common import urldecode
from requests_oauthlib import OAuth1Session
from requests_oauthlib.oauth1_session import TokenMissing, TokenRequestDenied

from .. import conf
from .client import oauth_url, silence_oauth_debug_logs
from .models import IS24Connection

logger = logging.getLogger(__name__)

REQUEST_TOKEN_LIFETIME = dt.timedelta(minutes=30)  # what IS24 grants a request token


class AuthorisationError(Exception):
    """The OAuth flow failed; the message is meant for the admin user."""


def _timeout() -> float:
    return float(conf.get_setting("IS24_TIMEOUT"))


def start_authorisation(connection: IS24Connection, callback_url: str, user=None) -> str:
    """Get a request token for ``connection``; the URL to send the broker's browser to."""
    silence_oauth_debug_logs()
    key, secret = connection.consumer_credentials()
    if not (key and secret):
        raise AuthorisationError(
            _(
                "There is no IS24 consumer key and secret: enter them on the connection or set "
                "IS24_CONSUMER_KEY and IS24_CONSUMER_SECRET."
            )
        )
    session = OAuth1Session(key, client_secret=secret, callback_uri=callback_url)
    try:
        token = session.fetch_request_token(
            oauth_url("request_token", connection), timeout=_timeout()
        )
    except (TokenRequestDenied, TokenMissing, ValueError, requests.RequestException) as exc:
        logger.warning(
            "IS24 refused a request token for broker %s: %s",
            connection.broker_id,
            exc.__class__.__name__,
        )
        raise AuthorisationError(
            _(
                "IS24 did not hand out a request token. Check the consumer key and secret and "
                "whether the account is on the sandbox or the live system."
            )
        ) from exc
    finally:
        session.close()
    connection.pending_request_token = token["oauth_token"]
    connection.pending_request_token_secret = token["oauth_token_secret"]
    connection.pending_request_at = timezone.now()
    connection.pending_user = user if getattr(user, "pk", None) else None
    connection.save(
        update_fields=[
            "pending_request_token",
            "pending_request_token_secret",
            "pending_request_at",
            "pending_user",
        ]
    )
    return session.authorization_url(oauth_url("confirm_access", connection))


def pending_connection(request_token: str) -> IS24Connection | None:
    """The connection waiting for this request token, if it is still fresh."""
    if not request_token:
        return None
    return (
        IS24Connection.objects.filter(
            pending_request_token=request_token,
            pending_request_at__gte=timezone.now() - REQUEST_TOKEN_LIFETIME,
        )
        .select_related("broker")
        .first()
    )


def finish_authorisation(connection: IS24Connection, verifier: str) -> IS24Connection:
    """Exchange the pending request token and ``verifier`` for the access token."""
    silence_oauth_debug_logs()
    key, secret = connection.consumer_credentials()
    session = OAuth1Session(
        key,
        client_secret=secret,
        resource_owner_key=connection.pending_request_token,
        resource_owner_secret=connection.pending_request_token_secret,
        verifier=verifier,
    )
    try:
        response = session.post(oauth_url("access_token", connection), timeout=_timeout())
    except requests.RequestException as exc:
        raise AuthorisationError(_("IS24 could not be reached; try again.")) from exc
    finally:
        session.close()
    try:
        token = dict(urldecode(response.text)) if response.ok else {}
    except ValueError:
        token = {}
    if not (token.get("oauth_token") and token.get("oauth_token_secret")):
        logger.warning(
            "IS24 refused the access token for broker %s (HTTP %s)",
            connection.broker_id,
            response.status_code,
        )
        raise AuthorisationError(
            _(
                "IS24 did not hand out the access token (HTTP {status}). Start the "
                "authorisation again."
            ).format(status=response.status_code)
        )
    connection.store_access_token(token["oauth_token"], token["oauth_token_secret"])
    connection.save()
    logger.info("IS24 account of broker %s authorised", connection.broker_id)
    return connection
