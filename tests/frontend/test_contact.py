"""The enquiry form: it e-mails the broker, protects against spam and stores nothing."""

import time

import pytest
from django.apps import apps
from django.core import mail, signing

from tests.frontend.html import parse, text
from tests.frontend.listings import make_listing
from wagtail_openimmo.frontend.contact import SIGNING_SALT

pytestmark = pytest.mark.django_db


def token(listing, age: float = 30) -> str:
    """The form's signed token (listing and time) as if rendered ``age`` seconds ago."""
    return signing.dumps(f"{listing.pk}:{time.time() - age}", salt=SIGNING_SALT)


def enquiry(listing, **overrides) -> dict:
    data = {
        "contact-name": "Max Interessent",
        "contact-email": "max@example.org",
        "contact-phone": "+49 6131 123",
        "contact-message": "Ist die Wohnung noch frei?\nGruß Max",
        "contact-privacy": "on",
        "contact-website": "",
        "contact-ts": token(listing),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def broker_mails() -> list:
    """The enquiries sent to brokers (each enquirer also gets a confirmation)."""
    return [m for m in mail.outbox if m.reply_to == ["max@example.org"]]


def row_counts() -> dict:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}


@pytest.fixture
def page(broker):
    return make_listing(broker, 0, kontakt_email="erika@makler.example")


def test_enquiry_is_mailed_to_the_contact_person_and_nothing_is_stored(client, page):
    before = row_counts()
    response = client.post(page.url, enquiry(page))
    assert response.status_code == 302
    assert response["Location"] == f"{page.url}?contact=sent#contact"
    assert row_counts() == before

    # The broker's mail, then the confirmation to the enquirer (tests/leads).
    assert [m.to for m in mail.outbox] == [["erika@makler.example"], ["max@example.org"]]
    message = mail.outbox[0]
    assert message.to == ["erika@makler.example"]
    assert message.reply_to == ["max@example.org"]
    assert message.from_email == "portal@example.com"
    # The broker's report language is German (the default): subject and body follow it
    # once the de catalogue is compiled; the contents are there either way.
    assert page.objektnr_extern in message.subject and page.title in message.subject
    assert "Ist die Wohnung noch frei?\nGruß Max" in message.body
    assert "+49 6131 123" in message.body and page.get_full_url() in message.body

    thanks = parse(client.get(response["Location"]))
    assert "Thank you!" in text(thanks.xpath("//*[@role='status']")[0])


def test_without_a_contact_person_the_broker_gets_the_enquiry(client, broker):
    page = make_listing(broker, 0, kontakt_email=None)
    client.post(page.url, enquiry(page))
    assert mail.outbox[0].to == [broker.email]


def test_invalid_enquiry_shows_errors_and_keeps_the_input(client, page):
    response = client.post(
        page.url, enquiry(page, **{"contact-email": "not-an-address", "contact-privacy": None})
    )
    assert response.status_code == 200
    assert mail.outbox == []
    tree = parse(response)
    assert tree.get_element_by_id("id_contact-email").get("aria-invalid") == "true"
    assert tree.get_element_by_id("id_contact-name").get("value") == "Max Interessent"
    assert tree.xpath("//ul[@id='id_contact-privacy_error']")


def test_honeypot_pretends_success_and_sends_nothing(client, page):
    response = client.post(page.url, enquiry(page, **{"contact-website": "http://spam.example"}))
    assert response.status_code == 302 and "contact=sent" in response["Location"]
    assert mail.outbox == []


def test_forged_token_sends_nothing(client, page):
    response = client.post(page.url, enquiry(page, **{"contact-ts": "1700000000"}))
    assert response.status_code == 302
    assert mail.outbox == []


def test_too_fast_submission_is_refused_until_the_visitor_took_some_time(client, page, settings):
    settings.WAGTAIL_OPENIMMO = {"CONTACT_MIN_SECONDS": 5}
    quick = enquiry(page, **{"contact-ts": token(page, age=1)})
    response = client.post(page.url, quick)
    assert response.status_code == 200 and mail.outbox == []
    assert b"That was very quick." in response.content
    # The form keeps the original timestamp, so sending it again later works.
    rendered = parse(response).get_element_by_id("id_contact-ts").get("value")
    assert rendered == quick["contact-ts"]
    later = enquiry(page, **{"contact-ts": token(page, age=6)})
    assert client.post(page.url, later).status_code == 302
    assert len(broker_mails()) == 1


def test_expired_form_gets_a_fresh_token(client, page, settings):
    settings.WAGTAIL_OPENIMMO = {"CONTACT_MAX_AGE": -1}
    old = enquiry(page)
    response = client.post(page.url, old)
    assert response.status_code == 200 and mail.outbox == []
    assert b"The form has expired." in response.content
    fresh = parse(response).get_element_by_id("id_contact-ts").get("value")
    assert fresh != old["contact-ts"]
    listing, _sep, stamp = signing.loads(fresh, salt=SIGNING_SALT).partition(":")
    assert listing == str(page.pk) and float(stamp) > time.time() - 5


def test_rate_limit_per_client_ip(client, page, settings):
    settings.WAGTAIL_OPENIMMO = {"CONTACT_RATE_LIMIT": 2}
    for _ in range(2):
        assert client.post(page.url, enquiry(page), REMOTE_ADDR="203.0.113.7").status_code == 302
    refused = client.post(page.url, enquiry(page), REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 200
    assert b"several enquiries in a short time" in refused.content
    assert len(broker_mails()) == 2
    # Another visitor is not affected.
    assert client.post(page.url, enquiry(page), REMOTE_ADDR="198.51.100.1").status_code == 302
    assert len(broker_mails()) == 3


def test_rate_limit_behind_a_proxy_uses_the_configured_header(client, page, settings):
    settings.WAGTAIL_OPENIMMO = {
        "CONTACT_RATE_LIMIT": 1,
        "CONTACT_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
    }
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # the right-most address is what the proxy saw; left of it is the client's own words
    forwarded = "HTTP_X_FORWARDED_FOR"
    client.post(page.url, enquiry(page), **{forwarded: "1.2.3.4, 203.0.113.7"}, **proxy)
    client.post(page.url, enquiry(page), **{forwarded: "198.51.100.1"}, **proxy)
    assert len(broker_mails()) == 2
    client.post(page.url, enquiry(page), **{forwarded: "5.6.7.8, 203.0.113.7"}, **proxy)
    assert len(broker_mails()) == 2


def test_spoofed_forwarded_addresses_do_not_escape_the_limit(client, page, settings):
    """Issue 15, item 4: with the first address, 20 of 20 spoofed posts were accepted."""
    settings.WAGTAIL_OPENIMMO = {
        "CONTACT_RATE_LIMIT": 3,
        "CONTACT_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
    }
    for n in range(20):
        client.post(page.url, enquiry(page), REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")
    assert len(broker_mails()) == 3


def test_two_proxies_are_counted_from_the_right(client, page, settings):
    settings.WAGTAIL_OPENIMMO = {
        "CONTACT_RATE_LIMIT": 1,
        "CONTACT_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "CONTACT_PROXY_COUNT": 2,
    }
    # client → CDN (adds the client's address) → nginx (adds the CDN's address)
    for spoof in ("1.1.1.1", "2.2.2.2"):
        client.post(page.url, enquiry(page), REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"{spoof}, 203.0.113.7, 198.51.100.50")
    assert len(broker_mails()) == 1


def test_a_form_token_sends_one_enquiry_and_only_for_its_listing(client, page, broker):
    data = enquiry(page)
    assert client.post(page.url, data).status_code == 302
    assert client.post(page.url, data).status_code == 302  # answered as if it worked …
    assert len(broker_mails()) == 1  # … but not sent again
    other = make_listing(broker, 2, title="Other", kontakt_email="other@example.com")
    assert client.post(other.url, enquiry(page)).status_code == 302
    assert len(broker_mails()) == 1  # a token of another listing sends nothing
    assert client.post(other.url, enquiry(other)).status_code == 302
    assert len(broker_mails()) == 2


def test_the_form_needs_a_csrf_token(page):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(page.url, enquiry(page))
    assert response.status_code == 403
    assert mail.outbox == []


def test_form_disabled_or_without_recipient(client, broker, settings):
    nobody = make_listing(broker, 0, kontakt_email=None)
    broker.email = ""
    broker.save()
    assert b'name="contact-message"' not in client.get(nobody.url).content
    assert client.post(nobody.url, enquiry(nobody)).status_code == 405

    settings.WAGTAIL_OPENIMMO = {"CONTACT_FORM_ENABLED": False}
    page = make_listing(broker, 1, kontakt_email="erika@makler.example")
    assert b'name="contact-message"' not in client.get(page.url).content
    assert client.post(page.url, enquiry(page)).status_code == 405
    assert mail.outbox == []


def test_privacy_policy_link(client, page, settings):
    settings.WAGTAIL_OPENIMMO = {"PRIVACY_POLICY_URL": "/datenschutz/"}
    tree = parse(client.get(page.url))
    assert tree.xpath("//div[@id='id_contact-privacy_helptext']/a/@href") == ["/datenschutz/"]


def test_every_form_control_has_a_label(client, page):
    tree = parse(client.get(page.url))
    controls = tree.xpath("//form//input[not(@type='hidden')] | //form//select | //form//textarea")
    assert controls
    for control in controls:
        assert tree.xpath(f"//label[@for='{control.get('id')}']"), control.get("name")


def test_the_contact_person_is_shown_and_the_honeypot_is_out_of_reach(client, broker):
    page = make_listing(
        broker,
        0,
        kontakt_anrede="Frau",
        kontakt_vorname="Erika",
        kontakt_name="Mustermann",
        kontakt_firma="Demo Immobilien GmbH",
        kontakt_telefon="+49 6131 98 76",
        kontakt_email="erika@makler.example",
    )
    tree = parse(client.get(page.url))
    person = tree.xpath(
        "//section[@id='contact']//div[contains(@class, 'openimmo-contact__person')]"
    )
    assert [text(p) for p in person[0].xpath("p")] == [
        "Frau Erika Mustermann",
        "Demo Immobilien GmbH",
        "Phone: +49 6131 98 76",
    ]
    assert person[0].xpath(".//a/@href") == ["tel:+4961319876"]
    # Bots fill the honeypot; people never reach it, not with the keyboard either.
    honeypot = tree.get_element_by_id("id_contact-website")
    assert honeypot.get("tabindex") == "-1" and honeypot.get("autocomplete") == "off"
    assert honeypot.getparent().get("aria-hidden") == "true"
