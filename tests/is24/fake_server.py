"""A fake ImmobilienScout24 offer API: a real HTTP server on 127.0.0.1 for the tests.

It follows the API's documented requests and responses (JSON shapes as in the sandbox
exchanges in ``../shared/is24/samples/json``), checks the OAuth 1.0a HMAC-SHA1 signature of
every request with oauthlib's server side (401 otherwise), validates every payload against
IS24's XSDs (412 ``ERROR_RESOURCE_VALIDATION`` otherwise), keeps real estates, publications
and attachments in memory, and records every request. Faults can be injected: the next N
answers 429 (with ``Retry-After``), 503 or 401, or a request that IS24 carries out while the
client gets a 5xx or no answer in time.

    with FakeIS24() as server:
        ...  # point WAGTAIL_OPENIMMO["IS24_API_BASE_URL"] at server.base_url
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from tests.is24.xsd import xsd_errors

API = "/restapi/api/offer/v1.0"
OAUTH = "/restapi/security/oauth"
LIST_TYPES = {
    "apartmentRent": "OfferApartmentRent",
    "apartmentBuy": "OfferApartmentBuy",
    "houseRent": "OfferHouseRent",
    "houseBuy": "OfferHouseBuy",
    "office": "OfferOffice",
    "livingBuySite": "OfferLivingBuySite",
    "livingRentSite": "OfferLivingRentSite",
    "tradeSite": "OfferTradeSite",
    "garageRent": "OfferGarageRent",
    "garageBuy": "OfferGarageBuy",
    "store": "OfferStore",
    "gastronomy": "OfferGastronomy",
    "industry": "OfferIndustry",
    "investment": "OfferInvestment",
    "specialPurpose": "OfferSpecialPurpose",
    "shortTermAccommodation": "OfferShortTermAccommodation",
    "flatShareRoom": "OfferFlatShareRoom",
}


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    status: int
    bytes_in: int
    bytes_out: int
    body: bytes = b""

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    def json(self):
        return json.loads(self.body)


@dataclass
class Fault:
    status: int
    times: int = 1
    method: str | None = None
    path: str | None = None  # a regular expression searched in the path
    retry_after: str | None = None
    after_success: bool = False  # carry the request out, then answer with ``status``
    delay: float = 0.0  # wait before answering (longer than the client's timeout)

    def matches(self, method: str, path: str) -> bool:
        return (self.method in (None, method)) and (
            self.path is None or re.search(self.path, path) is not None
        )


@dataclass
class Attachment:
    id: str
    metadata: dict
    size: int
    sha256: str


@dataclass
class Contact:
    id: str
    body: dict

    @property
    def external_id(self) -> str | None:
        return self.body.get("externalId")


@dataclass
class RealEstate:
    id: str
    type: str
    body: dict
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def external_id(self) -> str | None:
        return self.body.get("externalId")


class _Validator(RequestValidator):
    """oauthlib's server side: knows the consumers and the token secrets of the fake."""

    enforce_ssl = False
    allowed_signature_methods = ("HMAC-SHA1",)
    dummy_client = "dummy-client"
    dummy_request_token = "dummy-request-token"
    dummy_access_token = "dummy-access-token"

    def __init__(self, server: FakeIS24):
        super().__init__()
        self.server = server
        self.nonces: set[tuple[str, str, str]] = set()

    def check_client_key(self, client_key):
        return True

    def check_nonce(self, nonce):
        return True

    def validate_client_key(self, client_key, request):
        return client_key in self.server.consumers

    def get_client_secret(self, client_key, request):
        return self.server.consumers.get(client_key, "dummy-secret")

    def get_access_token_secret(self, client_key, token, request):
        if token in self.server.access_tokens:
            return self.server.access_tokens[token]
        if token in self.server.request_tokens:
            return self.server.request_tokens[token]["secret"]
        return "dummy-secret"

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ):
        key = (client_key, timestamp, nonce)
        if key in self.nonces:
            return False
        self.nonces.add(key)
        return True


class FakeIS24:
    CONSUMER_KEY = "wagtail-openimmo-test-consumer"
    CONSUMER_SECRET = "consumer-secret-not-for-logs"
    ACCESS_TOKEN = "0a1b2c3d-test-access-token"
    ACCESS_TOKEN_SECRET = "access-secret-not-for-logs"

    def __init__(self, *, validate: bool = True):
        self.validate = validate
        self.lock = threading.RLock()
        self.consumers = {self.CONSUMER_KEY: self.CONSUMER_SECRET}
        self.access_tokens = {self.ACCESS_TOKEN: self.ACCESS_TOKEN_SECRET}
        self.request_tokens: dict[str, dict] = {}
        self.realestates: dict[str, RealEstate] = {}
        self.contacts: dict[str, Contact] = {}
        self.publications: set[tuple[str, int]] = set()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.invalid_payloads: list[tuple[str, list[str]]] = []
        self.refuse_external_ids: dict[str, str] = {}
        self._ids = iter(range(70_000_001, 80_000_000))
        self._attachment_ids = iter(range(670_000_001, 680_000_000))
        self._contact_ids = iter(range(82_000_001, 83_000_000))
        self.endpoint = SignatureOnlyEndpoint(_Validator(self))
        self.httpd: ThreadingHTTPServer | None = None

    # --- life cycle ---------------------------------------------------------------------
    def start(self) -> FakeIS24:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        threading.Thread(
            target=self.httpd.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        ).start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self) -> FakeIS24:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- faults and seeds ---------------------------------------------------------------
    def fail_next(self, status: int, **kwargs) -> Fault:
        fault = Fault(status, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def revoke(self, token: str = ACCESS_TOKEN) -> None:
        with self.lock:
            self.access_tokens.pop(token, None)

    def seed(
        self,
        kind: str,
        body: dict,
        *,
        published: bool = False,
        attachments: list[dict] | None = None,
    ) -> str:
        """An object that is on IS24 already (created by other software)."""
        with self.lock:
            ident = str(next(self._ids))
            estate = RealEstate(ident, kind, dict(body))
            for meta in attachments or []:
                estate.attachments.append(
                    Attachment(str(next(self._attachment_ids)), dict(meta), 0, "")
                )
            self.realestates[ident] = estate
            if published:
                self.publications.add((ident, 10000))
            return ident

    # --- what tests look at -------------------------------------------------------------
    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.is_write and r.path.startswith(API)]

    def api_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(API)]

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    def by_external_id(self, external_id: str) -> list[RealEstate]:
        return [e for e in self.realestates.values() if e.external_id == external_id]

    def contact_by_external_id(self, external_id: str) -> Contact | None:
        return next((c for c in self.contacts.values() if c.external_id == external_id), None)

    def seed_contact(self, body: dict) -> str:
        """A contact that is on IS24 already."""
        with self.lock:
            ident = str(next(self._contact_ids))
            self.contacts[ident] = Contact(ident, dict(body))
            return ident

    def is_published(self, ident: str, channel: int = 10000) -> bool:
        return (ident, channel) in self.publications

    def clear_log(self) -> None:
        with self.lock:
            self.requests.clear()

    # --- HTTP ---------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        split = urlsplit(handler.path)
        path, query = unquote(split.path), split.query
        header_bytes = sum(len(k) + len(v) + 4 for k, v in handler.headers.items())
        bytes_in = len(handler.requestline) + 2 + header_bytes + 2 + len(body)

        fault = self._take_fault(method, path)
        if fault and not fault.after_success:
            status, payload, headers = self._fault_answer(fault)
        else:
            try:
                status, payload, headers = self._dispatch(handler, method, path, query, body)
            except Exception as exc:  # a bug in the fake must show, not hang the test
                status, payload, headers = (
                    500,
                    _messages("ERROR_COMMON_INTERNAL_SERVER_ERROR", repr(exc)),
                    {},
                )
            if fault:
                status, payload, headers = self._fault_answer(fault)
        out = (
            payload
            if isinstance(payload, bytes)
            else (json.dumps(payload).encode() if payload is not None else b"")
        )
        with self.lock:
            self.requests.append(
                Recorded(method, path, query, status, bytes_in, len(out) + 120, body)
            )
        if fault and fault.delay:
            time.sleep(fault.delay)
        try:
            handler.send_response(status)
            is_json = not isinstance(payload, bytes)
            handler.send_header(
                "Content-Type", "application/json;charset=UTF-8" if is_json else "text/plain"
            )
            handler.send_header("L-IS24-RequestRefnum", secrets.token_hex(8))
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(out)))
            handler.end_headers()
            handler.wfile.write(out)
        except OSError:  # the client gave up waiting (an injected timeout)
            pass

    def _take_fault(self, method: str, path: str) -> Fault | None:
        if not path.startswith(API):
            return None
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def _fault_answer(self, fault: Fault):
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        if fault.status == 429:
            return 429, b"Rate limit exceeded", headers
        if fault.status == 401:
            return (
                401,
                _messages("ERROR_COMMON_AUTHENTICATION_REQUIRED", "Authentication required."),
                headers,
            )
        return fault.status, b"Service temporarily unavailable", headers

    def _dispatch(self, handler, method, path, query, body):
        uri = f"http://{handler.headers['Host']}{handler.path}"
        valid, request = self.endpoint.validate_request(
            uri, method, body.decode("latin-1"), dict(handler.headers)
        )
        if path == f"{OAUTH}/confirm_access":
            return self._confirm_access(query)
        if not valid:
            return (
                401,
                _messages("ERROR_COMMON_AUTHENTICATION_REQUIRED", "OAuth signature invalid."),
                {},
            )
        if path == f"{OAUTH}/request_token":
            return self._request_token(request)
        if path == f"{OAUTH}/access_token":
            return self._access_token(request)
        if request.resource_owner_key not in self.access_tokens:
            return (
                401,
                _messages(
                    "ERROR_COMMON_AUTHENTICATION_REQUIRED", "Access token unknown or revoked."
                ),
                {},
            )
        with self.lock:
            return self._api(handler, method, path[len(API) :], parse_qs(query), body)

    # --- OAuth --------------------------------------------------------------------------
    def _request_token(self, request):
        if request.resource_owner_key or not request.redirect_uri:
            return 401, _messages("ERROR_COMMON_AUTHENTICATION_REQUIRED", "Bad request."), {}
        token, secret = secrets.token_hex(12), secrets.token_hex(16)
        self.request_tokens[token] = {
            "secret": secret,
            "callback": request.redirect_uri,
            "verifier": None,
        }
        body = urlencode(
            {"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"}
        )
        return 200, body.encode(), {}

    def _confirm_access(self, query):
        """What the broker's browser sees: IS24 asks, the broker agrees, back to the site."""
        token = (parse_qs(query).get("oauth_token") or [""])[0]
        pending = self.request_tokens.get(token)
        if not pending:
            return 400, b"unknown request token", {}
        pending["verifier"] = secrets.token_hex(8)
        target = pending["callback"]
        target += ("&" if "?" in target else "?") + urlencode(
            {"state": "authorized", "oauth_token": token, "oauth_verifier": pending["verifier"]}
        )
        return 302, b"", {"Location": target}

    def _access_token(self, request):
        pending = self.request_tokens.get(request.resource_owner_key or "")
        if not pending or not pending["verifier"] or request.verifier != pending["verifier"]:
            return 401, _messages("ERROR_COMMON_AUTHENTICATION_REQUIRED", "Verifier invalid."), {}
        del self.request_tokens[request.resource_owner_key]
        token, secret = secrets.token_hex(12), secrets.token_hex(16)
        self.access_tokens[token] = secret
        return 200, urlencode({"oauth_token": token, "oauth_token_secret": secret}).encode(), {}

    # --- the offer API ------------------------------------------------------------------
    def _api(self, handler, method, path, query, body):
        if path == "/user/me/contact" or path.startswith("/user/me/contact/"):
            return self._contact(method, path[len("/user/me/contact") :].lstrip("/"), body)
        m = re.fullmatch(r"/user/me/realestate", path)
        if m and method == "GET":
            return self._list(query)
        if m and method == "POST":
            return self._create(json.loads(body))
        m = re.fullmatch(r"/user/me/realestate/([^/]+)", path)
        if m:
            estate = self._find(m.group(1))
            # The sync must never DELETE a real estate; the fake does it like IS24 would.
            if method == "DELETE" and estate:
                del self.realestates[estate.id]
                return 200, _messages("MESSAGE_RESOURCE_DELETED", "deleted", estate.id), {}
            if not estate:
                return (
                    404,
                    _messages(
                        "ERROR_RESOURCE_NOT_FOUND",
                        f"Resource [realestate] with id [{m.group(1)}] not found.",
                    ),
                    {},
                )
            if method == "GET":
                return 200, {f"realestates.{estate.type}": {"@id": estate.id, **estate.body}}, {}
            if method == "PUT":
                return self._update(estate, json.loads(body))
        m = re.fullmatch(r"/user/me/realestate/([^/]+)/attachment(?:/(.+))?", path)
        if m:
            estate = self._find(m.group(1))
            if not estate:
                return 404, _messages("ERROR_RESOURCE_NOT_FOUND", "Real estate not found."), {}
            return self._attachment(handler, method, estate, m.group(2), body)
        if path == "/publish" and method == "POST":
            return self._publish(json.loads(body))
        m = re.fullmatch(r"/publish/(\d+)_(\d+)", path)
        if m and method == "DELETE":
            key = (m.group(1), int(m.group(2)))
            if key not in self.publications:
                return 404, _messages("ERROR_RESOURCE_NOT_FOUND", "Publication not found."), {}
            self.publications.discard(key)
            return (
                200,
                _messages(
                    "MESSAGE_RESOURCE_DELETED",
                    f"Resource [publish] with id [{m.group(1)}_{m.group(2)}] has been deleted.",
                    f"{m.group(1)}_{m.group(2)}",
                ),
                {},
            )
        return 404, _messages("ERROR_COMMON_RESOURCE_NOT_FOUND", f"No resource {path}"), {}

    def _find(self, ident: str) -> RealEstate | None:
        if ident.startswith("ext-"):
            return next(iter(self.by_external_id(ident[4:])), None)
        return self.realestates.get(ident)

    def _invalid(self, payload) -> tuple | None:
        if not self.validate:
            return None
        errors = xsd_errors(payload)
        if errors:
            self.invalid_payloads.append((next(iter(payload)), errors))
            return 412, _messages("ERROR_RESOURCE_VALIDATION", "; ".join(errors)[:500]), {}
        return None

    def _list(self, query):
        size = int((query.get("pagesize") or ["20"])[0])
        number = int((query.get("pagenumber") or ["1"])[0])
        estates = sorted(self.realestates.values(), key=lambda e: int(e.id), reverse=True)
        page = estates[(number - 1) * size : number * size]
        elements = [
            {
                "@xsi.type": f"offerlistelement:{LIST_TYPES.get(e.type, e.type)}",
                "@id": e.id,
                "externalId": e.external_id,
                "title": e.body.get("title"),
                "address": e.body.get("address"),
                "realEstateState": "ACTIVE" if self.is_published(e.id) else "INACTIVE",
            }
            for e in page
        ]
        paging = {
            "pageNumber": number,
            "pageSize": size,
            "numberOfPages": max(1, -(-len(estates) // size)),
            "numberOfHits": len(estates),
        }
        return (
            200,
            {
                "realestates.realEstates": {
                    "Paging": paging,
                    "realEstateList": {"realEstateElement": elements},
                }
            },
            {},
        )

    def _create(self, payload):
        invalid = self._invalid(payload)
        if invalid:
            return invalid
        ((root, body),) = payload.items()
        ext = body.get("externalId")
        if ext in self.refuse_external_ids:
            return 412, _messages("ERROR_RESOURCE_VALIDATION", self.refuse_external_ids[ext]), {}
        unknown = self._unknown_contact(body)
        if unknown:
            return unknown
        if ext and self.by_external_id(ext):
            return (
                409,
                _messages(
                    "ERROR_COMMON_REQUEST_CONFLICT", f"externalId [{ext}] is already in use."
                ),
                {},
            )
        ident = str(next(self._ids))
        self.realestates[ident] = RealEstate(ident, root.partition(".")[2], dict(body))
        location = f"{API}/user/me/realestate/{ident}"
        return (
            201,
            _messages(
                "MESSAGE_RESOURCE_CREATED",
                f"Resource [realestate] with id [{ident}] has been created.",
                ident,
            ),
            {"Location": location},
        )

    def _update(self, estate: RealEstate, payload):
        invalid = self._invalid(payload)
        if invalid:
            return invalid
        ((root, body),) = payload.items()
        if root.partition(".")[2] != estate.type:
            return (
                412,
                _messages("ERROR_RESOURCE_VALIDATION", "The real estate type cannot be changed."),
                {},
            )
        body = {k: v for k, v in body.items() if k != "@id"}
        ext = body.get("externalId")
        if ext in self.refuse_external_ids:
            return 412, _messages("ERROR_RESOURCE_VALIDATION", self.refuse_external_ids[ext]), {}
        unknown = self._unknown_contact(body)
        if unknown:
            return unknown
        if ext and any(e.id != estate.id for e in self.by_external_id(ext)):
            return 409, _messages("ERROR_COMMON_REQUEST_CONFLICT", "externalId in use."), {}
        estate.body = dict(body)  # PUT replaces the whole object
        return (
            200,
            _messages(
                "MESSAGE_RESOURCE_UPDATED",
                f"Resource [realestate] with id [{estate.id}] has been updated.",
                estate.id,
            ),
            {},
        )

    def _unknown_contact(self, body: dict):
        """IS24 refuses a real estate that names a contact the account does not have."""
        ref = body.get("contact")
        if not ref:
            return None
        if "@id" in ref and str(ref["@id"]) in self.contacts:
            return None
        if "@externalId" in ref and self.contact_by_external_id(ref["@externalId"]):
            return None
        return 412, _messages("ERROR_RESOURCE_VALIDATION", f"contact {ref} not found"), {}

    def _contact(self, method, ident, body):
        """``/user/me/contact``: realtor contacts (``common.realtorContactDetail``)."""
        if not ident and method == "GET":
            items = [{"@id": c.id, **c.body} for c in self.contacts.values()]
            return (
                200,
                {"common.realtorContactDetailsList": {"realtorContactDetails": items}},
                {},
            )
        if not ident and method == "POST":
            payload = json.loads(body)
            invalid = self._invalid(payload)
            if invalid:
                return invalid
            ((_root, data),) = payload.items()
            ext = data.get("externalId")
            if ext and self.contact_by_external_id(ext):
                return 409, _messages("ERROR_COMMON_REQUEST_CONFLICT", "externalId in use."), {}
            new = str(next(self._contact_ids))
            self.contacts[new] = Contact(new, dict(data))
            return (
                201,
                _messages(
                    "MESSAGE_RESOURCE_CREATED",
                    f"Resource [contact] with id [{new}] has been created.",
                    new,
                ),
                {"Location": f"{API}/user/me/contact/{new}"},
            )
        contact = (
            self.contact_by_external_id(ident[4:])
            if ident.startswith("ext-")
            else self.contacts.get(ident)
        )
        if contact is None:
            return 404, _messages("ERROR_RESOURCE_NOT_FOUND", f"contact [{ident}] not found"), {}
        if method == "GET":
            return 200, {"common.realtorContactDetail": {"@id": contact.id, **contact.body}}, {}
        if method == "PUT":
            payload = json.loads(body)
            invalid = self._invalid(payload)
            if invalid:
                return invalid
            ((_root, data),) = payload.items()
            contact.body = {k: v for k, v in data.items() if k != "@id"}  # replaces all
            return 200, _messages("MESSAGE_RESOURCE_UPDATED", "updated", contact.id), {}
        return 405, _messages("ERROR_COMMON_METHOD_NOT_ALLOWED", method), {}

    def _publish(self, payload):
        invalid = self._invalid(payload)
        if invalid:
            return invalid
        body = payload["common.publishObject"]
        ident, channel = str(body["realEstate"]["@id"]), int(body["publishChannel"]["@id"])
        if ident not in self.realestates:
            return 404, _messages("ERROR_RESOURCE_NOT_FOUND", "Real estate not found."), {}
        if (ident, channel) in self.publications:
            return 409, _messages("ERROR_COMMON_REQUEST_CONFLICT", "Already published."), {}
        self.publications.add((ident, channel))
        return (
            201,
            _messages(
                "MESSAGE_RESOURCE_CREATED",
                f"Resource [publish] with id [{ident}_{channel}] has been created.",
                f"{ident}_{channel}",
            ),
            {"Location": f"{API}/publish/{ident}_{channel}"},
        )

    def _attachment(self, handler, method, estate: RealEstate, rest, body):
        if rest is None and method == "GET":
            items = [
                {
                    **a.metadata,
                    "@id": a.id,
                    "@xlink.href": f"{API}/user/me/realestate/{estate.id}/attachment/{a.id}",
                }
                for a in estate.attachments
            ]
            return 200, {"common.attachments": [{"attachment": items}]}, {}
        if (
            rest is None
            and method == "POST"
            and handler.headers["Content-Type"].startswith("application/json")
        ):
            metadata = json.loads(body)
            invalid = self._invalid(metadata)
            if invalid:
                return invalid
            if metadata["common.attachment"].get("@xsi.type") != "common:Link":
                return 400, _messages("ERROR_COMMON_BAD_REQUEST", "file part missing"), {}
            ident = str(next(self._attachment_ids))
            url = metadata["common.attachment"]["url"]
            estate.attachments.append(
                Attachment(
                    ident,
                    metadata["common.attachment"],
                    0,
                    hashlib.sha256(url.encode()).hexdigest(),
                )
            )
            return (
                201,
                _messages("MESSAGE_RESOURCE_CREATED", f"[attachment] [{ident}] created", ident),
                {"Location": f"{API}/user/me/realestate/{estate.id}/attachment/{ident}"},
            )
        if rest is None and method == "POST":
            parts = _multipart(handler.headers["Content-Type"], body)
            if set(parts) != {"metadata", "attachment"}:
                return 400, _messages("ERROR_COMMON_BAD_REQUEST", "metadata and attachment"), {}
            metadata = json.loads(parts["metadata"])
            invalid = self._invalid(metadata)
            if invalid:
                return invalid
            ident = str(next(self._attachment_ids))
            data = parts["attachment"]
            estate.attachments.append(
                Attachment(
                    ident,
                    metadata["common.attachment"],
                    len(data),
                    hashlib.sha256(data).hexdigest(),
                )
            )
            return (
                201,
                _messages(
                    "MESSAGE_RESOURCE_CREATED",
                    f"Resource [attachment] with id [{ident}] has been created.",
                    ident,
                ),
                {"Location": f"{API}/user/me/realestate/{estate.id}/attachment/{ident}"},
            )
        if rest == "attachmentsorder" and method == "PUT":
            payload = json.loads(body)
            invalid = self._invalid(payload)
            if invalid:
                return invalid
            order = [str(i) for i in payload["attachmentsorder.attachmentsorder"]["attachmentId"]]
            if sorted(order) != sorted(a.id for a in estate.attachments):
                return 412, _messages("ERROR_RESOURCE_VALIDATION", "order must name all"), {}
            by_id = {a.id: a for a in estate.attachments}
            estate.attachments = [by_id[i] for i in order]
            return 200, _messages("MESSAGE_RESOURCE_UPDATED", "order updated"), {}
        attachment = next((a for a in estate.attachments if a.id == rest), None)
        if attachment is None:
            return 404, _messages("ERROR_RESOURCE_NOT_FOUND", "Attachment not found."), {}
        if method == "DELETE":
            estate.attachments.remove(attachment)
            return (
                200,
                _messages(
                    "MESSAGE_RESOURCE_DELETED",
                    f"Resource [attachment] with id [{rest}] has been deleted.",
                    rest,
                ),
                {},
            )
        if method == "PUT":
            metadata = json.loads(body)
            invalid = self._invalid(metadata)
            if invalid:
                return invalid
            attachment.metadata = metadata["common.attachment"]  # replaces all metadata
            return 200, _messages("MESSAGE_RESOURCE_UPDATED", "updated", rest), {}
        return 405, _messages("ERROR_COMMON_METHOD_NOT_ALLOWED", method), {}


def _messages(code: str, message: str, ident: str | None = None) -> dict:
    entry = {"messageCode": code, "message": message}
    if ident is not None:
        entry["id"] = ident
    return {"common.messages": [{"message": entry}]}


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


def _handler_for(server: FakeIS24):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            server.handle(self, "GET")

        def do_POST(self):
            server.handle(self, "POST")

        def do_PUT(self):
            server.handle(self, "PUT")

        def do_DELETE(self):
            server.handle(self, "DELETE")

        def log_message(self, format, *args):  # keep test output clean
            pass

    return Handler
