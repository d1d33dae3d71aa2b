"""The app's models, split by concern and re-exported here."""

from .brokers import Broker
from .exports import ExportTarget
from .ftp import FTPAccount, FTPSettings
from .leads import SearchAgent, SearchAgentMatch
from .pages import (
    AbstractListingIndexPage,
    AbstractListingPage,
    DeletedListing,
    ListingAttachment,
    ListingIndexPage,
    ListingPage,
    listing_page_indexes,
)
from .portal import PortalSearchPage, WatchlistPage
from .runs import ImportRun, ImportRunEntry
from .site_settings import OpenImmoSiteSettings
from .workers import WorkerHeartbeat

__all__ = [
    "AbstractListingIndexPage",
    "AbstractListingPage",
    "Broker",
    "DeletedListing",
    "FTPAccount",
    "FTPSettings",
    "ExportTarget",
    "ImportRun",
    "ImportRunEntry",
    "ListingAttachment",
    "ListingIndexPage",
    "ListingPage",
    "OpenImmoSiteSettings",
    "PortalSearchPage",
    "SearchAgent",
    "SearchAgentMatch",
    "WatchlistPage",
    "WorkerHeartbeat",
    "listing_page_indexes",
]
