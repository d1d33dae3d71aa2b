"""The diff sync against the fake IS24 server: what IS24 demands, proved by recorded requests."""

import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.helpers import make_broker
from tests.is24.fake_server import API
from tests.is24.helpers import add_picture, make_image, make_listing
from wagtail_openimmo.is24 import sync as sync_module
from wagtail_openimmo.is24.client import IS24Client
from wagtail_openimmo.is24.models import IS24Connection, IS24ListingState
from wagtail_openimmo.is24.sync import listing_errors, listing_notices, sync_broker
from wagtail_openimmo.models import ListingPage

pytestmark = pytest.mark.django_db
REALESTATE_URL = rf"^{API}/user/me/realestate/[^/]+$"


def sync(broker, **kwargs):
    return sync_broker(broker, sleep=lambda seconds: None, **kwargs)


def state_of(listing) -> IS24ListingState:
    return IS24ListingState.objects.get(listing=listing)


def never_deleted_a_real_estate(server) -> bool:
    return server.calls("DELETE", REALESTATE_URL) == []


@pytest.fixture
def listings(broker, connection):
    return [make_listing(broker, n, images=2) for n in range(3)]


def test_first_sync_creates_uploads_and_publishes(broker, connection, fake_is24, listings):
    result = sync(broker)
    assert result.stopped == "" and result.errors == []
    assert (result.created, result.images_uploaded, result.unchanged) == (3, 6, 0)
    for listing in listings:
        state = state_of(listing)
        estate = fake_is24.realestates[state.is24_id]
        assert estate.external_id == listing.objektnr_extern
        assert fake_is24.is_published(state.is24_id)
        assert [a.metadata["titlePicture"] for a in estate.attachments] == ["true", "false"]
        assert [a.sha256 for a in estate.attachments] == [
            a.content_hash for a in listing.attachments.order_by("sort_order")
        ]
        assert [r.is24_attachment_id for r in state.attachments.order_by("position")] == [
            a.id for a in estate.attachments
        ]
    writes = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake_is24.writes()]
    assert writes.count(("POST", "realestate")) == 3
    assert writes.count(("POST", "attachment")) == 6
    assert writes.count(("POST", "publish")) == 3
    assert writes.count(("POST", "contact")) == 1  # one contact person on all three
    assert len(writes) == 13  # nothing else: no order PUT, no DELETE
    assert fake_is24.invalid_payloads == []
    connection.refresh_from_db()
    assert connection.adopted_at and connection.last_sync_at and not connection.sync_started_at


def test_second_sync_with_nothing_changed_sends_no_request(broker, connection, fake_is24, listings):
    sync(broker)
    fake_is24.clear_log()
    result = sync(broker)
    assert fake_is24.requests == []
    assert (result.unchanged, result.created, result.updated) == (3, 0, 0)


def test_one_changed_price_sends_one_put(broker, connection, fake_is24, listings):
    sync(broker)
    fake_is24.clear_log()
    listing = listings[0]
    listing.kaufpreis = listing.kaufpreis + Decimal("5000")
    listing.save_revision().publish()
    result = sync(broker)
    state = state_of(listing)
    assert [(r.method, r.path) for r in fake_is24.requests] == [
        ("PUT", f"{API}/user/me/realestate/{state.is24_id}")
    ]
    assert (result.updated, result.unchanged) == (1, 2)
    body = fake_is24.realestates[state.is24_id].body
    assert body["price"]["value"] == int(listing.kaufpreis)


@pytest.mark.parametrize("how", ["unpublish", "withdrawn_at", "reference", "delete_page"])
def test_a_withdrawn_listing_is_deactivated_and_never_deleted(
    broker, connection, fake_is24, listings, how
):
    sync(broker)
    listing = listings[1]
    ident = state_of(listing).is24_id
    state_pk = state_of(listing).pk
    if how == "unpublish":
        listing.unpublish()
    elif how == "withdrawn_at":
        ListingPage.objects.filter(pk=listing.pk).update(withdrawn_at=timezone.now())
    elif how == "reference":
        ListingPage.objects.filter(pk=listing.pk).update(is_reference=True)
    else:
        listing.delete()
    fake_is24.clear_log()
    result = sync(broker)
    assert [(r.method, r.path) for r in fake_is24.requests] == [
        ("DELETE", f"{API}/publish/{ident}_10000")
    ]
    assert result.deactivated == 1 and result.unchanged == 2
    assert ident in fake_is24.realestates and not fake_is24.is_published(ident)
    state = IS24ListingState.objects.get(pk=state_pk)
    assert not state.published and state.deactivated_at and state.is24_id == ident
    fake_is24.clear_log()
    sync(broker)
    assert fake_is24.requests == []  # deactivated once, not again and again


def test_a_returning_listing_is_published_again_on_the_same_id(
    broker, connection, fake_is24, listings
):
    sync(broker)
    listing = listings[0]
    ident = state_of(listing).is24_id
    listing.unpublish()
    sync(broker)
    listing = ListingPage.objects.get(pk=listing.pk)
    listing.title = "Wieder da: " + listing.title
    listing.save_revision().publish()
    fake_is24.clear_log()
    result = sync(broker)
    assert [(r.method, r.path) for r in fake_is24.requests] == [
        ("PUT", f"{API}/user/me/realestate/{ident}"),
        ("POST", f"{API}/publish"),
    ]
    assert fake_is24.requests[1].json()["common.publishObject"]["realEstate"]["@id"] == ident
    assert result.reactivated == 1 and result.created == 0
    assert fake_is24.is_published(ident) and len(fake_is24.realestates) == 3
    assert state_of(listing).deactivated_at is None


def test_a_returning_unchanged_listing_is_only_published(broker, connection, fake_is24, listings):
    sync(broker)
    listing = listings[2]
    listing.unpublish()
    sync(broker)
    ListingPage.objects.get(pk=listing.pk).save_revision().publish()
    fake_is24.clear_log()
    assert sync(broker).reactivated == 1
    assert [r.method + " " + r.path for r in fake_is24.requests] == [f"POST {API}/publish"]


def test_a_changed_image_is_replaced_and_the_others_are_not_uploaded_again(
    broker, connection, fake_is24
):
    listing = make_listing(broker, 0, images=3)
    sync(broker)
    state = state_of(listing)
    estate = fake_is24.realestates[state.is24_id]
    before = [a.id for a in estate.attachments]
    middle = listing.attachments.order_by("sort_order")[1]
    image, data = make_image(4242)
    middle.image = image
    middle.content_hash = hashlib.sha256(data).hexdigest()
    middle.md5 = ""
    middle.save()
    fake_is24.clear_log()
    result = sync(broker)
    assert (result.images_uploaded, result.images_deleted) == (1, 1)
    (post,) = fake_is24.calls("POST", r"/attachment$")  # exactly one upload: the new file
    assert hashlib.sha256(image.file.open("rb").read()).hexdigest() == middle.content_hash
    assert middle.content_hash.encode() in post.body  # as externalCheckSum in the metadata
    assert fake_is24.calls("DELETE", rf"/attachment/{before[1]}$")
    after = [a.id for a in estate.attachments]
    assert after[0] == before[0] and after[2] == before[2]  # kept and in place
    assert after[1] not in before
    assert estate.attachments[1].sha256 == middle.content_hash
    # The new picture was appended by IS24 and moved into place with one order PUT.
    assert len(fake_is24.calls("PUT", r"/attachmentsorder$")) == 1
    assert not fake_is24.calls("PUT", REALESTATE_URL)  # the listing itself is unchanged
    fake_is24.clear_log()
    sync(broker)
    assert fake_is24.requests == []


def test_image_title_order_and_removal_need_no_upload(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=3)
    sync(broker)
    estate = fake_is24.realestates[state_of(listing).is24_id]
    rows = list(listing.attachments.order_by("sort_order"))
    rows[1].titel = "Neue Küche"
    rows[1].save()
    rows[2].delete()
    fake_is24.clear_log()
    result = sync(broker)
    assert result.images_uploaded == 0 and result.images_deleted == 1
    methods = sorted((r.method, r.path.rsplit("/", 2)[-2]) for r in fake_is24.writes())
    assert methods == [("DELETE", "attachment"), ("PUT", "attachment")]
    assert [a.metadata.get("title") for a in estate.attachments] == ["Ansicht", "Neue Küche"]


def test_a_new_title_picture_is_set_in_place(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=2)
    sync(broker)
    estate = fake_is24.realestates[state_of(listing).is24_id]
    first, second = listing.attachments.order_by("sort_order")
    first.gruppe, second.gruppe = "BILD", "TITELBILD"
    first.save()
    second.save()
    fake_is24.clear_log()
    result = sync(broker)
    assert result.images_uploaded == 0
    assert [a.metadata["titlePicture"] for a in estate.attachments] == ["true", "false"]
    assert [a.sha256 for a in estate.attachments] == [second.content_hash, first.content_hash]
    assert not fake_is24.calls("POST", r"/attachment$")


def test_429_and_503_are_retried_during_a_sync(broker, connection, fake_is24, listings):
    fake_is24.fail_next(429, method="POST", path=r"/realestate$", retry_after="1")
    fake_is24.fail_next(503, method="POST", path=r"/realestate$")  # not carried out
    fake_is24.fail_next(503, times=2, method="POST", path=r"/publish$")
    fake_is24.fail_next(503, method="GET")
    result = sync(broker)
    assert result.errors == [] and result.created == 3
    assert len(fake_is24.realestates) == 3
    assert all(len(fake_is24.by_external_id(x.objektnr_extern)) == 1 for x in listings)
    statuses = [r.status for r in fake_is24.requests]
    assert statuses.count(429) == 1 and statuses.count(503) == 4
    assert all(fake_is24.is_published(state_of(x).is24_id) for x in listings)


def test_401_stops_the_sync_cleanly_and_marks_the_connection(
    broker, connection, fake_is24, listings
):
    sync(broker)
    for listing in listings:
        listing.kaufpreis = (listing.kaufpreis or Decimal(0)) + 1
        listing.kaltmiete = (listing.kaltmiete or Decimal(0)) + 1
        listing.save_revision().publish()
    fake_is24.revoke()
    fake_is24.clear_log()
    result = sync(broker)
    assert result.stopped == "needs_reauth"
    assert [e["code"] for e in result.errors] == ["NEEDS_REAUTH"]
    assert len(fake_is24.requests) == 1 and fake_is24.requests[0].status == 401
    connection.refresh_from_db()
    assert connection.needs_reauth and not connection.sync_started_at
    assert not any(s.last_error for s in IS24ListingState.objects.all())
    fake_is24.clear_log()
    again = sync(broker)
    assert again.stopped == "needs_reauth" and fake_is24.requests == []


def test_401_on_the_very_first_request_stops_cleanly(broker, connection, fake_is24, listings):
    fake_is24.revoke()
    result = sync(broker)
    assert result.stopped == "needs_reauth" and len(fake_is24.requests) == 1
    connection.refresh_from_db()
    assert connection.needs_reauth and connection.adopted_at is None
    assert not IS24ListingState.objects.exists()


def test_is24_down_stops_the_sync_and_the_next_run_completes(
    broker, connection, fake_is24, listings
):
    fake_is24.fail_next(503, times=4, method="POST", path=r"/publish$")
    result = sync(broker)
    assert result.stopped == "unavailable" and result.created == 1
    assert result.errors[-1]["code"] == "HTTP_503"
    connection.refresh_from_db()
    assert "503" in connection.last_error
    done = sync(broker)
    assert done.stopped == "" and done.created == 2
    assert len(fake_is24.realestates) == 3
    assert all(fake_is24.is_published(i) for i in fake_is24.realestates)
    connection.refresh_from_db()
    assert connection.last_error == ""


def test_a_crash_between_post_and_state_write_creates_no_duplicate(
    broker, connection, fake_is24, monkeypatch
):
    listing = make_listing(broker, 0, images=2)
    original = IS24Client.create_realestate

    def create_then_die(self, payload):
        original(self, payload)  # IS24 has created it ...
        raise SystemExit("killed")  # ... and the process dies before storing the id

    monkeypatch.setattr(IS24Client, "create_realestate", create_then_die)
    with pytest.raises(SystemExit):
        sync(broker)
    state = state_of(listing)
    assert state.is24_id == "" and state.create_started_at is not None
    monkeypatch.undo()
    result = sync(broker)
    assert result.errors == [] and result.adopted == 1
    (estate,) = fake_is24.by_external_id(listing.objektnr_extern)
    assert state_of(listing).is24_id == estate.id
    assert len(fake_is24.calls("POST", r"/realestate$")) == 1
    assert not fake_is24.calls("PUT", REALESTATE_URL)  # the payload was the one sent
    assert len(estate.attachments) == 2 and fake_is24.is_published(estate.id)


@pytest.mark.parametrize(
    ("method", "nth"),
    [
        ("upload_attachment", 2),  # the second of three pictures is on IS24, not in the state
        ("publish", 1),  # published, but the state does not know
        ("update_realestate", 1),  # a changed listing's PUT went through
        ("unpublish", 1),  # a withdrawn listing's publication is gone
    ],
)
def test_a_crash_after_any_request_is_completed_by_the_next_run_without_duplicates(
    broker, connection, fake_is24, monkeypatch, method, nth
):
    listing = make_listing(broker, 0, images=3)
    if method in ("update_realestate", "unpublish"):
        sync(broker)  # on IS24 already; now it changes or is withdrawn
        if method == "update_realestate":
            listing.kaufpreis += 1
            listing.save_revision().publish()
        else:
            listing.unpublish()
    original = getattr(IS24Client, method)
    calls = []

    def request_then_die(self, *args, **kwargs):
        answer = original(self, *args, **kwargs)  # IS24 carried it out ...
        calls.append(args)
        if len(calls) == nth:
            raise SystemExit("killed")  # ... and the process dies before the state write
        return answer

    monkeypatch.setattr(IS24Client, method, request_then_die)
    with pytest.raises(SystemExit):
        sync(broker)
    monkeypatch.undo()
    result = sync(broker)
    assert result.errors == []
    (estate,) = fake_is24.by_external_id(listing.objektnr_extern)
    assert len(fake_is24.realestates) == 1
    assert len(fake_is24.calls("POST", r"/realestate$")) == 1
    if method == "unpublish":
        assert not fake_is24.is_published(estate.id) and not state_of(listing).published
    else:
        assert fake_is24.is_published(estate.id) and state_of(listing).published
        assert estate.body["price"]["value"] == int(listing.kaufpreis)
    # Every picture once, in order, the title picture first; nothing uploaded twice.
    pictures = listing.attachments.order_by("sort_order")
    assert [a.sha256 for a in estate.attachments] == [p.content_hash for p in pictures]
    assert len(fake_is24.calls("POST", r"/attachment$")) == 3
    assert [a.metadata["titlePicture"] for a in estate.attachments] == ["true", "false", "false"]
    assert [r.is24_attachment_id for r in state_of(listing).attachments.order_by("position")] == [
        a.id for a in estate.attachments
    ]
    fake_is24.clear_log()
    sync(broker)
    assert fake_is24.requests == []  # and the state now knows all of it


def test_a_post_that_failed_for_the_client_but_not_for_is24_is_not_repeated(
    broker, connection, fake_is24
):
    listing = make_listing(broker, 0, images=1)
    fake_is24.fail_next(503, method="POST", path=r"/realestate$", after_success=True)
    fake_is24.fail_next(502, method="POST", path=r"/attachment$", after_success=True)
    result = sync(broker)
    assert result.errors == [] and result.created == 1
    (estate,) = fake_is24.by_external_id(listing.objektnr_extern)
    assert len(fake_is24.calls("POST", r"/realestate$")) == 1
    assert fake_is24.calls("GET", rf"/realestate/ext-{listing.objektnr_extern}$")
    assert len(estate.attachments) == 1 and len(fake_is24.calls("POST", r"/attachment$")) == 1
    assert state_of(listing).attachments.get().is24_attachment_id == estate.attachments[0].id


def test_the_first_sync_adopts_what_is_already_on_is24(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=2)
    other = make_listing(broker, 1, images=0)
    first, second = listing.attachments.order_by("sort_order")
    ident = fake_is24.seed(
        "apartmentBuy",
        {
            "externalId": listing.objektnr_extern,
            "title": "Alt",
            "address": {"city": "X"},
            "showAddress": "false",
            "livingSpace": 1,
            "numberOfRooms": 1,
            "courtage": {"hasCourtage": "NO"},
        },
        published=True,
        attachments=[
            {
                "@xsi.type": "common:Picture",
                "title": "Ansicht",
                "externalId": "other-software-1",
                "externalCheckSum": first.md5,
                "floorplan": "false",
                "titlePicture": "true",
            },
            {
                "@xsi.type": "common:Picture",
                "title": "Alt",
                "externalId": "other-software-2",
                "externalCheckSum": "0000",
                "floorplan": "false",
                "titlePicture": "false",
            },
        ],
    )
    result = sync(broker)
    assert result.adopted == 1 and result.created == 1  # ``other`` is new
    assert state_of(listing).is24_id == ident
    assert len(fake_is24.by_external_id(listing.objektnr_extern)) == 1
    estate = fake_is24.realestates[ident]
    assert estate.body["title"] == listing.title  # our content, by PUT
    assert [a.metadata["externalCheckSum"] for a in estate.attachments] == [
        first.md5,
        second.content_hash,
    ]  # the matching picture kept, the stranger replaced
    assert fake_is24.calls("GET", r"/user/me/realestate$")
    assert state_of(other).is24_id != ident
    assert never_deleted_a_real_estate(fake_is24)
    fake_is24.clear_log()
    sync(broker)
    assert fake_is24.requests == []


def test_a_type_change_becomes_a_new_object_and_deactivates_the_old(broker, connection, fake_is24):
    listing = make_listing(broker, 1, images=1)  # an apartment for rent
    sync(broker)
    old = state_of(listing).is24_id
    listing.vermarktungsart = "KAUF"
    listing.kaufpreis = Decimal("289000")
    listing.aussen_courtage = "3,57 %"
    listing.save_revision().publish()
    result = sync(broker)
    state = state_of(listing)
    assert result.replaced == 1 and result.created == 1 and result.errors == []
    assert state.is24_id != old and state.replaced_is24_ids == [old]
    assert state.realestate_type == "apartmentBuy"
    assert fake_is24.realestates[state.is24_id].type == "apartmentBuy"
    assert fake_is24.realestates[state.is24_id].external_id == listing.objektnr_extern
    assert fake_is24.realestates[old].external_id == f"{listing.objektnr_extern}-{old}"
    assert not fake_is24.is_published(old) and fake_is24.is_published(state.is24_id)
    assert never_deleted_a_real_estate(fake_is24)
    assert "apartmentRent to apartmentBuy" in state.notice
    (notice,) = listing_notices(broker)
    assert notice["replaced_is24_ids"] == [old] and notice["is24_id"] == state.is24_id


def test_an_is24_validation_error_is_stored_and_the_others_go_on(
    broker, connection, fake_is24, listings
):
    bad = listings[1]
    fake_is24.refuse_external_ids[bad.objektnr_extern] = (
        "address.houseNumber : MANDATORY_FIELD_EMPTY"
    )
    result = sync(broker)
    assert result.created == 2
    assert [(e["objektnr"], e["code"]) for e in result.errors] == [
        (bad.objektnr_extern, "ERROR_RESOURCE_VALIDATION")
    ]
    state = state_of(bad)
    assert "MANDATORY_FIELD_EMPTY" in state.last_error and not state.is24_id
    (reported,) = listing_errors(broker)
    assert reported["objektnr"] == bad.objektnr_extern
    assert "MANDATORY_FIELD_EMPTY" in reported["message"]
    # The same payload is not sent again ...
    fake_is24.clear_log()
    again = sync(broker)
    assert fake_is24.requests == [] and again.errors[0]["code"] == "ERROR_RESOURCE_VALIDATION"
    # ... until the broker fixes the listing.
    del fake_is24.refuse_external_ids[bad.objektnr_extern]
    bad.hausnummer = "12a"
    bad.save_revision().publish()
    fixed = sync(broker)
    assert fixed.created == 1 and fixed.errors == [] and listing_errors(broker) == []


def test_a_listing_that_cannot_be_mapped_is_reported_without_a_request(
    broker, connection, fake_is24
):
    good = make_listing(broker, 0, images=0)
    bad = make_listing(broker, 1, images=0, wohnflaeche=None)
    result = sync(broker)
    assert result.created == 1
    assert [(e["objektnr"], e["code"]) for e in result.errors] == [
        (bad.objektnr_extern, "MISSING_FIELD")
    ]
    assert len(fake_is24.by_external_id(good.objektnr_extern)) == 1
    assert fake_is24.by_external_id(bad.objektnr_extern) == []
    (reported,) = listing_errors(broker)
    assert reported["code"] == "MISSING_FIELD" and "Living area" in reported["message"]


def test_duplicate_object_numbers_are_refused(broker, connection, fake_is24):
    make_listing(broker, 0, images=0)
    twin = make_listing(broker, 6, images=0, objektnr_extern="W00000")
    result = sync(broker)
    assert result.created == 1
    assert result.errors[0]["code"] == "DUPLICATE_EXTERNAL_ID"
    assert state_of(twin).last_error_code == "DUPLICATE_EXTERNAL_ID"


def test_only_the_brokers_own_listings_are_synced(broker, connection, fake_is24):
    other = make_broker("other")
    mine = make_listing(broker, 0, images=0)
    theirs = make_listing(other, 1, images=0)
    sync(broker)
    assert fake_is24.by_external_id(mine.objektnr_extern)
    assert not fake_is24.by_external_id(theirs.objektnr_extern)
    assert sync(other).stopped == "no_connection"
    IS24Connection.objects.create(
        broker=other, active=False, access_token="x", access_token_secret="y"
    )
    assert sync(other).stopped == "inactive"


def test_a_dry_run_sends_nothing_and_plans_what_the_real_run_does(
    broker, connection, fake_is24, listings
):
    planned = sync(broker, dry_run=True)
    assert fake_is24.requests == []
    assert planned.created == 3 and planned.images_uploaded == 6
    done = sync(broker)
    assert (planned.created, planned.images_uploaded) == (done.created, done.images_uploaded)
    assert sorted((r["method"], r["path"].rsplit("/", 1)[-1]) for r in planned.requests) == (
        sorted(
            (r.method, r.path.rsplit("/", 1)[-1] + ("?" + r.query if r.query else ""))
            for r in fake_is24.requests
        )
    )
    listing = listings[0]
    listing.kaufpreis += 1
    listing.save_revision().publish()
    listings[1].unpublish()
    planned = sync(broker, dry_run=True)
    ident = state_of(listing).is24_id
    assert planned.requests == [
        {"method": "PUT", "path": f"/user/me/realestate/{ident}"},
        {"method": "DELETE", "path": f"/publish/{state_of(listings[1]).is24_id}_10000"},
    ]
    assert (planned.updated, planned.deactivated, planned.unchanged) == (1, 1, 1)


def test_a_second_sync_of_the_same_account_waits(broker, connection, fake_is24, listings):
    IS24Connection.objects.filter(pk=connection.pk).update(sync_started_at=timezone.now())
    assert sync(broker).stopped == "running" and fake_is24.requests == []
    IS24Connection.objects.filter(pk=connection.pk).update(
        sync_started_at=timezone.now() - sync_module.LEASE * 2
    )
    assert sync(broker).created == 3  # a dead sync's lease expires


def test_a_picture_added_later_is_uploaded_alone(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=1)
    sync(broker)
    add_picture(listing, 77, titel="Bad")
    fake_is24.clear_log()
    result = sync(broker)
    assert result.images_uploaded == 1 and result.images_deleted == 0
    assert [r.method for r in fake_is24.writes()] == ["POST"]


def test_an_object_deleted_on_is24_by_someone_else_is_created_again(
    broker, connection, fake_is24, listings
):
    sync(broker)
    listing = listings[0]
    gone = state_of(listing).is24_id
    del fake_is24.realestates[gone]
    fake_is24.publications.discard((gone, 10000))
    listing.kaufpreis += 1
    listing.save_revision().publish()
    result = sync(broker)
    assert result.errors == [] and result.created == 1
    (estate,) = fake_is24.by_external_id(listing.objektnr_extern)
    assert estate.id != gone and state_of(listing).is24_id == estate.id
    assert len(estate.attachments) == 2 and fake_is24.is_published(estate.id)


def test_an_unreadable_picture_is_reported_and_the_others_go_on(
    broker, connection, fake_is24, listings
):
    broken = listings[0].attachments.first()
    broken.image.file.storage.delete(broken.image.file.name)
    broken.content_hash = ""  # so the checksum must be read from the file
    broken.save()
    result = sync(broker)
    assert result.created == 2
    assert [(e["objektnr"], e["code"]) for e in result.errors] == [
        (listings[0].objektnr_extern, "ATTACHMENT_UNREADABLE")
    ]


def test_a_refused_publication_is_tried_again_next_time(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=0)
    fake_is24.fail_next(403, method="POST", path=r"/publish$")
    result = sync(broker)
    assert result.errors[0]["code"] == "HTTP_403" and result.created == 1
    assert state_of(listing).last_error_code == "HTTP_403"
    fake_is24.clear_log()
    again = sync(broker)
    assert again.errors == [] and [r.path for r in fake_is24.writes()] == [f"{API}/publish"]
    assert state_of(listing).last_error == "" and state_of(listing).published


def test_listings_are_read_in_chunks(broker, connection, fake_is24, monkeypatch):
    monkeypatch.setattr(sync_module, "CHUNK", 1)
    make_listing(broker, 0, images=1)
    make_listing(broker, 1, images=1)
    twin = make_listing(broker, 6, images=0, objektnr_extern="W00000")
    result = sync(broker)
    assert (result.created, result.images_uploaded) == (2, 2)
    assert [e["code"] for e in result.errors] == ["DUPLICATE_EXTERNAL_ID"]
    assert state_of(twin).last_error_code == "DUPLICATE_EXTERNAL_ID"


def test_a_401_stops_only_that_brokers_sync(broker, other_broker, connection, fake_is24):
    fake_is24.access_tokens["token-b"] = "secret-b"
    other = IS24Connection.objects.create(
        broker=other_broker, access_token="token-b", access_token_secret="secret-b"
    )
    make_listing(broker, 0, images=0)
    theirs = make_listing(other_broker, 1, images=0)
    fake_is24.revoke()  # broker's token; other_broker's still works
    by_broker = {r.broker: r for r in sync_module.sync_all()}
    assert by_broker[broker.slug].stopped == "needs_reauth"
    assert by_broker[other_broker.slug].stopped == "" and by_broker[other_broker.slug].created == 1
    connection.refresh_from_db()
    other.refresh_from_db()
    assert connection.needs_reauth and not other.needs_reauth
    assert [e.external_id for e in fake_is24.realestates.values()] == [theirs.objektnr_extern]
