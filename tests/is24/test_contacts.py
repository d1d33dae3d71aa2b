"""The listing's contact person as an IS24 realtor contact: created once per person, updated
only when the person changes, named by each of the person's listings."""

import pytest

from tests.is24.helpers import make_listing
from tests.is24.xsd import xsd_errors
from wagtail_openimmo.is24.mapping import contact_of, map_listing
from wagtail_openimmo.is24.models import IS24Contact, IS24ListingState
from wagtail_openimmo.is24.sync import sync_broker

pytestmark = pytest.mark.django_db

ERIKA = {
    "kontakt_anrede": "Frau",
    "kontakt_vorname": "Erika",
    "kontakt_name": "Mustermann",
    "kontakt_email": "erika.mustermann@example.com",
    "kontakt_telefon": "030 1234567",
    "kontakt_firma": "Demo Immobilien GmbH",
}
MAX = {
    "kontakt_anrede": "Herr",
    "kontakt_vorname": "Max",
    "kontakt_name": "Makler",
    "kontakt_email": "max@example.com",
    "kontakt_telefon": "+49 89 7654321",
}
NOBODY = {"kontakt_name": None, "kontakt_email": None, "kontakt_vorname": None}


def sync(broker):
    return sync_broker(broker, sleep=lambda seconds: None)


def contact_calls(server):
    return [
        (r.method, r.path.split("/user/me/", 1)[1])
        for r in server.requests
        if "/user/me/contact" in r.path
    ]


def estate_of(server, listing):
    return server.realestates[IS24ListingState.objects.get(listing=listing).is24_id]


def test_the_contact_payload_is_valid_and_stable_per_broker_and_person(broker, other_broker):
    listing = make_listing(broker, 0, images=0, **ERIKA)
    contact = contact_of(listing, broker.pk)
    assert xsd_errors(contact.payload) == []
    assert contact.payload["common.realtorContactDetail"] == {
        "email": "erika.mustermann@example.com",
        "salutation": "FEMALE",
        "firstname": "Erika",
        "lastname": "Mustermann",
        "phoneNumber": "+49 30 1234567",
        "company": "Demo Immobilien GmbH",
        "externalId": contact.external_id,
    }
    # The same person, written differently, is the same contact; another broker's is not.
    again = make_listing(
        broker, 1, images=0, **{**ERIKA, "kontakt_email": "Erika.Mustermann@example.com"}
    )
    assert contact_of(again, broker.pk).external_id == contact.external_id
    theirs = make_listing(other_broker, 0, images=0, **ERIKA)
    assert contact_of(theirs, other_broker.pk).external_id != contact.external_id
    # The listing names the contact by its external id.
    body = map_listing(listing, contact_external_id=contact.external_id).payload
    assert body["realestates.apartmentBuy"]["contact"] == {"@externalId": contact.external_id}
    assert xsd_errors(body) == []


def test_one_post_for_a_person_on_many_listings_put_on_change_nothing_unchanged(
    broker, connection, fake_is24
):
    erikas = [make_listing(broker, n, images=0, **ERIKA) for n in range(3)]
    maxs = make_listing(broker, 3, images=0, **MAX)
    nobodys = make_listing(broker, 4, images=0, **NOBODY)

    result = sync(broker)
    assert result.errors == [] and result.created == 5
    assert (result.contacts_created, result.contacts_updated) == (2, 0)
    assert sorted(contact_calls(fake_is24)) == [("POST", "contact"), ("POST", "contact")]
    erika = fake_is24.contact_by_external_id(contact_of(erikas[0], broker.pk).external_id)
    assert erika.body["lastname"] == "Mustermann" and erika.body["phoneNumber"] == "+49 30 1234567"
    for listing in erikas:
        assert estate_of(fake_is24, listing).body["contact"] == {"@externalId": erika.external_id}
    assert estate_of(fake_is24, maxs).body["contact"]["@externalId"] != erika.external_id
    assert "contact" not in estate_of(fake_is24, nobodys).body  # IS24's account default
    assert IS24Contact.objects.filter(connection=connection).count() == 2

    # Nothing changed: no request for contacts (nor anything else).
    fake_is24.clear_log()
    result = sync(broker)
    assert result.unchanged == 5 and fake_is24.writes() == []
    assert contact_calls(fake_is24) == []

    # Erika's phone changes on all her listings: one PUT of the contact, her listings unchanged.
    fake_is24.clear_log()
    for listing in erikas:
        listing.kontakt_telefon = "+49 30 7777777"
        listing.save()
    result = sync(broker)
    assert (result.contacts_created, result.contacts_updated) == (0, 1)
    assert contact_calls(fake_is24) == [("PUT", f"contact/{erika.id}")]
    assert [w.method for w in fake_is24.writes()] == ["PUT"]
    assert fake_is24.contacts[erika.id].body["phoneNumber"] == "+49 30 7777777"
    assert result.unchanged == 5

    # Max takes over one of Erika's listings: that listing is PUT, no contact request.
    fake_is24.clear_log()
    erikas[0].kontakt_vorname, erikas[0].kontakt_name = MAX["kontakt_vorname"], "Makler"
    erikas[0].kontakt_email, erikas[0].kontakt_telefon = (
        MAX["kontakt_email"],
        MAX["kontakt_telefon"],
    )
    erikas[0].kontakt_anrede, erikas[0].kontakt_firma = "Herr", maxs.kontakt_firma
    erikas[0].save()
    result = sync(broker)
    assert contact_calls(fake_is24) == []
    assert result.updated == 1
    assert (
        estate_of(fake_is24, erikas[0]).body["contact"]
        == estate_of(fake_is24, maxs).body["contact"]
    )


def test_a_contact_deleted_on_is24_is_created_again(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=0, **ERIKA)
    sync(broker)
    (row,) = IS24Contact.objects.filter(connection=connection)
    del fake_is24.contacts[row.is24_id]
    listing.kontakt_telefon = "+49 30 999999"
    listing.save()
    result = sync(broker)
    assert result.errors == []
    assert result.contacts_created == 1
    row.refresh_from_db()
    assert fake_is24.contacts[row.is24_id].body["phoneNumber"] == "+49 30 999999"


def test_a_contact_already_on_is24_is_adopted_not_duplicated(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=0, **ERIKA)
    external_id = contact_of(listing, broker.pk).external_id
    seeded = fake_is24.seed_contact(
        {"email": ERIKA["kontakt_email"], "lastname": "Alt", "externalId": external_id}
    )
    result = sync(broker)
    assert result.errors == []
    assert list(fake_is24.contacts) == [seeded]
    assert fake_is24.contacts[seeded].body["lastname"] == "Mustermann"  # made ours by a PUT
    assert IS24Contact.objects.get(connection=connection).is24_id == seeded


def test_the_dry_run_plans_the_contact_requests(broker, connection, fake_is24):
    make_listing(broker, 0, images=0, **ERIKA)
    make_listing(broker, 1, images=0, **ERIKA)
    planned = sync_broker(broker, dry_run=True).requests
    assert planned.count({"method": "POST", "path": "/user/me/contact"}) == 1
    assert fake_is24.requests == []


def test_a_contact_is24_refuses_is_the_error_of_its_listings_only(broker, connection, fake_is24):
    refused = [make_listing(broker, n, images=0, **ERIKA) for n in range(2)]
    fine = make_listing(broker, 2, images=0, **MAX)
    fake_is24.fail_next(412, method="POST", path=r"/user/me/contact$")
    result = sync(broker)
    assert sorted(e["objektnr"] for e in result.errors) == sorted(
        listing.objektnr_extern for listing in refused
    )
    # One refused POST for Erika, not one per listing; Max's listing went through.
    posts = [r for r in fake_is24.requests if r.method == "POST" and r.path.endswith("/contact")]
    assert len(posts) == 2
    assert IS24ListingState.objects.get(listing=fine).published
    # The next run tries again (a contact's refusal is not kept like a listing's) and succeeds.
    result = sync(broker)
    assert result.errors == [] and result.created == 2 and result.contacts_created == 1
