"""The app's models, split by concern and re-exported here."""

from .brokers import Broker
from .exports import ExportTarget
from .pages import (
    AbstractListingIndexPage,
    AbstractListingPage,
    ListingAttachment,
    ListingIndexPage,
    ListingPage,
)
from .runs import ImportRun, ImportRunEntry

__all__ = [
    "AbstractListingIndexPage",
    "AbstractListingPage",
    "Broker",
    "ExportTarget",
    "ImportRun",
    "ImportRunEntry",
    "ListingAttachment",
    "ListingIndexPage",
    "ListingPage",
]
