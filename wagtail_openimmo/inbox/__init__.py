"""The inbox: uploaded OpenImmo files on their way to the importer.

``process_inboxes()`` imports every complete upload (see ``process``), ``held_files()``
lists what waits for the operator, ``clean_archive()`` deletes old archived files.
"""

from .approval import is_import_approved
from .cleanup import clean_archive
from .held import (
    HeldFile,
    HeldFileError,
    can_confirm,
    confirm_held,
    discard_held,
    held_files,
)
from .process import InboxOutcome, process_inboxes

__all__ = [
    "HeldFile",
    "HeldFileError",
    "InboxOutcome",
    "can_confirm",
    "clean_archive",
    "confirm_held",
    "discard_held",
    "held_files",
    "is_import_approved",
    "process_inboxes",
]
