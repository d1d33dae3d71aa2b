"""VOLL (the whole stock) vs TEIL (changes only), and the guard against mass withdrawal."""

import pytest

from tests.helpers import make_broker
from tests.importing.helpers import Prop, openimmo_settings, transfer, write_upload
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ImportRun, ListingPage

pytestmark = pytest.mark.django_db


def upload(tmp_path, *props, umfang="TEIL", name="u.xml", **kwargs):
    return write_upload(tmp_path / name, transfer(*props, umfang=umfang, **kwargs))


def stock(n, **kwargs):
    return [Prop(intern=str(i), extern=f"E{i}", **kwargs) for i in range(n)]


def live_interns(broker):
    return sorted(
        ListingPage.objects.filter(broker=broker, live=True).values_list(
            "objektnr_intern", flat=True
        )
    )


def editor_listing(broker, title="Von der Redaktion"):
    page = ListingPage(title=title, broker=broker, objektnr_intern="ED-1")
    broker.index_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_voll_withdraws_the_brokers_imported_listings_missing_from_it(tmp_path, broker):
    import_file(upload(tmp_path, *stock(4)), broker)
    editor = editor_listing(broker)
    import_file(upload(tmp_path, Prop(intern="9", aktion="REFERENZ")), broker)
    result = import_file(upload(tmp_path, *stock(3), umfang="VOLL"), broker)
    assert result.status == "imported" and result.withdrawn == 1 and result.unchanged == 3
    assert live_interns(broker) == ["0", "1", "2", "9", "ED-1"]
    gone = ListingPage.objects.get(objektnr_intern="3")
    assert gone.withdrawn_at is not None and not gone.live
    assert [e.action for e in result.entries if e.outcome == "withdrawn"] == ["VOLL"]
    editor.refresh_from_db()
    assert editor.live and editor.withdrawn_at is None  # editors' listings are never touched
    assert ListingPage.objects.get(objektnr_intern="9").live  # nor reference objects


def test_teil_touches_only_what_it_lists(tmp_path, broker):
    import_file(upload(tmp_path, *stock(4)), broker)
    result = import_file(upload(tmp_path, Prop(intern="0", extern="E0", kaufpreis="1")), broker)
    assert (result.updated, result.withdrawn) == (1, 0)
    assert live_interns(broker) == ["0", "1", "2", "3"]


def test_voll_never_touches_another_brokers_listings(tmp_path, broker, other_broker):
    import_file(upload(tmp_path, *stock(2), anid="OTHER-ANID"), other_broker)
    result = import_file(upload(tmp_path, Prop(intern="x"), umfang="VOLL"), broker)
    assert result.withdrawn == 0
    assert live_interns(other_broker) == ["0", "1"]


def test_voll_that_would_withdraw_too_much_is_held(tmp_path, broker):
    import_file(upload(tmp_path, *stock(4)), broker)
    result = import_file(
        upload(tmp_path, Prop(intern="0", extern="E0", kaufpreis="7"), umfang="VOLL"), broker
    )
    assert result.status == ImportRun.Status.HELD and not result.refused
    assert (result.created, result.updated, result.withdrawn) == (0, 0, 0)
    assert result.withdraw_pending == 3
    assert "3 of your 4 live listings (75 %)" in result.message
    assert live_interns(broker) == ["0", "1", "2", "3"]
    assert ListingPage.objects.get(objektnr_intern="0").kaufpreis != 7  # nothing applied
    assert result.run.status == "held" and result.run.message == result.message


def test_a_held_voll_is_applied_with_force(tmp_path, broker):
    import_file(upload(tmp_path, *stock(4)), broker)
    path = upload(tmp_path, Prop(intern="0", extern="E0"), umfang="VOLL")
    assert import_file(path, broker).status == "held"
    result = import_file(path, broker, force=True)
    assert result.status == "imported" and result.withdrawn == 3 and result.forced
    assert result.run.forced
    assert "voll_forced" in [w["code"] for w in result.warnings]
    assert live_interns(broker) == ["0"]


def test_the_share_is_a_setting(tmp_path, broker):
    import_file(upload(tmp_path, *stock(4)), broker)
    path = upload(tmp_path, Prop(intern="0", extern="E0"), umfang="VOLL")
    with openimmo_settings(VOLL_MAX_WITHDRAW_SHARE=0.8):
        assert import_file(path, broker).withdrawn == 3
    import_file(upload(tmp_path, *stock(4)), broker)
    with openimmo_settings(VOLL_MAX_WITHDRAW_SHARE=0.25):
        assert import_file(upload(tmp_path, *stock(2), umfang="VOLL"), broker).status == "held"


def test_a_voll_without_any_property_is_held(tmp_path, broker):
    import_file(upload(tmp_path, *stock(1)), broker)
    result = import_file(upload(tmp_path, umfang="VOLL"), broker)
    assert result.status == "held" and result.errors[0]["code"] == "voll_empty"
    assert live_interns(broker) == ["0"]


def test_rejected_properties_of_a_voll_still_count_as_present(tmp_path, broker):
    import_file(upload(tmp_path, *stock(2)), broker)
    result = import_file(
        upload(
            tmp_path,
            Prop(intern="0", extern="E0", aktion="MOVE"),  # an action that cannot apply
            Prop(intern="1", extern="E1"),
            umfang="VOLL",
        ),
        broker,
    )
    assert (result.rejected, result.withdrawn) == (1, 0)
    assert result.status == ImportRun.Status.PARTLY
    assert live_interns(broker) == ["0", "1"]


def test_voll_spares_listings_that_a_property_of_the_file_still_finds(tmp_path, broker):
    """Renamed extern number, same obid: still the same listing, not withdrawn."""
    import_file(
        upload(
            tmp_path,
            Prop(intern=None, extern="OLD", obid="OB-1"),
            Prop(intern=None, extern="B", obid="OB-2"),
        ),
        broker,
    )
    result = import_file(
        upload(
            tmp_path,
            Prop(intern=None, extern="NEW", obid="OB-1"),
            Prop(intern=None, extern="B", obid="OB-2"),
            umfang="VOLL",
        ),
        broker,
    )
    assert (result.updated, result.withdrawn, result.created) == (1, 0, 0)
    assert ListingPage.objects.get(openimmo_obid="OB-1").objektnr_extern == "NEW"


def test_the_guard_counts_only_live_imported_listings(tmp_path, broker):
    import_file(upload(tmp_path, *stock(3)), broker)
    import_file(upload(tmp_path, Prop(intern="2", extern="E2", aktion="DELETE")), broker)
    editor_listing(broker)
    # live imported: 0 and 1; the VOLL keeps 0 and withdraws 1 = 50 %, which is allowed
    result = import_file(upload(tmp_path, *stock(1), umfang="VOLL"), broker)
    assert result.status == "imported" and result.withdrawn == 1


def test_a_second_broker_with_an_empty_stock_is_not_held_by_a_partial_voll(tmp_path):
    fresh = make_broker("fresh")
    result = import_file(upload(tmp_path, *stock(2), umfang="VOLL", anid="FRESH-ANID"), fresh)
    assert result.status == "imported" and result.created == 2
