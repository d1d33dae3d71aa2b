"""IS24 problems reach the broker: the IS24 section of the import report."""

from decimal import Decimal

import pytest
from django.core import mail

from tests.is24.helpers import make_listing
from tests.runs import make_run
from wagtail_openimmo.is24.models import IS24Connection
from wagtail_openimmo.is24.sync import sync_broker
from wagtail_openimmo.reports import render_run_report, send_run_report

pytestmark = pytest.mark.django_db


def sync(broker):
    return sync_broker(broker, sleep=lambda seconds: None)


def created(*listings) -> list[dict]:
    return [
        {"objektnr": x.objektnr_extern, "title": x.title, "action": "CHANGE",
         "outcome": "created", "line": 1 + i, "listing": x}
        for i, x in enumerate(listings)
    ]  # fmt: skip


def english(broker):
    broker.language = "en"
    broker.save()


def test_the_report_names_listings_is24_refused_and_ones_it_cannot_take(
    broker, connection, fake_is24
):
    english(broker)
    refused = make_listing(broker, 0, images=0)
    fake_is24.refuse_external_ids[refused.objektnr_extern] = "address.street : INVALID"
    sync(broker)
    # Imported now, not synced yet: checked against the mapping at once.
    unmappable = make_listing(broker, 1, images=0, wohnflaeche=None)
    fine = make_listing(broker, 3, images=0)
    run = make_run(broker, entries=created(unmappable, fine))
    _subject, text, html = render_run_report(run)
    assert "ImmobilienScout24" in text
    assert "2 listings are not on IS24 as they are here:" in text
    assert f"* {refused.objektnr_extern} – {refused.title}" in text
    assert "address.street : INVALID" in text
    assert f"* {unmappable.objektnr_extern} – {unmappable.title}" in text
    assert "Living area is required by IS24" in text
    assert fine.objektnr_extern not in text.split("ImmobilienScout24", 1)[1]
    assert "Living area is required by IS24" in html and "address.street : INVALID" in html


def test_a_listing_fixed_in_this_import_is_no_longer_reported(broker, connection, fake_is24):
    english(broker)
    listing = make_listing(broker, 1, images=0, wohnflaeche=None)
    sync(broker)
    listing.wohnflaeche = Decimal("72.5")
    listing.save_revision().publish()
    _subject, text, _html = render_run_report(make_run(broker, entries=created(listing)))
    assert "ImmobilienScout24" not in text and "Living area" not in text


def test_a_type_change_is_told_once_and_a_refused_token_always(broker, connection, fake_is24):
    english(broker)
    listing = make_listing(broker, 1, images=0)  # an apartment for rent
    sync(broker)
    old = connection.listing_states.get().is24_id
    listing.vermarktungsart = "KAUF"
    listing.kaufpreis = Decimal("289000")
    listing.aussen_courtage = "3,57 %"
    listing.save_revision().publish()
    sync(broker)
    first = make_run(broker, entries=created(listing))
    text = render_run_report(first)[1]
    assert "Changes on IS24 you should know about:" in text
    assert "apartmentRent to apartmentBuy" in text and old in text
    assert send_run_report(first) and "apartmentBuy" in mail.outbox[0].body
    # The next report does not repeat it ...
    second = make_run(broker, entries=created(listing))
    assert "ImmobilienScout24" not in render_run_report(second)[1]
    # ... but a connection whose token IS24 refused is mentioned until it is fixed.
    IS24Connection.objects.filter(pk=connection.pk).update(needs_reauth=True)
    text = render_run_report(second)[1]
    assert "IS24 refused the access token" in text


def test_no_is24_section_without_an_active_connection(broker, fake_is24):
    english(broker)
    listing = make_listing(broker, 1, images=0, wohnflaeche=None)
    run = make_run(broker, entries=created(listing))
    assert "ImmobilienScout24" not in render_run_report(run)[1]
    connection = IS24Connection.objects.create(broker=broker, active=False)
    assert "ImmobilienScout24" not in render_run_report(run)[1]
    connection.active = True
    connection.save()
    assert "Living area is required by IS24" in render_run_report(run)[1]


def test_the_german_report_renders_the_is24_section(broker, connection, fake_is24):
    listing = make_listing(broker, 1, images=0, wohnflaeche=None)
    assert broker.language == "de"
    run = make_run(broker, entries=created(listing))
    _subject, text, html = render_run_report(run)
    assert "Hallo Acme," in text and "ImmobilienScout24" in text
    assert listing.objektnr_extern in text.split("ImmobilienScout24", 1)[1]
