"""Importing OpenImmo uploads into Wagtail pages.

The public API (the inbox, the FTP server, the scheduler and the commands use it)::

    from wagtail_openimmo.importing import import_file, identify_broker, ImportResult

    broker = identify_broker(path)        # whose upload is it? (None: unknown/ambiguous)
    result = import_file(path, broker, dry_run=False, force=False, progress=None, run=None)
    result.status                         # an ImportRun.Status value
    result.as_json()                      # what `openimmo_import --json` prints

Modules: ``uploads`` (open ZIP/XML safely), ``remote`` (safe downloads), ``attachments``
(images and documents), ``matching`` (which listing a property is), ``apply`` (one property
in one transaction), ``importer`` (the file), ``result`` (what happened).
"""

from .importer import identify_broker, import_file
from .result import EntryResult, ImportResult, render_message
from .uploads import UploadRefused

__all__ = [
    "EntryResult",
    "ImportResult",
    "UploadRefused",
    "identify_broker",
    "import_file",
    "render_message",
]
