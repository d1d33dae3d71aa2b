"""Export listings as OpenImmo: ZIP files for download, the command and the FTP push.

from wagtail_openimmo.exporting import export_broker
result = export_broker(broker, "stock.zip")           # VOLL: the whole live stock
"""

from .export import ExportError, ExportResult, export_broker, has_changes

__all__ = ["ExportError", "ExportResult", "export_broker", "has_changes"]
