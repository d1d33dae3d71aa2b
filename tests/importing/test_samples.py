"""Every public sample in ../shared/openimmo/samples: what it should do, and again with no write.

Most samples are importers' edge cases rather than complete listings: they lack a title, a
city or a price. Lenient mode imports them with warnings (a composed title, the location on
request); only properties without any object number are rejected, with reasons a broker
understands. Each is imported for a
broker that has no identifiers yet (so its ANID is learnt on first contact), then imported a
second time, which must write nothing but the run log.
"""

import pytest

from tests.helpers import FIXTURES, SHARED_SAMPLES, make_broker, shared_sample
from tests.importing.helpers import count_writes, small_jpeg
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ListingPage

pytestmark = pytest.mark.django_db

INCOMPLETE = {"identity_missing"}  # the other gaps of these skeletons are warnings now
NO_PRICE_NO_TITLE = set()  # imported: a composed title, no city, the price on request

# sample -> (status, refused, counts, error codes every rejected property has / file codes)
EXPECTED = {
    "OpenEstate-IO__openimmo-1-2-5-downgrade.xml": ("rejected", False, {"rejected": 8}, INCOMPLETE),
    "OpenEstate-IO__openimmo-1-2-5-upgrade.xml": ("rejected", False, {"rejected": 2}, INCOMPLETE),
    "OpenEstate-IO__openimmo-1-2-6-downgrade.xml": ("rejected", False, {"rejected": 4}, INCOMPLETE),
    "OpenEstate-IO__openimmo-1-2-6-upgrade.xml": ("rejected", False, {"rejected": 1}, INCOMPLETE),
    "OpenEstate-IO__openimmo-1-2-7-downgrade.xml": ("rejected", False, {"rejected": 4}, INCOMPLETE),
    "OpenEstate-IO__openimmo-1-2-7-upgrade.xml": ("rejected", False, {"rejected": 4}, INCOMPLETE),
    "OpenEstate-IO__openimmo-1-2-7b-downgrade.xml": (
        "rejected",
        False,
        {"rejected": 4},
        INCOMPLETE,
    ),
    "OpenEstate-IO__openimmo-feedback-1-2-5-downgrade.xml": (
        "rejected",
        True,
        {},
        {"not_openimmo"},
    ),
    "OpenEstate-IO__openimmo-feedback.xml": ("rejected", True, {}, {"not_openimmo"}),
    "justimmo-php-sdk__realty_detail.xml": ("imported", False, {"created": 1}, set()),
    "ext-realty__DomDocumentConverterTest_namespaced-imo-prefix.xml": (
        "rejected",
        False,
        {"rejected": 1},
        {"identity_missing"},
    ),
    # created without a title (composed), then deleted by the second record of the file
    "ext-realty__OpenImmoImportTest_onOffice-124_change-and-delete.xml": (
        "imported",
        False,
        {"created": 1, "withdrawn": 1},
        set(),
    ),
    "ext-realty__bar-bar.zip": ("rejected", True, {}, {"no_openimmo_xml"}),
    "ext-realty__charset-ISO8859-1.zip": ("imported", False, {"created": 1}, NO_PRICE_NO_TITLE),
    "ext-realty__charset-UTF8-default.zip": ("imported", False, {"created": 1}, NO_PRICE_NO_TITLE),
    "ext-realty__charset-UTF8.zip": ("imported", False, {"created": 1}, NO_PRICE_NO_TITLE),
    "ext-realty__contains-folder.zip": ("rejected", True, {}, {"no_openimmo_xml"}),
    "ext-realty__empty.zip": ("rejected", True, {}, {"no_openimmo_xml"}),
    "ext-realty__foo-deleted.zip": ("imported", False, {"skipped": 1}, set()),
    "ext-realty__foo-uppercased.zip": ("rejected", False, {"rejected": 1}, INCOMPLETE),
    "ext-realty__foo.zip": ("imported", False, {"created": 1}, NO_PRICE_NO_TITLE),
    "ext-realty__missing-referenced-images.zip": (
        "imported",
        False,
        {"created": 1},
        NO_PRICE_NO_TITLE,
    ),
    # two records of the same property: created, then updated
    "ext-realty__two-objects.zip": (
        "imported",
        False,
        {"created": 1, "updated": 1},
        NO_PRICE_NO_TITLE,
    ),
    "ext-realty__with-openimmo-anid.zip": ("rejected", False, {"rejected": 1}, INCOMPLETE),
    "laravel-openimmo__TransferRealWorld.xml": ("rejected", True, {}, {"not_openimmo"}),
    "laravel-openimmo__TransferWithMicroseconds.xml": ("rejected", True, {}, {"not_openimmo"}),
    "laravel-openimmo__UserDefinedSimpleFields.xml": ("rejected", True, {}, {"not_openimmo"}),
}
# Files that say two things about one listing (CHANGE then DELETE of the same object; two
# records with the same openimmo_obid): each import repeats the same steps, so a re-import
# writes again -- and ends exactly where the first import ended.
SELF_CONTRADICTING = {
    "ext-realty__OpenImmoImportTest_onOffice-124_change-and-delete.xml",
    "ext-realty__two-objects.zip",
}
COUNTS = ("created", "updated", "unchanged", "withdrawn", "rejected", "skipped")


def sample_path(name):
    copied = FIXTURES / "openimmo" / name
    return copied if copied.exists() else shared_sample(name)


def test_every_sample_has_an_expectation():
    if not SHARED_SAMPLES.exists():
        pytest.skip(f"{SHARED_SAMPLES} is absent")
    names = {p.name for p in SHARED_SAMPLES.iterdir() if p.suffix in (".xml", ".zip")}
    assert names == set(EXPECTED)


@pytest.fixture
def justimmo(tmp_path, file_server):
    """The justimmo sample with its picture URLs pointing at a local server."""
    text = sample_path("justimmo-php-sdk__realty_detail.xml").read_text("utf-8")
    for n, path in enumerate(
        sorted(
            {
                line.split("http://files.justimmo.at", 1)[1].split("<", 1)[0]
                for line in text.splitlines()
                if "http://files.justimmo.at" in line
            }
        )
    ):
        file_server.files[path] = small_jpeg(n)
    path = tmp_path / "justimmo.xml"
    path.write_text(text.replace("http://files.justimmo.at", file_server.base), "utf-8")
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample(name, request):
    status, refused, counts, codes = EXPECTED[name]
    path = request.getfixturevalue("justimmo") if name.startswith("justimmo") else sample_path(name)
    broker = make_broker("samples", anid="")
    result = import_file(path, broker)
    assert (result.status, result.refused) == (status, refused), result.as_json()
    assert {k: getattr(result, k) for k in COUNTS} == {k: counts.get(k, 0) for k in COUNTS}
    if refused:
        assert {e["code"] for e in result.errors} == codes
        assert result.message
    for entry in result.entries:
        if entry.outcome == "rejected":
            assert codes <= {m["code"] for m in entry.errors}, entry.messages
            assert all(m["message"] and m["line"] for m in entry.errors)
    assert ListingPage.objects.count() == counts.get("created", 0)
    assert all(page.title for page in ListingPage.objects.all())

    if name in SELF_CONTRADICTING:
        before = list(ListingPage.objects.values_list("pk", "live", "title"))
        again = import_file(path, broker)
        assert again.status == status and again.created == 0
        assert list(ListingPage.objects.values_list("pk", "live", "title")) == before
        return
    with count_writes() as writes:
        again = import_file(path, broker)
    assert writes.queries == []
    assert again.status == status and again.created == 0 and again.updated == 0


def test_the_justimmo_sample_is_imported_completely(justimmo, file_server):
    broker = make_broker("justimmo", anid="")
    result = import_file(justimmo, broker)
    page = ListingPage.objects.get()
    assert page.objektnr_extern == "34" and page.objektart == "buero_praxen"
    assert page.vermarktungsart == "KAUF" and page.ort
    # 12 <anhang>: 11 pictures (downloaded) and one LINKS entry (kept as a link)
    assert result.images_created == 11
    rows = list(page.attachments.order_by("sort_order"))
    assert [r.kind for r in rows] == ["image"] * 11 + ["link"]
    assert rows[0].gruppe == "TITELBILD" and rows[0].url.endswith("AHA0s6aAaT.jpg")
    assert rows[-1].url == "http://www.justimmo.at" and rows[-1].titel == "JUSTIMMO"
    assert sorted(set(file_server.requests)) == sorted(
        r.url.removeprefix(file_server.base) for r in rows[:11]
    )
    assert "aktion_new" in {w["code"] for w in result.warnings}
    requests = len(file_server.requests)
    assert import_file(justimmo, broker).unchanged == 1
    assert len(file_server.requests) == requests  # nothing downloaded again
