"""The OpenImmo format: read, check and write OpenImmo 1.2.x files.

This sub-package does not import Django, so it can be used and tested on its own::

    from wagtail_openimmo.openimmo import read_transfer
    transfer = read_transfer("export.xml")
    for record in transfer.records():
        print(record.objektnr, record.aktion, record.fields.get("kaufpreis"), record.errors)
"""

from .problems import Problem, TransferRefused
from .reader import Transfer, read_transfer
from .records import Anbieter, AttachmentRef, PropertyRecord, Uebertragung
from .xsd import XsdUnavailable

__all__ = [
    "Anbieter",
    "AttachmentRef",
    "Problem",
    "PropertyRecord",
    "Transfer",
    "TransferRefused",
    "Uebertragung",
    "XsdUnavailable",
    "read_transfer",
]
