"""The IS24 admin: the three-legged OAuth flow end to end, write-only secrets, state views."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from tests.is24.fake_server import FakeIS24
from tests.is24.helpers import make_listing
from wagtail_openimmo.is24.models import IS24Connection, IS24ListingState
from wagtail_openimmo.is24.sync import sync_broker

pytestmark = pytest.mark.django_db


def edit_url(connection):
    return reverse(IS24Connection.snippet_viewset.get_url_name("edit"), args=[connection.pk])


def test_the_oauth_flow_connects_the_account_end_to_end(admin_client, broker, fake_is24, caplog):
    caplog.set_level(logging.DEBUG)
    connection = IS24Connection.objects.create(broker=broker)
    authorise = reverse("wagtail_openimmo_is24:authorise", args=[connection.pk])
    page = admin_client.get(authorise)
    assert page.status_code == 200 and b"Continue to ImmobilienScout24" in page.content

    # 1. request token, then off to IS24's confirm_access page
    response = admin_client.post(authorise)
    assert response.status_code == 302
    to_is24 = response["Location"]
    assert to_is24.startswith(f"{fake_is24.base_url}/restapi/security/oauth/confirm_access?")
    connection.refresh_from_db()
    token = parse_qs(urlsplit(to_is24).query)["oauth_token"][0]
    assert connection.pending_request_token == token
    request_token_secret = connection.pending_request_token_secret

    # 2. the broker agrees at IS24, which redirects the browser back to our callback
    at_is24 = requests.get(to_is24, allow_redirects=False, timeout=5)
    assert at_is24.status_code == 302
    back = urlsplit(at_is24.headers["Location"])
    assert back.path == reverse("wagtail_openimmo_is24:oauth_callback")
    assert parse_qs(back.query)["state"] == ["authorized"]

    # 3. the callback exchanges the verifier for the access token
    done = admin_client.get(f"{back.path}?{back.query}", follow=True)
    assert done.status_code == 200
    assert b"is connected with ImmobilienScout24" in done.content
    connection.refresh_from_db()
    assert connection.is_authorised and connection.pending_request_token == ""
    assert connection.access_token in fake_is24.access_tokens
    assert connection.access_token != FakeIS24.ACCESS_TOKEN  # a new one, issued by the flow
    # the admin never shows the token or a secret
    for secret in (
        connection.access_token,
        connection.access_token_secret,
        FakeIS24.CONSUMER_SECRET,
    ):
        assert secret.encode() not in done.content
    # nor do the logs of the whole flow
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "authorised" in logged
    for secret in (
        connection.access_token,
        connection.access_token_secret,
        FakeIS24.CONSUMER_SECRET,
        request_token_secret,
        "oauth_signature",
        "Authorization",
    ):
        assert secret not in logged

    # and the token works: the sync signs with it
    make_listing(broker, 0, images=0)
    assert sync_broker(broker).created == 1


def test_the_callback_refuses_unknown_and_rejected_authorisations(admin_client, broker, fake_is24):
    callback = reverse("wagtail_openimmo_is24:oauth_callback")
    response = admin_client.get(f"{callback}?oauth_token=forged&oauth_verifier=x", follow=True)
    assert b"unknown or has expired" in response.content
    connection = IS24Connection.objects.create(broker=broker)
    admin_client.post(reverse("wagtail_openimmo_is24:authorise", args=[connection.pk]))
    connection.refresh_from_db()
    token = connection.pending_request_token
    response = admin_client.get(f"{callback}?state=rejected&oauth_token={token}", follow=True)
    assert b"was not granted" in response.content
    connection.refresh_from_db()
    assert connection.pending_request_token == "" and not connection.access_token


def test_wrong_consumer_credentials_give_a_clear_message(admin_client, broker, fake_is24):
    connection = IS24Connection.objects.create(
        broker=broker, consumer_key="wrong", consumer_secret="wrong"
    )
    response = admin_client.post(
        reverse("wagtail_openimmo_is24:authorise", args=[connection.pk]), follow=True
    )
    assert b"did not hand out a request token" in response.content


def test_the_consumer_secret_is_write_only(admin_client, broker, fake_is24):
    connection = IS24Connection.objects.create(
        broker=broker, consumer_key="key-1", consumer_secret="very-secret-1"
    )
    page = admin_client.get(edit_url(connection))
    assert page.status_code == 200
    assert b"very-secret-1" not in page.content and b"key-1" in page.content
    form = {
        "broker": broker.pk,
        "sandbox": "on",
        "active": "on",
        "consumer_key": "key-2",
        "consumer_secret": "",
    }
    response = admin_client.post(edit_url(connection), form)
    assert response.status_code == 302, response.content[:2000]
    connection.refresh_from_db()
    assert connection.consumer_key == "key-2" and connection.consumer_secret == "very-secret-1"
    admin_client.post(edit_url(connection), {**form, "consumer_secret": "very-secret-2"})
    connection.refresh_from_db()
    assert connection.consumer_secret == "very-secret-2"


def test_listing_states_are_shown_with_links_and_cannot_be_edited(
    admin_client, broker, connection, fake_is24
):
    listing = make_listing(broker, 0, images=0)
    make_listing(broker, 1, images=0, wohnflaeche=None)
    sync_broker(broker)
    state = IS24ListingState.objects.get(listing=listing)
    viewset = IS24ListingState.snippet_viewset
    index = admin_client.get(reverse(viewset.get_url_name("list")))
    assert index.status_code == 200
    html = index.content.decode()
    assert f"https://www.sandbox-immobilienscout24.de/expose/{state.is24_id}" in html
    assert "Living area is required by IS24" in html
    assert admin_client.get(reverse(viewset.get_url_name("add"))).status_code in (302, 403)
    edit = admin_client.get(reverse(viewset.get_url_name("edit"), args=[state.pk]))
    assert edit.status_code in (302, 403)
    delete = admin_client.post(reverse(viewset.get_url_name("delete"), args=[state.pk]))
    assert (
        delete.status_code in (302, 403) and IS24ListingState.objects.filter(pk=state.pk).exists()
    )
    inspect = admin_client.get(reverse(viewset.get_url_name("inspect"), args=[state.pk]))
    assert inspect.status_code == 200 and state.is24_id.encode() in inspect.content


def test_the_listing_edit_view_shows_its_is24_state(admin_client, broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=0)
    sync_broker(broker)
    state = IS24ListingState.objects.get(listing=listing)
    page = admin_client.get(reverse("wagtailadmin_pages:edit", args=[listing.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"IS24: published ({state.is24_id})" in html
    assert f"/expose/{state.is24_id}" in html


def test_sync_now_runs_the_brokers_sync(admin_client, broker, connection, fake_is24):
    make_listing(broker, 0, images=0)
    sync_url = reverse("wagtail_openimmo_is24:sync_now", args=[connection.pk])
    assert f'formaction="{sync_url}"' in admin_client.get(edit_url(connection)).content.decode()
    response = admin_client.post(sync_url)
    assert response.status_code == 302
    assert len(fake_is24.realestates) == 1  # the test settings run django-q tasks at once


def test_connection_list_has_the_authorise_button(admin_client, broker, connection):
    index = admin_client.get(reverse(IS24Connection.snippet_viewset.get_url_name("list")))
    assert index.status_code == 200
    assert reverse("wagtail_openimmo_is24:authorise", args=[connection.pk]).encode() in (
        index.content
    )
    assert FakeIS24.ACCESS_TOKEN.encode() not in index.content


def test_a_type_change_is_shown_in_the_admin(admin_client, broker, connection, fake_is24):
    from decimal import Decimal

    listing = make_listing(broker, 1, images=0)  # an apartment for rent
    sync_broker(broker)
    old = IS24ListingState.objects.get(listing=listing).is24_id
    listing.vermarktungsart = "KAUF"
    listing.kaufpreis = Decimal("289000")
    listing.aussen_courtage = "3,57 %"
    listing.save_revision().publish()
    sync_broker(broker)
    state = IS24ListingState.objects.get(listing=listing)
    viewset = IS24ListingState.snippet_viewset
    expected = (
        "apartmentRent to apartmentBuy, which IS24 cannot change in place: the listing became "
        f"a new IS24 object and the old object {old} was deactivated"
    )
    index = admin_client.get(reverse(viewset.get_url_name("list")))
    assert expected in index.content.decode()
    inspect = admin_client.get(reverse(viewset.get_url_name("inspect"), args=[state.pk]))
    assert expected in inspect.content.decode() and old in inspect.content.decode()


def test_no_admin_page_of_a_connection_shows_its_token_or_secrets(
    admin_client, broker, connection, fake_is24
):
    connection.consumer_key = "own-key"
    connection.consumer_secret = "own-consumer-secret"
    connection.save()
    viewset = IS24Connection.snippet_viewset
    pages = {
        "list": admin_client.get(reverse(viewset.get_url_name("list"))),
        "edit": admin_client.get(edit_url(connection)),
        "authorise": admin_client.get(
            reverse("wagtail_openimmo_is24:authorise", args=[connection.pk])
        ),
        "history": admin_client.get(reverse(viewset.get_url_name("history"), args=[connection.pk])),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        html = page.content.decode()
        assert broker.name in html or name == "history", name
        for secret in (
            FakeIS24.ACCESS_TOKEN,
            FakeIS24.ACCESS_TOKEN_SECRET,
            "own-consumer-secret",
            FakeIS24.CONSUMER_SECRET,
        ):
            assert secret not in html, (name, secret)
    # The edit form has no field that could show the token: it is not editable at all.
    assert 'name="access_token' not in pages["edit"].content.decode()


def test_a_refused_token_is_replaced_by_authorising_again_and_the_sync_resumes(
    admin_client, broker, connection, fake_is24
):
    list_url = reverse(IS24Connection.snippet_viewset.get_url_name("list"))

    def said(text):  # the list filter names the status too: count, do not just look
        return admin_client.get(list_url).content.decode().count(text)

    make_listing(broker, 0, images=0)
    before = said("needs re-authorisation")
    fake_is24.revoke()
    assert sync_broker(broker).stopped == "needs_reauth"
    connection.refresh_from_db()
    assert connection.needs_reauth
    assert said("needs re-authorisation") == before + 1

    to_is24 = admin_client.post(reverse("wagtail_openimmo_is24:authorise", args=[connection.pk]))[
        "Location"
    ]
    back = urlsplit(requests.get(to_is24, allow_redirects=False, timeout=5).headers["Location"])
    admin_client.get(f"{back.path}?{back.query}")
    connection.refresh_from_db()
    assert not connection.needs_reauth and connection.access_token != FakeIS24.ACCESS_TOKEN
    result = sync_broker(broker)
    assert result.stopped == "" and result.created == 1


def test_contacts_on_is24_are_listed_and_cannot_be_edited(
    admin_client, broker, connection, fake_is24
):
    from wagtail_openimmo.is24.models import IS24Contact

    make_listing(broker, 0, images=0)
    sync_broker(broker)
    contact = IS24Contact.objects.get(connection=connection)
    viewset = IS24Contact.snippet_viewset
    index = admin_client.get(reverse(viewset.get_url_name("list")))
    html = index.content.decode()
    assert index.status_code == 200
    assert "Erika Mustermann" in html and contact.is24_id in html
    assert admin_client.get(reverse(viewset.get_url_name("add"))).status_code in (302, 403)
    edit = admin_client.get(reverse(viewset.get_url_name("edit"), args=[contact.pk]))
    assert edit.status_code in (302, 403)


def test_only_the_user_who_started_the_flow_can_finish_it(
    admin_client, client, django_user_model, broker, fake_is24
):
    """Issue 15, item 11: the callback did not check who finishes the flow."""
    connection = IS24Connection.objects.create(broker=broker)
    to_is24 = admin_client.post(
        reverse("wagtail_openimmo_is24:authorise", args=[connection.pk])
    )["Location"]
    at_is24 = requests.get(to_is24, allow_redirects=False, timeout=5)
    back = urlsplit(at_is24.headers["Location"])
    other = django_user_model.objects.create_superuser("other", "other@example.com", "pw")
    client.force_login(other)
    refused = client.get(f"{back.path}?{back.query}", follow=True)
    assert b"started by another user" in refused.content
    connection.refresh_from_db()
    assert not connection.is_authorised and connection.pending_request_token
    # the user who started it still can
    done = admin_client.get(f"{back.path}?{back.query}", follow=True)
    assert b"is connected with ImmobilienScout24" in done.content
    connection.refresh_from_db()
    assert connection.is_authorised
