"""Writing column values back into a stored <immobilie> (Django-free)."""

import copy
import datetime as dt
from decimal import Decimal

import pytest

from wagtail_openimmo.openimmo import generate, patch
from wagtail_openimmo.openimmo.fields import FIELDS
from wagtail_openimmo.openimmo.tree import element_to_data, find


def demo(n=2):
    return element_to_data(generate.property_element(generate.demo_property(n, images=1)))


def child_tags(node):
    return [c["tag"] for c in node.get("children", ())]


def test_unchanged_columns_leave_the_tree_exactly_as_it_was():
    data = demo()
    find(data, "preise/kaufpreis")["text"] = "149.000,50"  # German format, read as 149000.50
    columns = patch.current_values(data)
    assert columns["kaufpreis"] == Decimal("149000.50")
    result, changed = patch.overlay(data, columns)
    assert changed == []
    assert result == data
    assert result is not data


def test_a_changed_value_is_written_and_nothing_else_moves():
    data = demo()
    columns = patch.current_values(data)
    columns["kaufpreis"] = Decimal("199000")
    result, changed = patch.overlay(data, columns)
    assert changed == ["kaufpreis"]
    assert find(result, "preise/kaufpreis")["text"] == "199000"
    find(result, "preise/kaufpreis")["text"] = find(data, "preise/kaufpreis")["text"]
    assert result == data


def test_decimals_compare_at_the_columns_places_and_text_ignores_line_endings():
    data = demo()
    find(data, "preise/kaufpreis")["text"] = "149000.004"
    find(data, "freitexte/lage")["text"] = "Zeile 1\nZeile 2"
    columns = patch.current_values(data)
    columns["kaufpreis"] = Decimal("149000.00")
    columns["lage"] = "Zeile 1\r\nZeile 2 "
    assert patch.overlay(data, columns)[1] == []


def test_a_new_value_goes_where_the_schema_wants_it():
    data = demo()
    columns = patch.current_values(data)
    columns["hausgeld"] = Decimal("250.00")
    columns["etage"] = 3
    result, changed = patch.overlay(data, columns)
    assert sorted(changed) == ["etage", "hausgeld"]
    preise = child_tags(find(result, "preise"))
    assert preise.index("hausgeld") == preise.index("kaufpreis") + 1
    geo = child_tags(find(result, "geo"))
    assert geo[-1] == "etage" and geo.index("land") < geo.index("etage")


def test_missing_containers_are_created_in_schema_order():
    data = {"tag": "immobilie", "children": [{"tag": "geo"}, {"tag": "verwaltung_techn"}]}
    result, _changed = patch.overlay(data, {"wohnflaeche": Decimal("80"), "kaufpreis": 1})
    assert child_tags(result) == ["geo", "preise", "flaechen", "verwaltung_techn"]


def test_a_cleared_value_is_removed_but_attributes_stay():
    data = demo()
    find(data, "preise/kaufpreis").setdefault("attrs", {})["auf_anfrage"] = "false"
    columns = patch.current_values(data)
    columns["kaufpreis"] = None
    columns["baujahr"] = None
    result, _changed = patch.overlay(data, columns)
    assert find(result, "preise/kaufpreis") == {
        "tag": "kaufpreis",
        "attrs": {"auf_anfrage": "false"},
    }
    assert find(result, "zustand_angaben/baujahr") is None
    assert patch.unresolved(result, columns) == []


def test_a_cleared_value_does_not_come_back_from_a_fallback_element():
    data = demo()
    kontakt = find(data, "kontaktperson")
    kontakt["children"] = [c for c in kontakt["children"] if c["tag"] != "email_direkt"]
    kontakt["children"].insert(0, {"tag": "email_zentrale", "text": "zentrale@example.com"})
    columns = patch.current_values(data)
    assert columns["kontakt_email"] == "zentrale@example.com"
    columns["kontakt_email"] = None
    result, _changed = patch.overlay(data, columns)
    assert "kontakt_email" not in patch.current_values(result)


def test_marketing_type_flags():
    data = demo(2)  # KAUF
    flags = find(data, "objektkategorie/vermarktungsart")
    flags["attrs"] = {"KAUF": "true", "MIETE_PACHT": "true"}
    columns = patch.current_values(data)
    assert columns["vermarktungsart"] == "KAUF"
    assert patch.overlay(data, columns)[1] == []
    columns["vermarktungsart"] = "MIETE_PACHT"
    result, changed = patch.overlay(data, columns)
    assert changed == ["vermarktungsart"]
    assert find(result, "objektkategorie/vermarktungsart")["attrs"] == {
        "KAUF": "false",
        "MIETE_PACHT": "true",
    }
    columns["vermarktungsart"] = "ERBPACHT"
    result, _changed = patch.overlay(data, columns)
    assert patch.current_values(result)["vermarktungsart"] == "ERBPACHT"


def test_new_flags_get_their_base_pair():
    result, _changed = patch.overlay(patch.skeleton(), {"nutzungsart": "GEWERBE"})
    assert find(result, "objektkategorie/nutzungsart")["attrs"] == {
        "GEWERBE": "true",
        "WOHNEN": "false",
    }


def test_kind_of_property_and_sub_type():
    data = demo(2)  # haus EINFAMILIENHAUS
    columns = patch.current_values(data)
    assert (columns["objektart"], columns["objektart_typ"]) == ("haus", "EINFAMILIENHAUS")
    columns["objektart_typ"] = "VILLA"
    result, changed = patch.overlay(data, columns)
    assert changed == ["objektart_typ"]
    assert find(result, "objektkategorie/objektart/haus")["attrs"] == {"haustyp": "VILLA"}
    columns.update(objektart="wohnung", objektart_typ="PENTHOUSE")
    result, _changed = patch.overlay(data, columns)
    assert child_tags(find(result, "objektkategorie/objektart")) == ["wohnung"]
    assert find(result, "objektkategorie/objektart/wohnung")["attrs"] == {"wohnungtyp": "PENTHOUSE"}
    columns.update(objektart_typ=None)
    result, _changed = patch.overlay(data, columns)
    assert find(result, "objektkategorie/objektart/wohnung") == {"tag": "wohnung"}


def test_energy_values_sent_as_user_fields():
    data = demo(3)
    zustand = find(data, "zustand_angaben")
    zustand["children"] = [
        {"tag": "baujahr", "text": "1990"},
        {"tag": "energiepass", "children": [{"tag": "epart", "text": "VERBRAUCH"}]},
        {
            "tag": "user_defined_simplefield",
            "attrs": {"feldname": "epass_energieverbrauch"},
            "text": "120",
        },
        {"tag": "user_defined_simplefield", "attrs": {"feldname": "epass_wertklasse"}, "text": "C"},
    ]
    columns = patch.current_values(data)
    assert (columns["epass_epart"], columns["epass_wertklasse"]) == ("VERBRAUCH", "C")
    assert patch.overlay(data, columns)[1] == []
    # a changed value goes into the element, which wins over the user field
    columns["epass_energieverbrauchkennwert"] = Decimal("99.5")
    # a cleared one must not come back from the user field
    columns["epass_wertklasse"] = None
    result, changed = patch.overlay(data, columns)
    assert sorted(changed) == ["epass_energieverbrauchkennwert", "epass_wertklasse"]
    assert patch.unresolved(result, columns) == []
    assert child_tags(find(result, "zustand_angaben/energiepass")) == [
        "epart",
        "energieverbrauchkennwert",
    ]
    feldnamen = [
        c["attrs"]["feldname"]
        for c in find(result, "zustand_angaben")["children"]
        if c["tag"] == "user_defined_simplefield"
    ]
    assert feldnamen == ["epass_energieverbrauch"]


def test_a_new_text_replaces_markup_and_a_cleared_one_takes_it_along():
    data = demo(1)
    lage = find(data, "freitexte/lage")
    lage.update(text="Zeile 1", children=[{"tag": "br", "tail": "Zeile 2"}])
    columns = patch.current_values(data)
    assert columns["lage"] == "Zeile 1\nZeile 2"
    assert patch.overlay(data, columns)[1] == []
    columns["lage"] = "Neu"
    result, _changed = patch.overlay(data, columns)
    assert find(result, "freitexte/lage") == {"tag": "lage", "text": "Neu"}
    columns["lage"] = None
    result, _changed = patch.overlay(data, columns)
    assert find(result, "freitexte/lage") is None


def sample_value(field):
    return {
        "text": "W-1" if field.max_length < 20 else "Ein Wert & <mehr>",
        "longtext": "Zeile 1\nZeile 2 mit „Anführungszeichen“",
        "decimal": Decimal("12.50"),
        "int": 7,
        "bool": True,
        "date": dt.date(2026, 5, 1),
    }[field.kind]


def all_columns():
    columns = {f.name: sample_value(f) for f in FIELDS}
    columns.update(
        nutzungsart="WOHNEN",
        vermarktungsart="KAUF",
        objektart="haus",
        objektart_typ="VILLA",
        land="DEU",
        waehrung="EUR",
        epass_epart="BEDARF",
        epass_wertklasse="A",
        breitengrad=Decimal("50.1234567"),
        laengengrad=Decimal("8.7654321"),
    )
    return columns


def test_every_field_can_be_written_into_an_empty_listing_and_read_back():
    columns = all_columns()
    places = {"breitengrad": 7, "laengengrad": 7}
    result, changed = patch.overlay(patch.skeleton(), columns, decimal_places=places)
    assert set(changed) == set(columns)
    assert patch.unresolved(result, columns, decimal_places=places) == []
    # writing them again changes nothing
    again, changed_again = patch.overlay(result, columns, decimal_places=places)
    assert changed_again == [] and again == result


@pytest.mark.parametrize(
    "kind,value,text",
    [
        ("decimal", Decimal("1E+5"), "100000"),
        ("decimal", Decimal("0.50"), "0.50"),
        ("bool", False, "false"),
        ("int", 3, "3"),
        ("date", dt.date(2026, 1, 2), "2026-01-02"),
        ("text", "  x  ", "x"),
        ("text", "   ", None),
    ],
)
def test_field_text(kind, value, text):
    field = next(f for f in FIELDS if f.kind == kind)
    assert patch.field_text(field, value) == text


def test_aktion():
    data = demo()
    patch.set_aktion(data, "REFERENZ")
    assert patch.aktionart(data) == "REFERENZ"
    tags = child_tags(find(data, "verwaltung_techn"))
    assert tags.index("aktion") == tags.index("objektnr_extern") + 1
    patch.set_aktion(data, None)
    assert find(data, "verwaltung_techn/aktion") == {"tag": "aktion"}
    assert patch.aktionart(data) is None


def test_overlay_does_not_touch_its_input():
    data = demo()
    before = copy.deepcopy(data)
    patch.overlay(data, {"kaufpreis": Decimal("1"), "ort": None})
    assert data == before


def test_comparable_ignores_order_and_attachments_but_not_values():
    data = demo(1)
    shuffled = patch.copy_tree(data)
    shuffled["children"].reverse()
    find(shuffled, "geo")["children"].reverse()
    find(shuffled, "anhaenge/anhang/check")["text"] = "2026-01-01T00:00:00+00:00"
    shuffled["children"].append({"tag": "anhang", "attrs": {"location": "EXTERN"}})
    assert patch.comparable(shuffled) == patch.comparable(data)
    find(shuffled, "geo/ort")["text"] = "Anderswo"
    assert patch.comparable(shuffled) != patch.comparable(data)


def test_fit_schema_moves_unknown_elements_into_user_defined_anyfield():
    data = demo(1)
    geo = find(data, "geo")
    geo["children"].insert(1, {"tag": "stiege", "text": "2"})
    geo["children"].append({"tag": "tuernummer", "text": "7"})
    find(data, "objektkategorie/objektart")["children"].append(
        {"tag": "subobjektart", "text": "PRAXIS"}
    )
    energiepass = find(data, "zustand_angaben/energiepass")
    energiepass["children"].append({"tag": "eigenes_feld", "text": "x"})
    before = patch.copy_tree(data)

    moved = patch.fit_schema(data)
    assert sorted(moved) == [
        "immobilie/geo/stiege",
        "immobilie/geo/tuernummer",
        "immobilie/objektkategorie/objektart/subobjektart",
        "immobilie/zustand_angaben/energiepass/eigenes_feld",
    ]
    # the container's own extension point, in schema order, the elements unchanged
    assert child_tags(find(data, "geo"))[-1] == "user_defined_anyfield"
    assert find(data, "geo/user_defined_anyfield")["children"] == [
        {"tag": "stiege", "text": "2"},
        {"tag": "tuernummer", "text": "7"},
    ]
    # objektart and energiepass have none: the next container up takes them
    kategorie = find(data, "objektkategorie")
    assert child_tags(kategorie) == [
        "nutzungsart",
        "vermarktungsart",
        "objektart",
        "user_defined_anyfield",
    ]
    assert find(kategorie, "user_defined_anyfield")["children"] == [
        {"tag": "subobjektart", "text": "PRAXIS"}
    ]
    assert find(data, "zustand_angaben/user_defined_anyfield")["children"] == [
        {"tag": "eigenes_feld", "text": "x"}
    ]
    # what the app reads is the same, and fitting again changes nothing
    assert patch.current_values(data) == patch.current_values(before)
    again = patch.copy_tree(data)
    assert patch.fit_schema(again) == [] and again == data


def test_fit_schema_leaves_a_valid_tree_alone():
    data = demo(3)
    before = patch.copy_tree(data)
    assert patch.fit_schema(data) == []
    assert data == before


@pytest.mark.parametrize(
    "attrs,expected",
    [
        (None, {"tag": "aktion"}),
        ({"aktionart": "NEW"}, {"tag": "aktion"}),
        ({"aktionart": "change"}, {"tag": "aktion", "attrs": {"aktionart": "CHANGE"}}),
        ({"aktionart": "REFERENZ"}, {"tag": "aktion", "attrs": {"aktionart": "REFERENZ"}}),
    ],
)
def test_normalise_aktion_gives_the_required_element_a_valid_value(attrs, expected):
    data = demo(1)
    techn = find(data, "verwaltung_techn")
    techn["children"] = [c for c in techn["children"] if c["tag"] != "aktion"]
    if attrs is not None:
        patch.ensure_path(data, "verwaltung_techn/aktion")["attrs"] = attrs
    patch.normalise_aktion(data)
    assert find(data, "verwaltung_techn/aktion") == expected
    tags = child_tags(find(data, "verwaltung_techn"))
    assert tags.index("aktion") == tags.index("objektnr_extern") + 1
