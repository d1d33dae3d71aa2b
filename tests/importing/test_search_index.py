"""The importer indexes each listing and picture once, in bulk: the same entries as before.

Before, every save (three per new listing, one per picture) updated the search index on its
own; now the saves are collected and each object is indexed once at the end of the
property's transaction. What ends up in the index must be exactly what the per-save
updates left, and saves outside an import must still be indexed at once.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.images import get_image_model
from wagtail.search.models import IndexEntry

from tests.importing.helpers import small_jpeg
from tests.importing.test_idempotence import feed
from wagtail_openimmo.compat import search_index
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import ListingPage

pytestmark = pytest.mark.django_db
Image = get_image_model()
ENTRY = ("content_type_id", "object_id", "title", "autocomplete", "body")


def imported_entries():
    """The index entries of listings and pictures."""
    types = ContentType.objects.get_for_models(ListingPage, Image).values()
    return IndexEntry.objects.filter(content_type__in=types)


def index_entries() -> set[tuple]:
    return set(imported_entries().values_list(*ENTRY))


def test_the_listings_and_pictures_are_indexed_as_each_save_would_have(tmp_path, broker):
    result = import_file(feed(tmp_path, range(3), images=2), broker)
    assert result.created == 3
    after_import = index_entries()
    pages = list(ListingPage.objects.filter(broker=broker))
    images = list(Image.objects.all())
    assert len(pages) == 3 and len(images) == 6
    # what Wagtail's own handler makes of each object, one at a time
    imported_entries().delete()
    assert index_entries() == set()
    for obj in [*pages, *images]:
        search_index.insert_or_update_object(obj)
    assert index_entries() == after_import
    for page in pages:
        assert list(ListingPage.objects.search(page.title)) != []
        assert page in ListingPage.objects.search(page.objektnr_extern)


def test_an_updated_listing_is_found_by_its_new_words(tmp_path, broker):
    import_file(feed(tmp_path, range(1), images=1), broker)
    page = ListingPage.objects.get()
    assert list(ListingPage.objects.search("Zauberschloss")) == []
    # the same property with a new title
    path = feed(tmp_path, range(1), images=1, name="again.zip")
    import zipfile

    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    xml_name = next(n for n in members if n.endswith(".xml"))
    title = page.title.encode()
    members[xml_name] = members[xml_name].replace(title, b"Zauberschloss am See", 1)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert import_file(path, broker).updated == 1
    assert list(ListingPage.objects.search("Zauberschloss")) == [page]


def test_saves_outside_an_import_are_indexed_at_once(tmp_path, broker):
    import_file(feed(tmp_path, range(1), images=1), broker)  # the gate is in place now
    from django.core.files.base import ContentFile

    image = Image(title="Leuchtturm im Nebel")
    image.file.save("leuchtturm.jpg", ContentFile(small_jpeg(7)), save=False)
    image.width, image.height = 64, 48
    image.save()
    assert list(Image.objects.search("Leuchtturm")) == [image]


def test_the_reference_index_is_what_wagtails_own_task_makes(tmp_path, broker):
    """Pictures' references are taken from the objects just saved, not loaded again."""
    from django.db import transaction
    from wagtail.models import ReferenceIndex
    from wagtail.tasks import update_reference_index_task

    import_file(feed(tmp_path, range(2), images=2), broker)
    objects = [*ListingPage.objects.filter(broker=broker), *Image.objects.all()]
    types = ContentType.objects.get_for_models(ListingPage, Image).values()
    rows = ReferenceIndex.objects.filter(content_type__in=types)
    fields = ("content_type_id", "object_id", "to_content_type_id", "to_object_id", "model_path")
    after_import = set(rows.values_list(*fields))
    referring = {(ct, obj) for ct, obj, *_rest in after_import}
    assert len({ct for ct, _obj in referring}) == 2  # listings and pictures refer to things
    rows.delete()
    with transaction.atomic():
        for obj in objects:
            update_reference_index_task.enqueue(
                obj._meta.app_label, obj._meta.model_name, str(obj.pk)
            )
    assert set(rows.values_list(*fields)) == after_import
