"""The ``<immobilie>`` to export for a listing.

An imported listing starts from the element its broker sent (``ListingPage.openimmo_data``),
so everything the app keeps no column for goes out again; an editor-made listing starts from
an empty one. The listing's columns are then written in where they differ from what that
element says (``openimmo.patch.overlay``): what an editor changed in the admin wins.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils import timezone

from .. import get_listing_page_model
from ..models import AbstractListingPage, Broker
from ..models.pages import COLUMN_FOR_FIELD
from ..openimmo import patch
from ..openimmo.fields import FIELDS
from ..openimmo.tree import Data


def listing_columns(listing: AbstractListingPage) -> dict[str, Any]:
    """The listing's value for every field of ``FIELDS`` (``objekttitel`` is the title)."""
    return {f.name: getattr(listing, COLUMN_FOR_FIELD.get(f.name, f.name)) for f in FIELDS}


@cache
def decimal_places(model: type | None = None) -> dict[str, int]:
    """How many decimal places each decimal column keeps (values are compared at that)."""
    model = model or get_listing_page_model()
    places = {}
    for field in FIELDS:
        if field.kind == "decimal":
            column = model._meta.get_field(COLUMN_FOR_FIELD.get(field.name, field.name))
            places[field.name] = column.decimal_places
    return places


def has_stored_record(listing: AbstractListingPage) -> bool:
    data = listing.openimmo_data
    return isinstance(data, dict) and data.get("tag") == "immobilie"


# The number an export gives a listing that has none (an editor made it): "wagtail-<page id>".
DERIVED_NUMBER_PREFIX = "wagtail-"


def derived_number(listing: AbstractListingPage) -> str:
    return f"{DERIVED_NUMBER_PREFIX}{listing.pk}"


def broker_anid(broker: Broker) -> str:
    return broker.openimmo_anid or next(iter(broker.known_anids or ()), "") or ""


def identity(listing: AbstractListingPage, broker: Broker) -> dict[str, str | None]:
    """The numbers a receiver knows the listing by.

    A listing an editor made may have none; then numbers derived from the page ID are used
    (``objektnr_extern`` is required by the schema), the same in every export, so a later
    change or DELETE reaches the same object at the receiver.
    """
    numbers = {
        "objektnr_intern": listing.objektnr_intern or None,
        "objektnr_extern": listing.objektnr_extern or None,
        "openimmo_obid": listing.openimmo_obid or None,
    }
    if not has_stored_record(listing):
        if not numbers["objektnr_extern"]:
            numbers["objektnr_extern"] = numbers["objektnr_intern"] or derived_number(listing)
        if not numbers["openimmo_obid"]:
            anid = broker_anid(broker) or broker.slug
            numbers["openimmo_obid"] = f"{anid}_{numbers['objektnr_extern']}"
    return numbers


def _complete_new_listing(data: Data, listing: AbstractListingPage, broker: Broker) -> None:
    """Give an editor-made listing the structure the schema requires."""
    for container in ("objektkategorie", "geo", "kontaktperson", "verwaltung_techn"):
        patch.ensure_path(data, container)
    numbers = identity(listing, broker)
    for name in ("objektnr_extern", "openimmo_obid"):
        patch.set_path(data, f"verwaltung_techn/{name}", numbers[name])
    patch.ensure_path(data, "verwaltung_techn/aktion")
    changed = listing.last_published_at or listing.latest_revision_created_at or timezone.now()
    patch.set_path(
        data, "verwaltung_techn/stand_vom", timezone.localtime(changed).date().isoformat()
    )


def listing_tree(
    listing: AbstractListingPage,
    broker: Broker,
    *,
    anhaenge: list[Data] | None = None,
) -> tuple[Data, list[str]]:
    """The ``<immobilie>`` to write for a live listing, and the fields that could not be
    expressed in OpenImmo (reported, normally none).

    ``anhaenge``: the ``<anhang>`` elements to send (they replace the stored ones); ``None``
    keeps the stored ones untouched.
    """
    stored = has_stored_record(listing)
    base = listing.openimmo_data if stored else patch.skeleton()
    columns = listing_columns(listing)
    places = decimal_places()
    data, changed = patch.overlay(base, columns, decimal_places=places)
    # nothing changed means every value reads back as it is; else check what was written
    problems = patch.unresolved(data, columns, decimal_places=places) if changed else []
    if anhaenge is not None:
        replace_attachments(data, anhaenge)
    # valid output: the broker's own elements go into user_defined_anyfield, aktion is set
    patch.fit_schema(data)
    patch.normalise_aktion(data)
    if listing.is_reference:
        patch.set_aktion(data, "REFERENZ")
    elif patch.aktionart(data) in ("REFERENZ", "DELETE"):
        patch.set_aktion(data, None)
    if not stored:
        _complete_new_listing(data, listing, broker)
    return data, problems


def delete_tree(listing: AbstractListingPage, broker: Broker) -> Data:
    """A DELETE record: the listing as it was last sent, with ``aktionart="DELETE"``.

    Receivers need only the numbers, but the schema requires ``objektkategorie``, ``geo``
    and ``kontaktperson`` in every ``<immobilie>``, so a bare skeleton would not validate.
    The files are left out (``anhaenge`` is optional).
    """
    data, _unresolved = listing_tree(listing, broker, anhaenge=[])
    patch.set_aktion(data, "DELETE")
    return data


def replace_attachments(data: Data, anhaenge: list[Data]) -> None:
    """Put ``anhaenge`` in place of the stored ``<anhang>`` elements.

    Some exporters put ``<anhang>`` straight under ``<immobilie>``; those go too. What else
    the stored ``<anhaenge>`` holds (user-defined fields) stays.
    """
    kept: list[Data] = []
    others: list[Data] = []
    for child in data.get("children") or ():
        if child["tag"] == "anhang":
            continue
        if child["tag"] == "anhaenge":
            kept.extend(c for c in child.get("children") or () if c["tag"] != "anhang")
            continue
        others.append(child)
    data["children"] = others
    if anhaenge or kept:
        node = patch.ensure_path(data, "anhaenge")
        node["children"] = [*anhaenge, *kept]
    elif not data["children"]:
        del data["children"]
