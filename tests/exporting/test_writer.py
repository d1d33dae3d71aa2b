"""The streaming OpenImmo writer (Django-free)."""

import copy
import datetime as dt
import io
import os
from pathlib import Path

import pytest
from lxml import etree

from wagtail_openimmo.openimmo import generate, read_transfer
from wagtail_openimmo.openimmo.schema import ELEMENT_ORDER
from wagtail_openimmo.openimmo.tree import element_to_data
from wagtail_openimmo.openimmo.writer import OpenImmoWriter, build_element

ANBIETER = {
    "anbieternr": "4711",
    "firma": "Müller & Söhne <Immobilien>",
    "openimmo_anid": "MUELLER1",
}
WHEN = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def demo(n):
    return element_to_data(generate.property_element(generate.demo_property(n, images=2)))


def write(props, **kwargs):
    out = io.BytesIO()
    kwargs.setdefault("umfang", "VOLL")
    kwargs.setdefault("anbieter", ANBIETER)
    kwargs.setdefault("timestamp", WHEN)
    with OpenImmoWriter(out, **kwargs) as writer:
        for data in props:
            writer.write_property(data)
    assert writer.property_count == len(props)
    return out.getvalue()


def test_header_and_broker():
    xml = write([demo(1)], senderversion="0.1.0", techn_email="it@example.com")
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<openimmo>")
    root = etree.fromstring(xml)
    assert root.nsmap == {} and root.tag == "openimmo"
    header = root.find("uebertragung").attrib
    assert dict(header) == {
        "art": "OFFLINE",
        "umfang": "VOLL",
        "modus": "CHANGE",
        "version": "1.2.7b",
        "sendersoftware": "wagtail-openimmo",
        "senderversion": "0.1.0",
        "techn_email": "it@example.com",
        "timestamp": "2026-11-02T09:30:00+01:00",
    }
    anbieter = root.find("anbieter")
    assert [c.tag for c in anbieter] == ["anbieternr", "firma", "openimmo_anid", "immobilie"]
    assert anbieter.findtext("firma") == "Müller & Söhne <Immobilien>"
    transfer = read_transfer(xml, strict=True)
    assert transfer.umfang == "VOLL"
    assert transfer.anbieter[0].openimmo_anid == "MUELLER1"
    assert [p.code for p in transfer.problems] == []


def test_required_broker_elements_are_written_even_when_empty():
    root = etree.fromstring(write([], anbieter={"firma": "X"}))
    assert [c.tag for c in root.find("anbieter")] == ["firma", "openimmo_anid"]


def test_properties_round_trip_through_the_reader():
    props = [demo(n) for n in range(4)]
    transfer = read_transfer(write(props), strict=True)
    records = list(transfer.records())
    assert [r.data for r in records] == props
    for record in records:
        assert not [p for p in record.problems if p.code.startswith("element_")]


def test_elements_are_written_in_schema_order():
    data = demo(1)
    shuffled = copy.deepcopy(data)

    def shuffle(node):
        node.get("children", []).reverse()
        for child in node.get("children", []):
            shuffle(child)

    shuffle(shuffled)
    assert shuffled != data
    records = list(read_transfer(write([shuffled]), strict=True).records())
    assert not [p for p in records[0].problems if p.code == "element_order"]
    # objektart's children are a choice and anhaenge keeps its pictures in order: the
    # reversed ones stay reversed, everything else is back in schema order
    back = records[0].data

    def strip_free(node):
        if node["tag"] not in ELEMENT_ORDER or node["tag"] == "anhaenge":
            return {"tag": node["tag"]}
        return {**node, "children": [strip_free(c) for c in node.get("children", [])]}

    assert strip_free(back) == strip_free(data)


def test_text_is_escaped_and_mixed_content_kept():
    data = demo(1)
    frei = next(c for c in data["children"] if c["tag"] == "freitexte")
    frei["children"].append(
        {
            "tag": "sonstige_angaben",
            "text": 'Preis < 5 & "gut" ]]> Ende\u0007',
            "children": [{"tag": "br", "tail": "zweite Zeile ümlaut"}],
        }
    )
    xml = write([data])
    assert 'Preis &lt; 5 &amp; "gut" ]]&gt; Ende<br/>zweite Zeile ümlaut'.encode() in xml
    record = next(read_transfer(xml).records())
    assert record.fields["sonstige_angaben"] == 'Preis < 5 & "gut" ]]> Ende\nzweite Zeile ümlaut'
    node = next(c for c in record.data["children"] if c["tag"] == "freitexte")
    assert node["children"][-1] == {
        "tag": "sonstige_angaben",
        "text": 'Preis < 5 & "gut" ]]> Ende',
        "children": [{"tag": "br", "tail": "zweite Zeile ümlaut"}],
    }


def test_attributes_are_escaped():
    element = build_element(
        {
            "tag": "immobilie",
            "children": [
                {"tag": "geo", "children": [{"tag": "land", "attrs": {"iso_land": 'D"E<U'}}]}
            ],
        }
    )
    assert etree.tostring(element) == (
        b'<immobilie><geo><land iso_land="D&quot;E&lt;U"/></geo></immobilie>'
    )


def test_writer_refuses_misuse():
    with pytest.raises(ValueError):
        OpenImmoWriter(io.BytesIO(), umfang="ALL", anbieter=ANBIETER)
    writer = OpenImmoWriter(io.BytesIO(), umfang="TEIL", anbieter=ANBIETER)
    with pytest.raises(RuntimeError):
        writer.write_property(demo(1))
    with writer, pytest.raises(ValueError):
        writer.write_property({"tag": "geo"})


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_memory_does_not_grow_with_the_number_of_properties(tmp_path):
    # a small property with a long text: cheap to build, big on disk
    number = {"tag": "objektnr_extern", "text": ""}
    template = {
        "tag": "immobilie",
        "children": [
            {
                "tag": "geo",
                "children": [{"tag": "plz", "text": "10115"}, {"tag": "ort", "text": "Berlin"}],
            },
            {
                "tag": "freitexte",
                "children": [
                    {"tag": "objekttitel", "text": "Wohnung"},
                    {"tag": "objektbeschreibung", "text": "Große, helle Räume. " * 150},
                ],
            },
            {"tag": "verwaltung_techn", "children": [number]},
        ],
    }

    def properties(count):
        for i in range(count):
            number["text"] = f"W{i:06d}"
            yield template

    with (
        open(tmp_path / "big.xml", "wb") as fh,
        OpenImmoWriter(fh, umfang="VOLL", anbieter=ANBIETER, timestamp=WHEN) as writer,
    ):
        for data in properties(2_000):  # warm up the allocator and lxml
            writer.write_property(data)
        before = _rss_bytes()
        for data in properties(20_000):
            writer.write_property(data)
        grown = _rss_bytes() - before
    assert writer.property_count == 22_000
    size = (tmp_path / "big.xml").stat().st_size
    assert size > 60 * 1024 * 1024  # far more than memory may grow by
    assert grown < 8 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB"
