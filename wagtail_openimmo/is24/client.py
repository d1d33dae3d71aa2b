"""A small client for IS24's offer API (Import/Export), signed with OAuth 1.0a.

Only what the sync needs, with IS24's rules built in:

- **Retries.** HTTP 429 (honouring ``Retry-After``), 5xx and connection errors are retried
  with bounded exponential backoff (``IS24_MAX_RETRIES``, ``IS24_BACKOFF_SECONDS``,
  ``IS24_MAX_BACKOFF_SECONDS``). A POST that creates something is *not* idempotent: after a
  timeout or 5xx it may have been carried out, so the client raises ``IS24OutcomeUnknown``
  and the caller looks the object up before trying again. (A 429 is a refusal, so even a
  POST is simply retried after it.)
- **401** raises ``IS24AuthError``: the access token was revoked; the connection needs
  re-authorisation.
- **Errors** carry IS24's ``messageCode`` (``common.messages``) and the
  ``L-IS24-RequestRefnum`` header that IS24 support asks for.
- **Throttle.** Every request (each retry too) first takes a slot from a token bucket
  shared by all workers (``throttle.py``), so the site stays under IS24's 2,000 requests
  a minute per consumer key instead of only reacting to 429.
- **Logging** names method, path, status and refnum, never a header, token or secret.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from requests_oauthlib import OAuth1Session

from .. import conf
from .throttle import Throttle

logger = logging.getLogger(__name__)

API_PATH = "/restapi/api/offer/v1.0"
OAUTH_PATH = "/restapi/security/oauth"
RETRY_STATUSES = {429, 500, 502, 503, 504}
VALIDATION_STATUSES = {400, 412, 422}


# requests-oauthlib and oauthlib log signed headers, signature base strings and even the
# obtained token secret at DEBUG level. Those records never leave these loggers.
OAUTH_LOGGERS = (
    "requests_oauthlib.oauth1_auth",
    "requests_oauthlib.oauth1_session",
    "oauthlib.oauth1.rfc5849",
)


class _DropDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_drop_debug = _DropDebug()


def silence_oauth_debug_logs() -> None:
    """Keep tokens, secrets and Authorization headers out of the logs (idempotent)."""
    for name in OAUTH_LOGGERS:
        log = logging.getLogger(name)
        if _drop_debug not in log.filters:
            log.addFilter(_drop_debug)


# IS24's two systems; each has its own consumer keys, accounts and tokens.
SANDBOX_HOST = "https://rest.sandbox-immobilienscout24.de"
LIVE_HOST = "https://rest.immobilienscout24.de"


def api_host(connection=None) -> str:
    """The host a connection's requests go to, without a trailing slash.

    ``IS24_API_BASE_URL`` when it is set (tests, staging, a proxy: every connection goes
    there); otherwise the system the connection is on — IS24's sandbox or the live one —
    since a token of one is refused by the other.
    """
    configured = conf.get_setting("IS24_API_BASE_URL")
    if configured:
        return configured.rstrip("/")
    return SANDBOX_HOST if connection is None or connection.sandbox else LIVE_HOST


def api_root(connection=None) -> str:
    """The offer API's root for ``connection`` (see ``api_host``)."""
    return api_host(connection) + API_PATH


def oauth_url(step: str, connection=None) -> str:
    """URL of an OAuth step: ``request_token``, ``confirm_access`` or ``access_token``."""
    return api_host(connection) + f"{OAUTH_PATH}/{step}"


class IS24Error(Exception):
    """IS24 refused a request. ``code`` is IS24's messageCode when it sent one."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", refnum: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code or (f"HTTP_{status}" if status else "IS24_ERROR")
        self.refnum = refnum


class IS24AuthError(IS24Error):
    """401: the token is not (or no longer) accepted; the broker must authorise again."""


class IS24NotFound(IS24Error):
    pass


class IS24Conflict(IS24Error):
    """409: already there (a published object, a duplicate external id)."""


class IS24ValidationError(IS24Error):
    """IS24 refused the content (``ERROR_RESOURCE_VALIDATION`` and the like)."""


class IS24Unavailable(IS24Error):
    """Rate limit, server errors or the network outlasted every retry."""


class IS24OutcomeUnknown(IS24Unavailable):
    """A POST timed out or got a 5xx: IS24 may or may not have carried it out."""


@dataclass
class Response:
    status: int
    data: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def created_id(self) -> str | None:
        """The id of a created resource: from ``Location``, else from the message."""
        location = self.headers.get("Location") or self.headers.get("location")
        if location:
            return location.rstrip("/").rsplit("/", 1)[-1]
        for code, _message, ident in parse_messages(self.data):
            if code == "MESSAGE_RESOURCE_CREATED" and ident:
                return ident
        return None


def as_list(value) -> list:
    """IS24's JSON renders a one-element list as the element itself; this undoes that."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_messages(data) -> list[tuple[str, str, str | None]]:
    """``(messageCode, message, id)`` of each ``common.messages`` entry in a JSON body."""
    if not isinstance(data, dict):
        return []
    out = []
    for item in as_list(data.get("common.messages")):
        for message in as_list(item.get("message") if isinstance(item, dict) else None):
            if isinstance(message, dict):
                out.append(
                    (
                        str(message.get("messageCode", "")),
                        str(message.get("message", "")),
                        message.get("id"),
                    )
                )
    return out


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class Stats:
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    writes: int = 0
    log: list[tuple[str, str, int | None]] = field(default_factory=list)


class IS24Client:
    """The offer API for one ``IS24Connection`` (``user/me`` is the connection's IS24 user).

    ``sleep`` is the function waited with between retries (tests pass one that records).
    """

    def __init__(
        self,
        connection,
        *,
        sleep: Callable[[float], None] = time.sleep,
        throttle: Throttle | None = None,
    ):
        silence_oauth_debug_logs()
        key, secret = connection.consumer_credentials()
        self.throttle = throttle if throttle is not None else Throttle(key)
        self.session = OAuth1Session(
            key,
            client_secret=secret,
            resource_owner_key=connection.access_token,
            resource_owner_secret=connection.access_token_secret,
        )
        self.session.headers["Accept"] = "application/json"
        self.root = api_root(connection)
        self.sleep = sleep
        self.stats = Stats()
        self.max_retries = int(conf.get_setting("IS24_MAX_RETRIES"))
        self.backoff = float(conf.get_setting("IS24_BACKOFF_SECONDS"))
        self.max_backoff = float(conf.get_setting("IS24_MAX_BACKOFF_SECONDS"))
        self.timeout = float(conf.get_setting("IS24_TIMEOUT"))

    def close(self) -> None:
        self.session.close()

    # --- transport ------------------------------------------------------------------------
    def _wait(self, attempt: int, retry_after: float | None = None) -> None:
        delay = retry_after if retry_after is not None else self.backoff * (2**attempt)
        self.sleep(min(max(delay, 0.0), self.max_backoff))

    def request(
        self,
        method: str,
        path: str,
        *,
        payload: dict | None = None,
        params: dict | None = None,
        files: dict | None = None,
        creates: bool = False,
    ) -> Response:
        """One API call with retries. ``creates``: a POST that must not be repeated blindly."""
        url = self.root + path
        kwargs: dict[str, Any] = {"params": params, "timeout": self.timeout}
        sent = 0
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            kwargs["data"] = body
            kwargs["headers"] = {"Content-Type": "application/json;charset=UTF-8"}
            sent = len(body)
        if files is not None:
            kwargs["files"] = files
            sent = sum(len(part[1]) for part in files.values())
        last_error: IS24Error | None = None
        for attempt in range(self.max_retries + 1):
            self.throttle.acquire()
            self.stats.requests += 1
            self.stats.bytes_sent += sent
            if method != "GET":
                self.stats.writes += 1
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.ConnectTimeout as exc:  # never reached IS24: safe to repeat
                last_error = IS24Unavailable(f"{method} {path}: {exc.__class__.__name__}")
                logger.warning(
                    "IS24 %s %s: could not connect (attempt %s)", method, path, attempt + 1
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                logger.warning(
                    "IS24 %s %s: %s (attempt %s)", method, path, exc.__class__.__name__, attempt + 1
                )
                if creates:
                    raise IS24OutcomeUnknown(
                        f"{method} {path}: no answer ({exc.__class__.__name__})"
                    ) from exc
                last_error = IS24Unavailable(f"{method} {path}: {exc.__class__.__name__}")
            else:
                result = self._handle(method, path, response, creates=creates)
                if result is not None:
                    return result
                last_error = IS24Unavailable(
                    f"{method} {path}: HTTP {response.status_code}",
                    status=response.status_code,
                    refnum=response.headers.get("L-IS24-RequestRefnum"),
                )
                if attempt < self.max_retries:
                    self._wait(attempt, retry_after_seconds(response.headers.get("Retry-After")))
                continue
            if attempt < self.max_retries:
                self._wait(attempt)
        raise last_error or IS24Unavailable(f"{method} {path} failed")

    def _handle(
        self, method: str, path: str, response: requests.Response, *, creates: bool
    ) -> Response | None:
        """The result of a 2xx; None to retry; raises for the rest."""
        status = response.status_code
        refnum = response.headers.get("L-IS24-RequestRefnum")
        self.stats.bytes_received += len(response.content or b"")
        self.stats.log.append((method, path, status))
        logger.info("IS24 %s %s → %s (refnum %s)", method, path, status, refnum or "-")
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = response.text
        if 200 <= status < 300:
            return Response(status, data, dict(response.headers))
        if status == 429:
            return None
        if status in RETRY_STATUSES:
            if creates:
                raise IS24OutcomeUnknown(
                    f"{method} {path}: HTTP {status}", status=status, refnum=refnum
                )
            return None
        messages = parse_messages(data)
        code = messages[0][0] if messages else ""
        text = "; ".join(m for _c, m, _i in messages if m) or (
            data if isinstance(data, str) and data else f"HTTP {status}"
        )
        text = text[:2000]
        if status == 401:
            raise IS24AuthError(text, status=status, code=code, refnum=refnum)
        if status == 404 or code in ("ERROR_RESOURCE_NOT_FOUND", "ERROR_COMMON_RESOURCE_NOT_FOUND"):
            raise IS24NotFound(text, status=status, code=code, refnum=refnum)
        if status == 409:
            raise IS24Conflict(text, status=status, code=code, refnum=refnum)
        if status in VALIDATION_STATUSES or "VALIDATION" in code:
            raise IS24ValidationError(text, status=status, code=code, refnum=refnum)
        raise IS24Error(text, status=status, code=code, refnum=refnum)

    # --- real estates ---------------------------------------------------------------------
    def iter_realestates(self, page_size: int = 100) -> Iterator[dict]:
        """Every real estate of the user: the list elements (``@id``, ``externalId`` …)."""
        page, pages = 1, 1
        while page <= pages:
            data = (
                self.request(
                    "GET", "/user/me/realestate", params={"pagesize": page_size, "pagenumber": page}
                ).data
                or {}
            )
            root = data.get("realestates.realEstates") or {}
            paging = root.get("Paging") or {}
            pages = int(paging.get("numberOfPages") or 1)
            yield from as_list((root.get("realEstateList") or {}).get("realEstateElement"))
            page += 1

    def get_realestate(self, ident: str) -> tuple[str, dict] | None:
        """``(type, body)`` of a real estate by IS24 id or ``ext-{externalId}``; None if none."""
        try:
            data = self.request("GET", f"/user/me/realestate/{quote(str(ident), safe='')}").data
        except IS24NotFound:
            return None
        if not isinstance(data, dict) or not data:
            return None
        root, body = next(iter(data.items()))
        return root.partition(".")[2] or root, body

    def find_by_external_id(self, external_id: str) -> tuple[str, str] | None:
        """``(IS24 id, type)`` of the real estate with this external id, if there is one."""
        found = self.get_realestate(f"ext-{external_id}")
        if not found:
            return None
        kind, body = found
        return str(body.get("@id")), kind

    def create_realestate(self, payload: dict) -> str:
        response = self.request("POST", "/user/me/realestate", payload=payload, creates=True)
        ident = response.created_id
        if not ident:
            raise IS24Error("IS24 created the real estate but sent no id", status=response.status)
        return ident

    def update_realestate(self, is24_id: str, payload: dict) -> None:
        self.request("PUT", f"/user/me/realestate/{is24_id}", payload=payload)

    # --- publications -------------------------------------------------------------------
    def publish(self, is24_id: str, channel_id: int) -> bool:
        """Publish on a channel; False if it was published there already."""
        from .mapping import publish_payload

        try:
            # A repeated POST only meets 409, so this POST may be retried like a PUT.
            self.request("POST", "/publish", payload=publish_payload(is24_id, channel_id))
        except IS24Conflict:
            return False
        return True

    def unpublish(self, is24_id: str, channel_id: int) -> bool:
        """Remove the publication (deactivate); False if there was none."""
        try:
            self.request("DELETE", f"/publish/{is24_id}_{channel_id}")
        except IS24NotFound:
            return False
        return True

    # --- attachments ----------------------------------------------------------------------
    def list_attachments(self, is24_id: str) -> list[dict]:
        data = self.request("GET", f"/user/me/realestate/{is24_id}/attachment").data
        if not isinstance(data, dict):
            return []
        out = []
        for group in as_list(data.get("common.attachments")):
            if isinstance(group, dict):
                out.extend(a for a in as_list(group.get("attachment")) if isinstance(a, dict))
        return out

    def upload_attachment(
        self, is24_id: str, metadata: dict, content: bytes, file_name: str, content_type: str
    ) -> str:
        files = {
            "attachment": (file_name, content, content_type),
            "metadata": ("metadata.json", json.dumps(metadata).encode(), "application/json"),
        }
        response = self.request(
            "POST", f"/user/me/realestate/{is24_id}/attachment", files=files, creates=True
        )
        ident = response.created_id
        if not ident:
            raise IS24Error("IS24 stored the attachment but sent no id", status=response.status)
        return ident

    def update_attachment(self, is24_id: str, attachment_id: str, metadata: dict) -> None:
        self.request(
            "PUT", f"/user/me/realestate/{is24_id}/attachment/{attachment_id}", payload=metadata
        )

    def delete_attachment(self, is24_id: str, attachment_id: str) -> bool:
        try:
            self.request("DELETE", f"/user/me/realestate/{is24_id}/attachment/{attachment_id}")
        except IS24NotFound:
            return False
        return True

    def set_attachments_order(self, is24_id: str, attachment_ids: list[str]) -> None:
        from .mapping import attachments_order_payload

        self.request(
            "PUT",
            f"/user/me/realestate/{is24_id}/attachment/attachmentsorder",
            payload=attachments_order_payload(attachment_ids),
        )

    def create_link(self, is24_id: str, metadata: dict) -> str:
        """A link attachment (``common:Link``): metadata only, no file part."""
        response = self.request(
            "POST", f"/user/me/realestate/{is24_id}/attachment", payload=metadata, creates=True
        )
        ident = response.created_id
        if not ident:
            raise IS24Error("IS24 stored the link but sent no id", status=response.status)
        return ident

    # --- contacts -----------------------------------------------------------------------
    def create_contact(self, payload: dict) -> str:
        response = self.request("POST", "/user/me/contact", payload=payload, creates=True)
        ident = response.created_id
        if not ident:
            raise IS24Error("IS24 created the contact but sent no id", status=response.status)
        return ident

    def update_contact(self, contact_id: str, payload: dict) -> None:
        self.request("PUT", f"/user/me/contact/{quote(str(contact_id), safe='')}", payload=payload)

    def find_contact(self, external_id: str) -> str | None:
        """The IS24 id of the contact with this external id, if there is one."""
        try:
            data = self.request(
                "GET", f"/user/me/contact/{quote('ext-' + external_id, safe='')}"
            ).data
        except IS24NotFound:
            return None
        if not isinstance(data, dict) or not data:
            return None
        _root, body = next(iter(data.items()))
        ident = body.get("@id") if isinstance(body, dict) else None
        return str(ident) if ident else None
