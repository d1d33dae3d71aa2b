"""Relations from the app's own models to the listing page model, whichever it is.

A site may store listings in its own page model (``WAGTAIL_OPENIMMO["LISTING_PAGE_MODEL"]``,
a subclass of ``AbstractListingPage`` in the site's app). The app's models that point at a
listing — attachments, import-log entries, the IS24 state — must then point at that model,
yet the app's migrations cannot depend on the site's app: the site's listing model has a
foreign key to ``Broker`` and so depends on the app's migrations, and a dependency back
would be a cycle (Django's ``swappable_dependency`` has the same limit; it works for
``AUTH_USER_MODEL`` because ``auth`` needs nothing from the user's app).

So these fields point at the chosen listing model at runtime (joins, ``listing.attachments``,
inline panels, cascades) and describe themselves to migrations as what they are in the
database: a reference to Wagtail's page table. A listing's primary key *is* its page's id
(multi-table inheritance), so the column and its constraint are the same for every listing
model, the app's migrations stay the same whatever the site chooses, and installs that
started with ``ListingPage`` keep their data (migration 0012 moved the constraint from
the listing table to the page table).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import SettingsReference, settings
from django.db import models
from modelcluster.fields import ParentalKey

from . import get_listing_page_model_string


def page_model_reference():
    """What a foreign key to Wagtail's page model deconstructs to: ``wagtailcore.page``, or a
    reference to the ``WAGTAIL_PAGE_MODEL`` setting where Wagtail lets the page model be
    swapped (as the app's migrations write it)."""
    name = getattr(settings, "WAGTAIL_PAGE_MODEL", "wagtailcore.Page")
    app_label, model_name = name.split(".")
    label = f"{app_label}.{model_name.lower()}"
    setting = apps.get_swappable_settings_name(label)
    return SettingsReference(label, setting) if setting else label


class ListingRelation:
    """Mixin: the relation's target is the listing model; migrations see the page model."""

    # The plain field class the migrations are written with.
    migration_path: str

    def __init__(self, to=None, *args, **kwargs):
        super().__init__(to or get_listing_page_model_string(), *args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs["to"] = page_model_reference()
        return name, self.migration_path, args, kwargs


class ListingForeignKey(ListingRelation, models.ForeignKey):
    migration_path = "django.db.models.ForeignKey"


class ListingOneToOneField(ListingRelation, models.OneToOneField):
    migration_path = "django.db.models.OneToOneField"


class ListingParentalKey(ListingRelation, ParentalKey):
    migration_path = "modelcluster.fields.ParentalKey"


class ListingBrokerKey(models.ForeignKey):
    """A listing's broker. ``Broker.listings`` (and ``Broker.objects.filter(listings__…)``)
    are the listings of the chosen listing model; the other listing model (the app's
    ``ListingPage`` when a site has its own) keeps its column but no reverse accessor, so the
    two do not clash. Migrations see ``related_name="listings"`` for both, as written in the
    app's 0001, so the choice never changes a migration."""

    def contribute_to_class(self, cls, name, *args, **kwargs):
        chosen = get_listing_page_model_string().lower()
        if not cls._meta.abstract and cls._meta.label_lower != chosen:
            self.remote_field.related_name = "+"
        super().contribute_to_class(cls, name, *args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs["related_name"] = "listings"
        return name, "django.db.models.ForeignKey", args, kwargs
