"""Which listing a property is, and whose upload a file is."""

import pytest

from tests.helpers import make_broker
from tests.importing.helpers import Prop, transfer, write_upload
from wagtail_openimmo.importing import identify_broker, import_file
from wagtail_openimmo.importing.importer import anid_variant
from wagtail_openimmo.models import Broker, ImportRun, ListingPage

pytestmark = pytest.mark.django_db


def upload(tmp_path, *props, name="u.xml", **kwargs):
    return write_upload(tmp_path / name, transfer(*props, **kwargs))


def test_objektnr_intern_is_the_identity(tmp_path, broker):
    import_file(upload(tmp_path, Prop(intern="1", extern="A", obid="X")), broker)
    result = import_file(upload(tmp_path, Prop(intern="1", extern="B", obid="Y")), broker)
    assert result.updated == 1 and ListingPage.objects.count() == 1
    page = ListingPage.objects.get()
    assert (page.objektnr_extern, page.openimmo_obid) == ("B", "Y")


def test_a_renamed_objektnr_extern_with_the_same_obid_is_the_same_listing(tmp_path, broker):
    import_file(upload(tmp_path, Prop(intern=None, extern="OR273", obid="123_550")), broker)
    page = ListingPage.objects.get()
    result = import_file(
        upload(tmp_path, Prop(intern=None, extern="OR274", obid="123_550")), broker
    )
    assert result.updated == 1
    assert ListingPage.objects.get().id == page.id
    assert ListingPage.objects.get().objektnr_extern == "OR274"


def test_objektnr_extern_alone_identifies_when_nothing_else_is_sent(tmp_path, broker):
    import_file(upload(tmp_path, Prop(intern=None, extern="W1")), broker)
    result = import_file(upload(tmp_path, Prop(intern=None, extern="W1", kaufpreis="5")), broker)
    assert result.updated == 1 and ListingPage.objects.count() == 1


def test_an_extern_number_shared_by_two_different_properties_does_not_merge_them(tmp_path, broker):
    import_file(upload(tmp_path, Prop(intern="1", extern="W1")), broker)
    result = import_file(upload(tmp_path, Prop(intern="2", extern="W1")), broker)
    assert result.created == 1 and ListingPage.objects.count() == 2


def test_the_language_is_part_of_the_identity(tmp_path, broker):
    result = import_file(
        upload(
            tmp_path,
            Prop(intern="1", sprache="de", titel="Wohnung"),
            Prop(intern="1", sprache="en", titel="Flat"),
        ),
        broker,
    )
    assert result.created == 2
    again = import_file(upload(tmp_path, Prop(intern="1", sprache="en", titel="Nice flat")), broker)
    assert again.updated == 1
    titles = dict(ListingPage.objects.values_list("sprache", "title"))
    assert titles == {"de": "Wohnung", "en": "Nice flat"}


def test_a_listing_without_language_takes_the_first_language_sent(tmp_path, broker):
    """Exporters start sending <sprache> with an update: the same listing, now German."""
    import_file(upload(tmp_path, Prop(intern="1", titel="Wohnung")), broker)
    page = ListingPage.objects.get()
    result = import_file(upload(tmp_path, Prop(intern="1", sprache="de", titel="Wohnung!")), broker)
    assert result.updated == 1
    assert ListingPage.objects.get().id == page.id and ListingPage.objects.get().sprache == "de"
    # another language of the same object is another listing; without language, the one
    english = import_file(upload(tmp_path, Prop(intern="1", sprache="en", titel="Flat")), broker)
    assert english.created == 1
    assert import_file(upload(tmp_path, Prop(intern="2", sprache="EN")), broker).created == 1
    assert (
        import_file(upload(tmp_path, Prop(intern="2", sprache="en", kaufpreis="1")), broker).updated
        == 1
    )  # the language compares without case


def test_a_file_never_reaches_another_brokers_listings(tmp_path, broker, other_broker):
    """Same object numbers, other broker: the file creates the uploader's own listings."""
    import_file(
        upload(
            tmp_path, Prop(intern="1", extern="A", obid="O1", kaufpreis="100"), anid="OTHER-ANID"
        ),
        other_broker,
    )
    theirs = ListingPage.objects.get(broker=other_broker)
    result = import_file(
        upload(
            tmp_path,
            Prop(intern="1", extern="A", obid="O1", kaufpreis="1"),
            Prop(intern="1", aktion="DELETE"),
        ),
        broker,
    )
    assert [e.outcome for e in result.entries] == ["created", "withdrawn"]
    theirs.refresh_from_db()
    assert theirs.live and theirs.kaufpreis == 100 and theirs.revisions.count() == 1
    assert ListingPage.objects.filter(broker=broker).count() == 1


def test_a_file_of_another_broker_is_refused(tmp_path, broker, other_broker):
    result = import_file(upload(tmp_path, Prop(), anid="OTHER-ANID"), broker)
    assert result.refused and result.status == ImportRun.Status.REJECTED
    assert result.errors[0]["code"] == "foreign_anbieter"
    assert "another broker" in result.message
    assert not ListingPage.objects.exists()
    assert result.run.status == "rejected" and result.run.message == result.message


def test_anbieternr_of_another_broker_is_refused_even_with_our_anid(tmp_path, broker):
    make_broker("third", anbieternr="4711")
    result = import_file(upload(tmp_path, Prop(), anbieternr="4711", anid="ACME-ANID"), broker)
    assert result.refused and result.errors[0]["code"] == "foreign_anbieter"


def test_a_new_anid_with_our_anbieternr_is_remembered(tmp_path):
    broker = make_broker("mueller", anbieternr="1001", anid="MUE-1")
    result = import_file(upload(tmp_path, Prop(), anbieternr="1001", anid="ONOFFICE-77"), broker)
    assert result.created == 1 and not result.refused
    broker.refresh_from_db()
    assert "ONOFFICE-77" in broker.known_anids
    # and the next transfer carrying only the new ANID is recognised
    assert identify_broker(upload(tmp_path, Prop(), anid="onoffice-77", name="b.xml")) == broker


def test_an_anid_variant_sharing_the_prefix_is_accepted_with_a_warning(tmp_path, broker):
    result = import_file(upload(tmp_path, Prop(), anid="ACME-ANID_2"), broker)
    assert result.created == 1
    assert "anid_learnt" in [w["code"] for w in result.warnings]
    broker.refresh_from_db()
    assert broker.known_anids == ["ACME-ANID_2"]


def test_an_unknown_anid_is_refused(tmp_path, broker):
    result = import_file(upload(tmp_path, Prop(), anid="SOMEONE-ELSE"), broker)
    assert result.refused and result.errors[0]["code"] == "anid_mismatch"
    assert Broker.objects.get(pk=broker.pk).known_anids == []


def test_a_wrong_anbieternr_is_refused(tmp_path):
    broker = make_broker("nr", anbieternr="1001", anid="")
    result = import_file(upload(tmp_path, Prop(), anbieternr="1002", anid=None), broker)
    assert result.refused and result.errors[0]["code"] == "anbieternr_mismatch"


def test_an_anonymous_anbieter_is_imported_with_a_warning(tmp_path, broker):
    result = import_file(upload(tmp_path, Prop(), anid=None), broker)
    assert result.created == 1
    assert "anbieter_anonymous" in [w["code"] for w in result.warnings]


def test_a_broker_without_identifiers_learns_the_first_anid(tmp_path):
    broker = make_broker("new", anid="")
    result = import_file(upload(tmp_path, Prop(), anid="FIRST-1"), broker)
    assert result.created == 1
    broker.refresh_from_db()
    assert broker.known_anids == ["FIRST-1"]


def test_identify_broker(tmp_path, broker, other_broker):
    assert identify_broker(upload(tmp_path, Prop(), anid="acme-anid")) == broker
    assert identify_broker(upload(tmp_path, Prop(), anid="OTHER-ANID")) == other_broker
    assert identify_broker(upload(tmp_path, Prop(), anid="NOBODY")) is None
    assert identify_broker(upload(tmp_path, Prop(), anid=None)) is None
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<openimmo><anbieter>")
    assert identify_broker(broken) is None


def test_import_without_a_broker_identifies_it(tmp_path, broker):
    result = import_file(upload(tmp_path, Prop()), None)
    assert result.broker == "acme" and result.created == 1
    unknown = import_file(upload(tmp_path, Prop(), anid="NOBODY", name="x.xml"), None)
    assert unknown.refused and unknown.errors[0]["code"] == "broker_unknown"


@pytest.mark.parametrize(
    ("anid", "known", "expected"),
    [
        ("ACME-ANID_2", {"acme-anid"}, True),
        ("123456_1", {"123456_2"}, True),
        ("123456", {"123456-7"}, True),
        ("ACME-OTHER", {"acme-anid"}, False),
        ("ABC", {"abc-1"}, False),  # too short to be sure
        ("X-1", {"x-2"}, False),
        ("NOBODY", {"acme-anid"}, False),
    ],
)
def test_anid_variants(anid, known, expected):
    assert anid_variant(anid, known) is expected
