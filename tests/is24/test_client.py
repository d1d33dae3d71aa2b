"""The IS24 client against the fake server: signatures, retries, errors, no secrets in logs."""

import logging

import pytest

from tests.is24.fake_server import FakeIS24
from wagtail_openimmo.is24.client import (
    IS24AuthError,
    IS24Client,
    IS24OutcomeUnknown,
    IS24Unavailable,
    IS24ValidationError,
    retry_after_seconds,
)
from wagtail_openimmo.is24.mapping import attachment_metadata
from wagtail_openimmo.is24.models import IS24Connection

pytestmark = pytest.mark.django_db

APARTMENT = {
    "realestates.apartmentRent": {
        "externalId": "W1",
        "title": "Helle Wohnung",
        "address": {"postcode": "10115", "city": "Berlin"},
        "showAddress": "false",
        "baseRent": 900,
        "livingSpace": 60,
        "numberOfRooms": 2,
        "courtage": {"hasCourtage": "NO"},
    }
}


def test_signed_requests_create_read_and_publish(connection, fake_is24):
    client = IS24Client(connection)
    ident = client.create_realestate(APARTMENT)
    assert fake_is24.realestates[ident].external_id == "W1"
    assert client.find_by_external_id("W1") == (ident, "apartmentRent")
    assert client.publish(ident, 10000) is True
    assert client.publish(ident, 10000) is False  # 409: already published
    assert client.unpublish(ident, 10000) is True
    assert client.unpublish(ident, 10000) is False  # 404: nothing to remove
    assert fake_is24.invalid_payloads == []


def test_a_wrong_secret_fails_the_signature_check(connection, fake_is24):
    connection.access_token_secret = "not-the-secret"
    with pytest.raises(IS24AuthError):
        IS24Client(connection).find_by_external_id("W1")
    assert fake_is24.requests[-1].status == 401


def test_a_revoked_token_raises_auth_error_without_retrying(connection, fake_is24, sleeps):
    fake_is24.revoke()
    with pytest.raises(IS24AuthError):
        IS24Client(connection, sleep=sleeps).find_by_external_id("W1")
    assert len(fake_is24.requests) == 1 and sleeps.calls == []


def test_429_waits_as_long_as_retry_after_says(connection, fake_is24, settings, sleeps):
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "IS24_MAX_BACKOFF_SECONDS": 60}
    fake_is24.fail_next(429, times=2, retry_after="7")
    client = IS24Client(connection, sleep=sleeps)
    assert client.find_by_external_id("W1") is None
    assert sleeps.calls == [7.0, 7.0]
    assert [r.status for r in fake_is24.requests] == [429, 429, 404]


def test_retry_after_is_capped(connection, fake_is24, settings, sleeps):
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "IS24_MAX_BACKOFF_SECONDS": 5}
    fake_is24.fail_next(429, retry_after="3600")
    IS24Client(connection, sleep=sleeps).find_by_external_id("W1")
    assert sleeps.calls == [5.0]


def test_503_is_retried_with_exponential_backoff(connection, fake_is24, settings, sleeps):
    settings.WAGTAIL_OPENIMMO = {
        **settings.WAGTAIL_OPENIMMO,
        "IS24_BACKOFF_SECONDS": 1,
        "IS24_MAX_BACKOFF_SECONDS": 60,
    }
    fake_is24.fail_next(503, times=3, method="GET")
    client = IS24Client(connection, sleep=sleeps)
    assert client.find_by_external_id("W1") is None
    assert sleeps.calls == [1, 2, 4]


def test_retries_are_bounded(connection, fake_is24, sleeps):
    fake_is24.fail_next(503, times=100)
    with pytest.raises(IS24Unavailable) as info:
        IS24Client(connection, sleep=sleeps).find_by_external_id("W1")
    assert info.value.status == 503
    assert len(fake_is24.requests) == 4  # IS24_MAX_RETRIES = 3 in the tests


def test_a_post_that_may_have_succeeded_is_not_repeated(connection, fake_is24, sleeps):
    fake_is24.fail_next(503, method="POST", after_success=True)
    client = IS24Client(connection, sleep=sleeps)
    with pytest.raises(IS24OutcomeUnknown):
        client.create_realestate(APARTMENT)
    assert len(fake_is24.calls("POST", r"/realestate$")) == 1
    assert len(fake_is24.by_external_id("W1")) == 1  # IS24 did create it


def test_a_post_that_times_out_is_not_repeated(connection, fake_is24, settings, sleeps):
    settings.WAGTAIL_OPENIMMO = {**settings.WAGTAIL_OPENIMMO, "IS24_TIMEOUT": 0.3}
    fake_is24.fail_next(201, method="POST", after_success=True, delay=1.0)
    with pytest.raises(IS24OutcomeUnknown):
        IS24Client(connection, sleep=sleeps).create_realestate(APARTMENT)
    assert len(fake_is24.by_external_id("W1")) == 1


def test_a_429_on_post_is_a_refusal_and_is_retried(connection, fake_is24, sleeps):
    fake_is24.fail_next(429, method="POST", retry_after="1")
    ident = IS24Client(connection, sleep=sleeps).create_realestate(APARTMENT)
    assert [r.status for r in fake_is24.requests] == [429, 201]
    assert fake_is24.by_external_id("W1")[0].id == ident


def test_validation_errors_carry_is24s_code_and_refnum(connection, fake_is24):
    fake_is24.refuse_external_ids["W1"] = "address.houseNumber : MANDATORY_FIELD_EMPTY"
    with pytest.raises(IS24ValidationError) as info:
        IS24Client(connection).create_realestate(APARTMENT)
    assert info.value.code == "ERROR_RESOURCE_VALIDATION"
    assert info.value.status == 412
    assert "MANDATORY_FIELD_EMPTY" in info.value.message
    assert info.value.refnum


def test_attachments_upload_list_order_and_delete(connection, fake_is24):
    client = IS24Client(connection)
    ident = client.create_realestate(APARTMENT)
    ids = [
        client.upload_attachment(
            ident,
            attachment_metadata(
                kind="picture",
                title=f"Bild {i}",
                external_id=f"wo-{i}",
                checksum=f"c{i}",
                is_title=i == 0,
            ),
            b"\xff\xd8 fake jpeg %d" % i,
            f"{i}.jpg",
            "image/jpeg",
        )
        for i in range(3)
    ]
    listed = client.list_attachments(ident)
    assert [a["@id"] for a in listed] == ids
    assert [a["externalCheckSum"] for a in listed] == ["c0", "c1", "c2"]
    client.set_attachments_order(ident, [ids[2], ids[0], ids[1]])
    assert [a["@id"] for a in client.list_attachments(ident)] == [ids[2], ids[0], ids[1]]
    assert client.delete_attachment(ident, ids[1]) is True
    assert client.delete_attachment(ident, ids[1]) is False
    assert fake_is24.invalid_payloads == []


def test_listing_pages_through_all_real_estates(connection, fake_is24):
    for i in range(5):
        fake_is24.seed(
            "apartmentRent", {**APARTMENT["realestates.apartmentRent"], "externalId": f"X{i}"}
        )
    found = list(IS24Client(connection).iter_realestates(page_size=2))
    assert sorted(e["externalId"] for e in found) == [f"X{i}" for i in range(5)]
    assert len(fake_is24.calls("GET", r"/user/me/realestate$")) == 3


def test_no_secret_or_authorization_header_reaches_the_logs(connection, fake_is24, caplog):
    caplog.set_level(logging.DEBUG)
    client = IS24Client(connection)
    ident = client.create_realestate(APARTMENT)
    client.publish(ident, 10000)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "IS24 POST /user/me/realestate → 201" in text
    for secret in (
        FakeIS24.ACCESS_TOKEN_SECRET,
        FakeIS24.CONSUMER_SECRET,
        FakeIS24.ACCESS_TOKEN,
        "oauth_signature",
        "Authorization",
    ):
        assert secret not in text


def test_retry_after_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("soon") is None


def test_the_fixture_catches_a_deleted_real_estate_and_an_invalid_payload(connection, fake_is24):
    """The rules every IS24 test checks at teardown (``conftest.broken_rules``) can fail."""
    from tests.is24.conftest import broken_rules

    client = IS24Client(connection)
    ident = client.create_realestate(APARTMENT)
    assert broken_rules(fake_is24) == []
    client.request("DELETE", f"/user/me/realestate/{ident}")
    invalid = {"realestates.apartmentRent": dict(APARTMENT["realestates.apartmentRent"])}
    del invalid["realestates.apartmentRent"]["courtage"]
    with pytest.raises(IS24ValidationError):
        client.create_realestate(invalid)
    broken = broken_rules(fake_is24)
    assert (
        broken[0] == f"DELETE of a real estate: /restapi/api/offer/v1.0/user/me/realestate/{ident}"
    )
    assert broken[1].startswith("payload invalid against IS24's XSD: ('realestates.apartmentRent'")
    assert len(broken) == 2
    # Forget what was done on purpose, so that this test's own teardown check passes.
    fake_is24.requests.clear()
    fake_is24.invalid_payloads.clear()


def test_each_connection_talks_to_its_own_system_unless_a_host_is_configured(broker, settings):
    """IS24's sandbox and live system have separate tokens: the connection picks the host."""
    from wagtail_openimmo.is24.client import api_root, oauth_url

    live = IS24Connection(broker=broker, sandbox=False, access_token="t", access_token_secret="s")
    sandbox = IS24Connection(broker=broker, sandbox=True, access_token="t", access_token_secret="s")
    settings.WAGTAIL_OPENIMMO = {"IS24_CONSUMER_KEY": "k", "IS24_CONSUMER_SECRET": "c"}
    assert IS24Client(live).root == "https://rest.immobilienscout24.de/restapi/api/offer/v1.0"
    assert IS24Client(sandbox).root == (
        "https://rest.sandbox-immobilienscout24.de/restapi/api/offer/v1.0"
    )
    assert oauth_url("request_token", live) == (
        "https://rest.immobilienscout24.de/restapi/security/oauth/request_token"
    )
    assert oauth_url("confirm_access", sandbox) == (
        "https://rest.sandbox-immobilienscout24.de/restapi/security/oauth/confirm_access"
    )
    # IS24_API_BASE_URL sends every connection to one host (tests, staging, a proxy).
    settings.WAGTAIL_OPENIMMO = {"IS24_API_BASE_URL": "http://127.0.0.1:9/"}
    assert api_root(live) == api_root(sandbox) == "http://127.0.0.1:9/restapi/api/offer/v1.0"
