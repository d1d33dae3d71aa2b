"""Video links and virtual tours as IS24 link attachments; the energy certificate complete."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.is24.helpers import make_listing
from tests.is24.xsd import xsd_errors
from wagtail_openimmo.is24.mapping import desired_attachments, map_listing
from wagtail_openimmo.is24.models import IS24ListingState
from wagtail_openimmo.is24.sync import sync_broker
from wagtail_openimmo.models import ListingAttachment

pytestmark = pytest.mark.django_db

VIDEO = "https://www.youtube.com/watch?v=abc123"
TOUR = "https://tour.example.com/rundgang/4711"


def add_link(listing, gruppe: str, url: str, titel: str = ""):
    return ListingAttachment.objects.create(
        listing=listing,
        kind="link",
        gruppe=gruppe,
        url=url,
        titel=titel,
        sort_order=listing.attachments.count(),
    )


def sync(broker):
    return sync_broker(broker, sleep=lambda seconds: None)


def test_video_and_tour_links_are_link_attachments_valid_against_the_xsd(broker):
    listing = make_listing(broker, 0, images=1)
    add_link(listing, "FILMLINK", VIDEO, "Video zum Objekt")
    add_link(listing, "LINKS", TOUR, "360°-Rundgang")
    add_link(listing, "ANBOBJURL", "https://makler.example.com/objekt/1")  # not for IS24
    add_link(listing, "FILMLINK", "ftp://nope")  # IS24 accepts http(s) only
    desired = desired_attachments(listing)
    assert [d.kind for d in desired] == ["picture", "link", "link"]
    video, tour = desired[1].metadata(), desired[2].metadata()
    assert video["common.attachment"]["@xsi.type"] == "common:Link"
    assert video["common.attachment"]["url"] == VIDEO
    assert tour["common.attachment"]["title"] == "360°-Rundgang"
    assert xsd_errors(video) == [] and xsd_errors(tour) == []


def test_links_are_posted_once_replaced_when_the_url_changes(broker, connection, fake_is24):
    listing = make_listing(broker, 0, images=1)
    video = add_link(listing, "FILMLINK", VIDEO)
    result = sync(broker)
    assert result.errors == []
    state = IS24ListingState.objects.get(listing=listing)
    attachments = fake_is24.realestates[state.is24_id].attachments
    assert [a.metadata["@xsi.type"] for a in attachments] == ["common:Picture", "common:Link"]
    assert attachments[1].metadata["url"] == VIDEO and attachments[1].metadata["title"] == "Video"

    fake_is24.clear_log()
    assert sync(broker).unchanged == 1 and fake_is24.writes() == []

    video.url = "https://vimeo.com/987654"
    video.save()
    fake_is24.clear_log()
    result = sync(broker)
    assert result.errors == []
    writes = [(w.method, w.path.rsplit("/", 2)[-2:]) for w in fake_is24.writes()]
    assert [m for m, _p in writes] == ["POST", "DELETE"]  # new link, old one removed
    links = [a for a in fake_is24.realestates[state.is24_id].attachments if "url" in a.metadata]
    assert [a.metadata["url"] for a in links] == ["https://vimeo.com/987654"]


def energy_data(heizungsart: str, befeuerung: str) -> dict:
    return {
        "tag": "immobilie",
        "children": [
            {
                "tag": "ausstattung",
                "children": [
                    {"tag": "heizungsart", "attrs": {heizungsart: "true"}},
                    {"tag": "befeuerung", "attrs": {befeuerung: "true", "OEL": "false"}},
                ],
            }
        ],
    }


def test_a_complete_certificate_with_heating_source_and_building_year(broker):
    listing = make_listing(
        broker,
        2,
        images=0,
        baujahr=None,
        epass_baujahr="1978",
        epass_epart="BEDARF",
        epass_endenergiebedarf=Decimal("142.3"),
        epass_wertklasse="E",
        epass_jahrgang="2014",
        epass_primaerenergietraeger="GAS",
        openimmo_data=energy_data("FUSSBODEN", "SOLAR"),
    )
    mapped = map_listing(listing)
    body = mapped.payload["realestates.houseBuy"]
    assert xsd_errors(mapped.payload) == []
    assert body["energyCertificate"] == {
        "energyCertificateAvailability": "AVAILABLE",
        "energyCertificateCreationDate": "FROM_01_MAY_2014",
        "energyEfficiencyClass": "E",
    }
    assert body["energyPerformanceCertificate"] == "true"
    assert body["buildingEnergyRatingType"] == "ENERGY_REQUIRED"
    assert body["thermalCharacteristic"] == 142.3
    assert body["energySourcesEnev2014"] == {"energySourceEnev2014": ["GAS", "SOLAR_HEATING"]}
    assert body["heatingTypeEnev2014"] == "FLOOR_HEATING"
    assert body["constructionYear"] == 1978  # from the certificate when baujahr is missing


@pytest.mark.parametrize(
    ("epart", "wertklasse", "availability"),
    [
        ("NICHT_NOETIG", None, "NOT_REQUIRED"),
        (None, "NICHT_NOETIG", "NOT_REQUIRED"),
        ("OHNE_ENERGIEPASS", None, "NOT_AVAILABLE_YET"),
        (None, "OHNE", "NOT_AVAILABLE_YET"),
    ],
)
def test_not_required_and_not_yet_available(broker, epart, wertklasse, availability):
    listing = make_listing(
        broker,
        1,
        images=0,
        epass_epart=epart,
        epass_wertklasse=wertklasse,
        epass_energieverbrauchkennwert=Decimal("99"),
        epass_endenergiebedarf=Decimal("99"),
    )
    mapped = map_listing(listing)
    assert mapped.ok, mapped.problems
    body = next(iter(mapped.payload.values()))
    assert body["energyCertificate"] == {"energyCertificateAvailability": availability}
    assert body["energyPerformanceCertificate"] == "false"
    # No value, class or kind for a certificate that does not exist.
    assert "thermalCharacteristic" not in body and "buildingEnergyRatingType" not in body
    assert xsd_errors(mapped.payload) == []


def test_commercial_types_carry_the_certificate_too(broker):
    listing = make_listing(
        broker,
        0,
        images=0,
        objektart="einzelhandel",
        objektart_typ="LADENLOKAL",
        nutzflaeche=Decimal("90"),
        epass_epart="VERBRAUCH",
        epass_energieverbrauchkennwert=Decimal("75"),
        epass_wertklasse="B",
        epass_ausstelldatum=dt.date(2020, 2, 1),
        epass_jahrgang=None,
        openimmo_data=energy_data("ZENTRAL", "FERN"),
    )
    mapped = map_listing(listing)
    body = mapped.payload["realestates.store"]
    assert xsd_errors(mapped.payload) == []
    assert body["energyCertificate"]["energyCertificateCreationDate"] == "FROM_01_MAY_2014"
    assert body["thermalCharacteristic"] == 75
    assert body["heatingTypeEnev2014"] == "CENTRAL_HEATING"


def test_a_changed_certificate_is_put_an_unchanged_one_is_not(broker, connection, fake_is24):
    listing = make_listing(broker, 1, images=0, epass_epart="OHNE_ENERGIEPASS")
    sync(broker)
    state = IS24ListingState.objects.get(listing=listing)
    assert fake_is24.realestates[state.is24_id].body["energyCertificate"] == {
        "energyCertificateAvailability": "NOT_AVAILABLE_YET"
    }
    fake_is24.clear_log()
    assert sync(broker).unchanged == 1 and fake_is24.writes() == []
    listing.epass_epart = "VERBRAUCH"
    listing.epass_energieverbrauchkennwert = Decimal("88")
    listing.epass_wertklasse = "C"
    listing.save()
    result = sync(broker)
    assert result.updated == 1
    body = fake_is24.realestates[state.is24_id].body
    assert body["energyCertificate"]["energyCertificateAvailability"] == "AVAILABLE"
    assert body["thermalCharacteristic"] == 88
