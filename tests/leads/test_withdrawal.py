"""The opt-in withdrawal function (§ 356a BGB): off by default; on, a permanently visible
button, a form, and a dated receipt to the consumer and the declaration to the broker."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.frontend.html import parse
from tests.frontend.listings import make_listing
from tests.leads.forms import token

pytestmark = pytest.mark.django_db


def declaration(**overrides) -> dict:
    data = {
        "withdrawal-name": "Erika Mustermann",
        "withdrawal-email": "erika@example.org",
        "withdrawal-contract": "Maklervertrag zu W-1024",
        "withdrawal-concluded_on": "2026-11-30",
        "withdrawal-message": "",
        "withdrawal-website": "",
        "withdrawal-ts": token(),
    }
    data.update(overrides)
    return data


def test_off_by_default(client, broker):
    listing = make_listing(broker, 0)
    assert not parse(client.get(listing.url)).xpath("//*[@class='openimmo-withdrawal']")
    assert client.get(f"{broker.index_page.url}withdrawal/").status_code == 404


def test_button_form_and_receipts(client, broker):
    broker.withdrawal_button = True
    broker.save()
    listing = make_listing(broker, 0)
    url = f"{broker.index_page.url}withdrawal/"
    for page in (listing.url, broker.index_page.url):
        links = parse(client.get(page)).xpath("//p[@class='openimmo-withdrawal']/a/@href")
        assert links == [url]
    form = parse(client.get(url))
    assert form.xpath("//input[@name='withdrawal-contract']")

    response = client.post(url, declaration())
    assert response.status_code == 302 and response["Location"] == f"{url}?sent=1"
    to_broker, receipt = mail.outbox
    assert to_broker.to == [broker.email] and to_broker.reply_to == ["erika@example.org"]
    assert "Maklervertrag zu W-1024" in to_broker.body
    assert receipt.to == ["erika@example.org"] and receipt.reply_to == [broker.email]
    assert "Maklervertrag zu W-1024" in receipt.body
    # The receipt states when the declaration was received (date and time).
    assert any(ch.isdigit() for ch in receipt.body.split("\n")[2])
    assert "role=\"status\"" in client.get(response["Location"]).content.decode()


def test_an_incomplete_declaration_shows_errors(client, broker):
    broker.withdrawal_button = True
    broker.save()
    response = client.post(
        f"{broker.index_page.url}withdrawal/", declaration(**{"withdrawal-contract": ""})
    )
    assert response.status_code == 400 and mail.outbox == []
