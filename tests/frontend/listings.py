"""Build listing pages for front-end tests without the importer.

``make_listing(broker, n)`` reads the generator's n-th demo property with the same field
extraction the importer uses (``openimmo.fields.extract_fields``), stores the record as the
importer does (``openimmo_data``) and attaches real Wagtail images made from the demo JPEGs.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree
from wagtail.images import get_image_model
from wagtail.signal_handlers import disable_reference_index_auto_update

from wagtail_openimmo.models import ListingAttachment, ListingPage
from wagtail_openimmo.openimmo import generate
from wagtail_openimmo.openimmo.fields import extract_fields
from wagtail_openimmo.openimmo.tree import element_to_data

BASE_TIME = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


def make_image(seed: int, title: str = "", size=(320, 240)):
    data = generate.jpeg(seed, size=size)
    return get_image_model().objects.create(
        title=title or f"Picture {seed}",
        file=ImageFile(BytesIO(data), name=f"listing-{seed}.jpg"),
    )


def ausstattung(*children: str) -> etree._Element:
    """An ``<ausstattung>`` element from XML snippets: ``ausstattung('<kamin>true</kamin>')``."""
    return etree.fromstring("<ausstattung>" + "".join(children) + "</ausstattung>")


def make_listing(*args, **kwargs) -> ListingPage:
    """The n-th demo property as a ``ListingPage`` below ``broker``'s index page.

    ``fields`` override columns (``ort="Mainz"``, ``is_reference=True``…); ``extra_elements``
    are lxml elements added to the stored record (e.g. ``ausstattung(...)``). Wagtail's
    reference index (which admin "usage" views need, not the front end) is not updated: it
    would double the time a hundred listings take.
    """
    with disable_reference_index_auto_update():
        return _make_listing(*args, **kwargs)


def _make_listing(
    broker,
    n: int = 0,
    *,
    images: int = 2,
    live: bool = True,
    extra_elements=(),
    published_at: dt.datetime | None = None,
    image_seed: int | None = None,
    image_size=(320, 240),
    **fields,
) -> ListingPage:
    prop = generate.demo_property(n, images=0)
    element = generate.property_element(prop)
    for extra in extra_elements:
        element.insert(0, extra)
    values, _lines, _notes = extract_fields(element)
    title = values.pop("objekttitel", prop.titel)
    values.update(fields)
    title = values.pop("title", title)
    published = published_at or BASE_TIME + dt.timedelta(hours=n)
    page = ListingPage(
        title=title,
        slug=values.pop("slug", slugify(f"{title}-{prop.objektnr_extern}")),
        broker=broker,
        openimmo_data=element_to_data(element),
        imported=True,
        live=live,
        first_published_at=published,
        last_published_at=published,
        last_imported_at=published,
        **values,
    )
    broker.index_page.add_child(instance=page)
    titles = ["Ansicht", "Wohnzimmer", "Küche", "Bad", "Grundriss"]
    groups = ["TITELBILD", "INNENANSICHTEN", "INNENANSICHTEN", "INNENANSICHTEN", "GRUNDRISS"]
    seed = n * 10 if image_seed is None else image_seed
    for i in range(images):
        ListingAttachment.objects.create(
            listing=page,
            sort_order=i,
            kind=ListingAttachment.KIND_IMAGE,
            gruppe=groups[i % len(groups)],
            titel=titles[i % len(titles)],
            image=make_image(seed + i, size=image_size),
        )
    return page


def withdraw(page: ListingPage) -> ListingPage:
    """What the importer does for aktion DELETE: unpublish and note when."""
    page.withdrawn_at = timezone.now()
    page.save(update_fields=["withdrawn_at"])
    page.unpublish()
    page.refresh_from_db()
    return page
