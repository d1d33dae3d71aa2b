"""Lenient mode: a soft gap costs a warning, never a listing (issue 13, part 1).

The files in ``tests/fixtures/openimmo/gaps/`` are shaped like real exports that have such
gaps: no title, an empty ``geo`` with coordinates, no ``objektkategorie`` at all, and all of
it mixed in one transfer with a property that really cannot become a listing (no object
number). Lenient mode (the default) imports every property that has an identity, with the
fallback and a warning; strict mode (``STRICT_VALIDATION``) rejects them as before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import override_settings
from wagtail.models import Revision

from tests.importing.helpers import count_writes
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ImportRun, ListingPage

pytestmark = pytest.mark.django_db

GAPS = Path(__file__).resolve().parent.parent / "fixtures" / "openimmo" / "gaps"
STRICT = override_settings(WAGTAIL_OPENIMMO={"STRICT_VALIDATION": True})


def fixture(tmp_path, name: str) -> Path:
    return Path(shutil.copy(GAPS / name, tmp_path / name))


def listing(objektnr: str) -> ListingPage:
    return ListingPage.objects.get(objektnr_extern=objektnr)


def codes(result, objektnr: str) -> set[str]:
    (entry,) = [e for e in result.entries if e.objektnr == objektnr]
    return {m["code"] for m in entry.messages}


def test_no_title_gets_a_composed_title_in_the_listings_language(tmp_path, broker):
    result = import_file(fixture(tmp_path, "no_title.xml"), broker)
    assert result.status == ImportRun.Status.IMPORTED
    assert (result.created, result.rejected) == (3, 0)
    # the site's language is English in the tests: no sprache, so LANGUAGE_CODE
    assert listing("W-102").title == "3-room flat in Leipzig"
    assert listing("H-201").title == "5-room detached house in Markkleeberg"
    assert listing("G-301").title == "Commercial space in Köln"
    for objektnr in ("W-102", "H-201", "G-301"):
        assert "title_missing" in codes(result, objektnr)
        assert listing(objektnr).live
    # the report's line for the property names the title it got
    (entry,) = [e for e in result.entries if e.objektnr == "W-102"]
    assert entry.title == "3-room flat in Leipzig"


@override_settings(LANGUAGE_CODE="de")
def test_a_german_site_composes_german_titles(tmp_path, broker):
    import_file(fixture(tmp_path, "no_title.xml"), broker)
    assert listing("W-102").title == "3-Zimmer-Wohnung in Leipzig"
    assert listing("H-201").title == "5-Zimmer-Einfamilienhaus in Markkleeberg"
    assert listing("G-301").title == "Gewerbefläche in Köln"
    assert listing("W-102").slug.startswith("3-zimmer-wohnung-in-leipzig")


def test_sprache_decides_the_language_of_the_title(tmp_path, broker):
    xml = (GAPS / "no_title.xml").read_text(encoding="utf-8").replace(
        "<objektnr_intern>4711</objektnr_intern>",
        "<objektnr_intern>4711</objektnr_intern><sprache>deu</sprache>",
    )
    path = tmp_path / "sprache.xml"
    path.write_text(xml, encoding="utf-8")
    import_file(path, broker)
    assert listing("W-102").title == "3-Zimmer-Wohnung in Leipzig"
    assert listing("H-201").title == "5-room detached house in Markkleeberg"


def test_the_composed_title_is_stable_and_never_replaces_an_editors_title(tmp_path, broker):
    path = fixture(tmp_path, "no_title.xml")
    import_file(path, broker)
    revisions = Revision.objects.count()
    with count_writes() as writes:
        again = import_file(path, broker)
    assert writes.queries == [] and again.unchanged == 3
    assert Revision.objects.count() == revisions

    # an editor gives the flat a title of their own
    flat = listing("W-102")
    flat.title = "Altbautraum mit Balkon"
    flat.save_revision().publish()
    # the broker changes the rent of every property and sends them again, still untitled
    changed = tmp_path / "changed.xml"
    changed.write_text(
        path.read_text(encoding="utf-8")
        .replace("<kaltmiete>780.00</kaltmiete>", "<kaltmiete>800.00</kaltmiete>")
        .replace("<anzahl_zimmer>5</anzahl_zimmer>", "<anzahl_zimmer>6</anzahl_zimmer>"),
        encoding="utf-8",
    )
    result = import_file(changed, broker)
    assert result.updated == 2 and result.unchanged == 1
    assert listing("W-102").title == "Altbautraum mit Balkon"  # the editor's stays
    assert listing("W-102").kaltmiete == 800
    # the composed title follows the data while nobody has touched it
    assert listing("H-201").title == "6-room detached house in Markkleeberg"
    with count_writes() as writes:
        import_file(changed, broker)
    assert writes.queries == []


def test_a_title_sent_later_replaces_the_composed_one(tmp_path, broker):
    path = fixture(tmp_path, "no_title.xml")
    import_file(path, broker)
    titled = tmp_path / "titled.xml"
    titled.write_text(
        path.read_text(encoding="utf-8").replace(
            "<objekttitel></objekttitel>", "<objekttitel>Haus am See</objekttitel>"
        ),
        encoding="utf-8",
    )
    import_file(titled, broker)
    assert listing("H-201").title == "Haus am See"


def test_empty_geo_with_coordinates_imports_and_shows_the_location_on_request(
    tmp_path, broker
):
    result = import_file(fixture(tmp_path, "empty_geo.xml"), broker)
    assert (result.created, result.rejected) == (2, 0)
    house = listing("OI-1001")
    assert (house.plz, house.ort) == (None, None)
    assert house.public_coordinates == {"lat": 51.3397, "lon": 12.3731}
    assert {"plz_missing", "ort_missing"} <= codes(result, "OI-1001")
    flat = listing("OI-1002")
    assert flat.regionaler_zusatz == "Leipzig-Gohlis"


def test_no_objektkategorie_infers_the_marketing_type_and_keeps_the_kind_neutral(
    tmp_path, broker
):
    result = import_file(fixture(tmp_path, "no_objektkategorie.xml"), broker)
    assert (result.created, result.rejected) == (2, 0)
    rent, buy = listing("IW-88120"), listing("IW-88121")
    assert rent.vermarktungsart == "MIETE_PACHT" and rent.preis == 1450
    assert buy.vermarktungsart == "KAUF" and buy.preis == 735000
    assert rent.objektart is None and buy.objektart is None  # never a guess
    for objektnr in ("IW-88120", "IW-88121"):
        assert {"vermarktungsart_inferred", "objektart_missing"} <= codes(result, objektnr)
    (message,) = [
        m for e in result.entries if e.objektnr == "IW-88120" for m in e.messages
        if m["code"] == "vermarktungsart_inferred"
    ]
    assert message["params"]["value"] == "MIETE_PACHT" and message["severity"] == "warning"
    # the stored record is what was sent: no objektkategorie was made up
    assert "objektkategorie" not in str(rent.openimmo_data)


def test_a_file_mixing_every_gap(tmp_path, broker):
    result = import_file(fixture(tmp_path, "mixed.xml"), broker)
    assert result.status == ImportRun.Status.PARTLY
    assert (result.created, result.rejected) == (3, 1)
    rejected = [e for e in result.entries if e.outcome == "rejected"]
    assert [m["code"] for m in rejected[0].errors] == ["identity_missing"]

    assert listing("M-1").title == "Property in Dresden"
    assert listing("M-1").vermarktungsart == "MIETE_PACHT"
    assert listing("M-2").title == "Detached house for sale"
    assert listing("M-2").ort is None and listing("M-2").public_coordinates is not None
    boat = listing("M-4")
    assert boat.wohnflaeche is None  # negative: left out, kept in the record
    assert "<wohnflaeche>-1</wohnflaeche>" in _xml_of(boat) or "-1" in str(boat.openimmo_data)
    assert {"negative_value", "objektart_invalid"} <= codes(result, "M-4")
    assert "objektart_missing" not in codes(result, "M-4")  # said once, precisely


def _xml_of(page) -> str:
    return str(page.openimmo_data)


@pytest.mark.parametrize(
    ("name", "properties"),
    [("no_title.xml", 3), ("empty_geo.xml", 2), ("no_objektkategorie.xml", 2),
     ("mixed.xml", 4)],
)
def test_strict_mode_rejects_the_same_files(tmp_path, broker, name, properties):
    with STRICT:
        result = import_file(fixture(tmp_path, name), broker)
    assert result.status == ImportRun.Status.REJECTED
    assert result.rejected == properties and result.created == 0
    assert not ListingPage.objects.filter(broker=broker).exists()


@pytest.mark.parametrize("name", ["empty_geo.xml", "no_objektkategorie.xml", "mixed.xml"])
def test_re_importing_a_file_with_gaps_writes_nothing(tmp_path, broker, name):
    path = fixture(tmp_path, name)
    import_file(path, broker)
    with count_writes() as writes:
        again = import_file(path, broker)
    assert writes.queries == []
    assert again.created == again.updated == 0


def test_the_report_says_each_kind_of_warning_once_with_the_object_numbers(tmp_path, broker):
    from django.utils import translation

    from tests.importing.helpers import Prop, transfer, write_upload
    from wagtail_openimmo.reports import render_run_report

    props = [Prop(intern=str(i), extern=f"W-{i:02}", titel=None, ort="Leipzig") for i in range(30)]
    with translation.override("en"):  # a worker in English; the broker reads German
        result = import_file(write_upload(tmp_path / "u.xml", transfer(*props)), broker)
    assert result.created == 30
    with override_settings(WAGTAIL_OPENIMMO={"REPORT_MAX_ITEMS": 20}):
        _subject, text, html = render_run_report(result.run, language="de")
    assert text.count("Der Titel fehlt (freitexte/objekttitel)") == 1
    assert "30 Objekte: W-00, W-01, W-02" in text
    assert "W-19 … und 10 weitere." in text  # REPORT_MAX_ITEMS numbers, then a count
    assert text.count("Das Objekt hat keine Bilder") == 1
    assert "Der Titel fehlt" in html and html.count("Der Titel fehlt") == 1
