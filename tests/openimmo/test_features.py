"""Amenities from the stored <immobilie> (openimmo.features, Django-free)."""

from lxml import etree

from wagtail_openimmo.openimmo.features import features
from wagtail_openimmo.openimmo.tree import element_to_data


def data(xml: str):
    return element_to_data(etree.fromstring(xml))


def test_flags_values_and_counts_become_features_in_file_order():
    record = data(
        """<immobilie>
          <flaechen><anzahl_zimmer>3</anzahl_zimmer><anzahl_balkone>1</anzahl_balkone>
            <anzahl_terrassen>0</anzahl_terrassen></flaechen>
          <ausstattung>
            <ausstatt_kategorie>LUXUS</ausstatt_kategorie>
            <kueche EBK="true" OFFEN="false"/>
            <heizungsart FERN="1" FUSSBODEN="true"/>
            <kamin>true</kamin>
            <sauna>false</sauna>
            <moebliert moeb="teil"/>
            <unterkellert keller="NEIN"/>
            <fahrstuhl PERSONEN="true"/>
            <user_defined_simplefield feldname="x">true</user_defined_simplefield>
          </ausstattung>
        </immobilie>"""
    )
    assert features(record) == [
        ("ausstatt_kategorie", "LUXUS"),
        ("kueche", "EBK"),
        ("heizungsart", "FERN"),
        ("heizungsart", "FUSSBODEN"),
        ("kamin", None),
        ("moebliert", "TEIL"),
        ("fahrstuhl", "PERSONEN"),
        ("balkon", None),
    ]


def test_no_record_or_no_ausstattung_means_no_features():
    assert features(None) == []
    assert features({}) == []
    assert features(data("<immobilie><geo><ort>Mainz</ort></geo></immobilie>")) == []


def test_repeated_flags_are_listed_once():
    record = data(
        "<immobilie><ausstattung><kamin>true</kamin><kamin>1</kamin>"
        '<unterkellert keller="JA"/></ausstattung></immobilie>'
    )
    assert features(record) == [("kamin", None), ("unterkellert", "JA")]
