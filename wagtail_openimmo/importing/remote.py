"""Download attachments that a transfer references by URL (``location="REMOTE"``), safely.

A broker's file decides which URLs the server fetches, so the download must not become a way
into the server's own network (SSRF): only ``http``/``https``; the host's addresses are
checked before connecting and the address actually connected to is checked again before a
single byte is sent (which defeats DNS tricks and redirects to internal hosts); private,
loopback, link-local, reserved and multicast addresses are refused unless the setting
``REMOTE_ALLOW_PRIVATE_NETWORKS`` is on (tests). Every download has a timeout, a size cap
enforced while streaming, and ``REMOTE_RETRIES`` tries with exponential backoff for errors
that may pass (network errors, 5xx, 429).
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.utils.translation import gettext_noop as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from ..conf import get_setting

USER_AGENT = "wagtail-openimmo (OpenImmo importer)"
_CHUNK = 64 << 10


class RemoteError(Exception):
    """A download failed. ``code``/``template``/``params`` describe it for the broker."""

    def __init__(self, code: str, template: str, *, retry: bool = False, **params):
        super().__init__(template.format(**params))
        self.code = code
        self.template = template
        self.params = params
        self.retry = retry


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_address(address: str, *, host: str) -> None:
    if get_setting("REMOTE_ALLOW_PRIVATE_NETWORKS"):
        return
    if _refused_address(address):
        raise RemoteError(
            "remote_private_address",
            _(
                "{host} points to an internal network address; downloads from there are not "
                "allowed."
            ),
            host=host,
        )


def check_url(url: str) -> tuple[str, int]:
    """Refuse what can never be downloaded; return ``(host, port)``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RemoteError("remote_bad_url", _("“{url}” is not a valid URL."), url=url) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise RemoteError(
            "remote_scheme",
            _("“{url}” cannot be downloaded: only http and https URLs are allowed."),
            url=url,
        )
    if not parts.hostname:
        raise RemoteError("remote_bad_url", _("“{url}” is not a valid URL."), url=url)
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    return parts.hostname, port


def resolve_and_check(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RemoteError(
            "remote_dns",
            _("The host {host} could not be found ({detail})."),
            retry=True,
            host=host,
            detail=str(exc),
        ) from None
    for info in infos:
        check_address(info[4][0], host=host)


class _CheckedConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        try:
            check_address(sock.getpeername()[0], host=self.host)
        except BaseException:
            sock.close()
            raise
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        try:
            check_address(sock.getpeername()[0], host=self.host)
        except BaseException:
            sock.close()
            raise
        return sock


class _CheckedPool(HTTPConnectionPool):
    ConnectionCls = _CheckedConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedPool, "https": _CheckedHTTPSPool}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # a proxy from the environment would hide the address we check
    s.max_redirects = 5
    s.headers["User-Agent"] = USER_AGENT
    adapter = _CheckedAdapter(max_retries=0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def download(
    url: str,
    *,
    directory: Path | None = None,
    max_bytes: int | None = None,
    http: requests.Session | None = None,
) -> Path:
    """Download ``url`` into a new file in ``directory`` and return its path.

    Raises ``RemoteError`` when the URL is refused or every try failed.
    """
    max_bytes = int(max_bytes or get_setting("REMOTE_MAX_BYTES"))
    tries = max(1, int(get_setting("REMOTE_RETRIES")))
    backoff = float(get_setting("REMOTE_BACKOFF_SECONDS"))
    own_session = http is None
    http = http or session()
    try:
        for attempt in range(1, tries + 1):
            try:
                return _download_once(url, directory, max_bytes, http)
            except RemoteError as exc:
                if not exc.retry or attempt == tries:
                    if exc.retry and tries > 1:
                        exc.params["tries"] = tries
                    raise
            time.sleep(backoff * (2 ** (attempt - 1)))
    finally:
        if own_session:
            http.close()
    raise AssertionError("unreachable")


def _download_once(url: str, directory: Path | None, max_bytes: int, http) -> Path:
    host, port = check_url(url)
    resolve_and_check(host, port)
    timeout = float(get_setting("REMOTE_TIMEOUT"))
    deadline = time.monotonic() + 4 * timeout  # a server dripping bytes must end, too
    try:
        response = http.get(url, stream=True, timeout=(timeout, timeout), allow_redirects=True)
    except RemoteError:
        raise
    except requests.exceptions.InvalidSchema:
        raise RemoteError(
            "remote_scheme",
            _("“{url}” cannot be downloaded: only http and https URLs are allowed."),
            url=url,
        ) from None
    except requests.exceptions.TooManyRedirects:
        raise RemoteError("remote_redirects", _("“{url}” redirects too often."), url=url) from None
    except requests.RequestException as exc:
        cause = _checked_cause(exc)
        if cause is not None:
            raise cause from None
        raise _failed(url, exc) from None
    with response:
        for hop in [*response.history, response]:
            # requests follows redirects itself; refuse where they led, whatever the scheme
            if urlsplit(hop.url).scheme.lower() not in ("http", "https"):
                raise RemoteError(
                    "remote_scheme",
                    _("“{url}” cannot be downloaded: only http and https URLs are allowed."),
                    url=hop.url,
                )
        status = response.status_code
        if status >= 400:
            raise RemoteError(
                "remote_status",
                _("“{url}” could not be downloaded (HTTP {status})."),
                retry=status >= 500 or status == 429,
                url=url,
                status=status,
            )
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise RemoteError(
                "remote_too_large",
                _("“{url}” is larger than the limit of {limit} bytes."),
                url=url,
                limit=max_bytes,
            )
        received = 0
        fh = tempfile.NamedTemporaryFile(  # noqa: SIM115 - returned by path, closed below
            dir=directory, prefix="remote-", delete=False
        )
        path = Path(fh.name)
        try:
            with fh:
                for chunk in _chunks(response):
                    received += len(chunk)
                    if received > max_bytes:
                        raise RemoteError(
                            "remote_too_large",
                            _("“{url}” is larger than the limit of {limit} bytes."),
                            url=url,
                            limit=max_bytes,
                        )
                    if time.monotonic() > deadline:
                        raise RemoteError(
                            "remote_timeout",
                            _("“{url}” took too long to download."),
                            retry=True,
                            url=url,
                        )
                    fh.write(chunk)
        except requests.RequestException as exc:
            path.unlink(missing_ok=True)
            raise _failed(url, exc) from None
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return path


def _chunks(response: requests.Response):
    """The body as it arrives: every chunk as soon as the server has sent some bytes.

    ``iter_content(n)`` waits until ``n`` bytes are there, so a server dripping one byte
    every few seconds would hold the import for hours before the deadline is looked at.
    """
    raw = response.raw
    if not hasattr(raw, "read1"):  # urllib3 < 2.2: smaller chunks, checked more often
        yield from response.iter_content(4096)
        return
    while True:
        try:
            chunk = raw.read1(_CHUNK, decode_content=True)
        except ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc) from None
        except SSLError as exc:
            raise requests.exceptions.SSLError(exc) from None
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from None
        except (ProtocolError, OSError) as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        if not chunk:
            return
        yield chunk


def _timed_out(exc: BaseException) -> bool:
    """Whether a requests error is a timeout (requests wraps read timeouts while streaming
    the body in a ``ConnectionError``)."""
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    return any(isinstance(arg, Urllib3Timeout) for arg in getattr(exc, "args", ()))


def _failed(url: str, exc: requests.RequestException) -> RemoteError:
    """A download error that may pass, for the broker: a timeout, or a network error."""
    if _timed_out(exc):
        return RemoteError(
            "remote_timeout",
            _("“{url}” took too long to download."),
            retry=True,
            url=url,
        )
    return RemoteError(
        "remote_failed",
        _("“{url}” could not be downloaded ({detail})."),
        retry=True,
        url=url,
        detail=type(exc).__name__,
    )


def _checked_cause(exc: BaseException) -> RemoteError | None:
    """The ``RemoteError`` raised by our connection check, wrapped by urllib3/requests."""
    seen = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, RemoteError):
            return current
        todo.extend(
            [current.__cause__, current.__context__, *getattr(current, "args", ())]
            if isinstance(current, BaseException)
            else []
        )
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return None
