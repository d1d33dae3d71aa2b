"""OpenImmo-Feedback: every enquiry reaches the broker's software as XML, and the enquirer
gets a confirmation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from lxml import etree

from tests.frontend.listings import make_listing
from tests.leads.forms import enquiry
from wagtail_openimmo.openimmo import feedback

pytestmark = pytest.mark.django_db


def attachment(message) -> bytes:
    (found,) = [a for a in message.attachments if a[0] == "openimmo_feedback.xml"]
    name, content, mimetype = found
    assert mimetype == "application/xml"
    return content if isinstance(content, bytes) else content.encode()


@pytest.fixture
def listing(broker):
    broker.openimmo_anid = "ACME-ANID"
    broker.anbieternr = "4711"
    broker.save()
    return make_listing(
        broker, 0,
        objektnr_extern="W-1024",
        kontakt_email="makler@acme.example",
        kaufpreis=Decimal("345000.00"), vermarktungsart="KAUF",
        ort="Mainz", plz="55116", anzahl_zimmer=Decimal("3.5"),
    )


def test_the_enquiry_mail_carries_feedback_xml_the_software_can_read(client, listing):
    response = client.post(listing.url, enquiry(listing))
    assert response.status_code == 302
    broker_mail = mail.outbox[0]
    assert broker_mail.to == ["makler@acme.example"]
    assert broker_mail.reply_to == ["erika@example.org"]
    document = attachment(broker_mail)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert feedback.structure_errors(document) == []

    root = etree.fromstring(document)
    assert root.findtext("version") == "1.2.7"
    assert root.findtext("sender/openimmo_anid") == "ACME-ANID"
    assert root.findtext("sender/makler_id") == "4711"
    objekt = root.find("objekt")
    assert objekt.findtext("oobj_id") == "W-1024"
    assert objekt.findtext("expose_url") == listing.get_full_url()
    assert objekt.findtext("vermarktungsart") == "KAUF"
    assert objekt.findtext("bezeichnung") == listing.title
    assert objekt.findtext("ort") == "55116 Mainz"
    assert objekt.findtext("preis") == "345000.00"
    assert objekt.findtext("wae") == "EUR"
    assert objekt.findtext("anzahl_zimmer") == "3.5"
    person = objekt.find("interessent")
    assert person.findtext("vorname") == "Erika"
    assert person.findtext("nachname") == "Mustermann"
    assert person.findtext("email") == "erika@example.org"
    assert person.findtext("tel") == "+49 6131 4711"
    # Text the visitor typed arrives intact (escaped in XML, decoded by any parser).
    assert person.findtext("anfrage") == "Ist die Wohnung noch frei? Grüße & danke <3"
    assert b"&amp; danke &lt;3" in document


def test_feedback_goes_to_email_feedback_when_the_broker_sent_one(client, listing, broker):
    listing.kontakt_email_feedback = "leads@crm.example"
    listing.save()
    broker.enquiry_extra_recipient = "office@acme.example"
    broker.save()
    client.post(listing.url, enquiry(listing))
    assert mail.outbox[0].to == ["leads@crm.example", "office@acme.example"]
    assert attachment(mail.outbox[0])


def test_a_broker_can_switch_the_attachment_off(client, listing, broker):
    broker.enquiry_feedback_xml = False
    broker.save()
    client.post(listing.url, enquiry(listing))
    assert mail.outbox[0].attachments == []


def test_the_enquirer_gets_a_confirmation_in_the_page_language(client, listing):
    client.post(listing.url, enquiry(listing), HTTP_ACCEPT_LANGUAGE="de")
    assert len(mail.outbox) == 2
    confirmation = mail.outbox[1]
    assert confirmation.to == ["erika@example.org"]
    assert confirmation.reply_to == ["makler@acme.example"]
    assert listing.title in confirmation.subject
    assert "W-1024" in confirmation.body and listing.get_full_url() in confirmation.body
    assert "Ist die Wohnung noch frei?" in confirmation.body
    assert confirmation.attachments == []


@override_settings(WAGTAIL_OPENIMMO={"CONTACT_CONFIRMATION": False})
def test_the_confirmation_can_be_switched_off(client, listing):
    client.post(listing.url, enquiry(listing))
    assert [m.to for m in mail.outbox] == [["makler@acme.example"]]


def test_an_invalid_document_is_left_off_but_the_enquiry_goes_out(client, listing, tmp_path):
    # An operator's Feedback XSD that our document does not satisfy (a stand-in for the
    # official one, which may not be shipped): the enquiry must still reach the broker.
    xsd = tmp_path / "feedback.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="something_else"/></xs:schema>'
    )
    with override_settings(WAGTAIL_OPENIMMO={"FEEDBACK_XSD_PATH": str(xsd)}):
        client.post(listing.url, enquiry(listing))
    assert mail.outbox[0].to == ["makler@acme.example"]
    assert mail.outbox[0].attachments == []


def test_an_operator_xsd_that_accepts_the_document_keeps_it(client, listing, tmp_path):
    xsd = tmp_path / "feedback.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="openimmo_feedback"><xs:complexType><xs:sequence>'
        '<xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/>'
        "</xs:sequence></xs:complexType></xs:element></xs:schema>"
    )
    with override_settings(WAGTAIL_OPENIMMO={"FEEDBACK_XSD_PATH": str(xsd)}):
        client.post(listing.url, enquiry(listing))
    assert attachment(mail.outbox[0])


# --- the format layer ---------------------------------------------------------------------


def test_structure_rules_catch_order_missing_and_unknown_elements():
    good = feedback.build_feedback(
        feedback.Sender(name="Site"), feedback.Objekt(oobj_id="1"),
        feedback.Interessent(nachname="Muster", email="a@b.example"),
    )
    assert feedback.structure_errors(good) == []
    root = etree.fromstring(good)
    sender = root.find("sender")
    sender.remove(sender.find("datum"))
    assert any("lacks the required <datum>" in e
               for e in feedback.structure_errors(etree.tostring(root)))
    root = etree.fromstring(good)
    objekt = root.find("objekt")
    objekt.insert(0, objekt.find("interessent"))  # interessent before oobj_id
    assert any("out of order" in e for e in feedback.structure_errors(etree.tostring(root)))
    root = etree.fromstring(good)
    etree.SubElement(root.find("objekt/interessent"), "schuhgroesse").text = "42"
    assert any("unknown child <schuhgroesse>" in e
               for e in feedback.structure_errors(etree.tostring(root)))
    assert feedback.structure_errors(b"<openimmo/>") == [
        "root element is <openimmo>, not <openimmo_feedback>"
    ]


def test_control_characters_from_the_form_do_not_break_the_xml():
    document = feedback.build_feedback(
        feedback.Sender(name="Site"), feedback.Objekt(oobj_id="1"),
        feedback.Interessent(anfrage="Hallo\x00\x07 Welt\x1b"),
    )
    assert etree.fromstring(document).findtext("objekt/interessent/anfrage") == "Hallo Welt"


def test_split_name():
    assert feedback.split_name("Erika Maria Mustermann") == ("Erika Maria", "Mustermann")
    assert feedback.split_name("Mustermann") == ("", "Mustermann")
    assert feedback.split_name("  ") == ("", "")
