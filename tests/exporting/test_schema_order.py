"""The schema-order facts the writer and the strict rules share."""

from wagtail_openimmo.openimmo import schema
from wagtail_openimmo.openimmo.rules import check_order
from wagtail_openimmo.openimmo.tree import data_to_element


def tags(nodes):
    return [n["tag"] if isinstance(n, dict) else n for n in nodes]


def test_children_are_sorted_into_schema_order():
    got = schema.in_schema_order("geo", ["land", "ort", "plz", "strasse"])
    assert got == ["plz", "ort", "strasse", "land"]


def test_sort_is_stable_for_repeated_elements():
    nodes = [{"tag": "energiepass", "n": 1}, {"tag": "baujahr"}, {"tag": "energiepass", "n": 2}]
    got = schema.in_schema_order("zustand_angaben", nodes)
    assert tags(got) == ["baujahr", "energiepass", "energiepass"]
    assert [n.get("n") for n in got[1:]] == [1, 2]


def test_unknown_children_travel_with_the_sibling_before_them():
    got = schema.in_schema_order(
        "geo", ["x_first", "land", "x_after_land", "plz", "x_after_plz", "ort"]
    )
    assert got == ["x_first", "plz", "x_after_plz", "ort", "land", "x_after_land"]


def test_unknown_container_keeps_its_order():
    assert schema.in_schema_order("objektart", ["haus", "wohnung"]) == ["haus", "wohnung"]


def test_insertion_index_follows_the_schema():
    children = ["plz", "ort", "land"]
    assert schema.insertion_index("geo", children, "strasse") == 2
    assert schema.insertion_index("geo", children, "plz") == 1  # after its twin
    assert schema.insertion_index("geo", children, "luftbildern") == 3
    assert schema.insertion_index("geo", ["x", "ort"], "plz") == 1  # after a leading stranger
    assert schema.insertion_index("geo", ["plz", "x", "land"], "ort") == 2
    assert schema.insertion_index("nowhere", ["a"], "b") == 1


def test_orders_have_no_duplicates_and_end_with_the_extension_elements():
    for parent, order in schema.ELEMENT_ORDER.items():
        assert len(order) == len(set(order)), parent
        if "user_defined_simplefield" in order:
            assert order[-3:] == (
                "user_defined_simplefield",
                "user_defined_anyfield",
                "user_defined_extend",
            ), parent


def test_anbieter_has_the_logo_before_and_the_imprint_after_the_properties():
    order = schema.ELEMENT_ORDER["anbieter"]
    assert order.index("anhang") < order.index("immobilie") < order.index("impressum")


def test_check_order_uses_the_same_table():
    element = data_to_element(
        {
            "tag": "immobilie",
            "children": [
                {"tag": "kontaktperson", "children": [{"tag": "vorname"}, {"tag": "name"}]},
                {"tag": "geo", "children": [{"tag": "plz"}, {"tag": "quatsch"}]},
            ],
        }
    )
    found = {(p.code, p.params["parent"], p.params["name"]) for p in check_order(element)}
    assert found == {
        ("element_order", "immobilie", "geo"),
        ("element_order", "kontaktperson", "name"),
        ("element_unknown", "geo", "quatsch"),
    }
