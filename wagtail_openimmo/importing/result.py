"""What an import did: per file (``ImportResult``) and per property (``EntryResult``).

Messages are kept as data -- a stable ``code``, the English ``template`` and its ``params``
-- so that a report can be rendered later in the broker's language::

    render_message(entry["messages"][0], translate=gettext)

Params that are themselves translatable texts (field labels, ``openimmo.problems.Text``) are
listed under ``text_params``; ``render_message`` translates those, too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..models import ImportRun, ImportRunEntry
from ..openimmo.problems import Problem, Text

Status = ImportRun.Status
Outcome = ImportRunEntry.Outcome


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return str(value)


def message_dict(problem: Problem, *, objektnr: str | None = None) -> dict[str, Any]:
    """A JSON-safe form of ``problem`` that can be translated and rendered later."""
    data = {
        "code": problem.code,
        "severity": problem.severity,
        "line": problem.line,
        "path": problem.path,
        "template": problem.template,
        "params": {key: _json_value(value) for key, value in problem.params.items()},
        "message": problem.render(),
    }
    text_params = sorted(key for key, value in problem.params.items() if isinstance(value, Text))
    if text_params:
        data["text_params"] = text_params
    if objektnr is not None:
        data["objektnr"] = objektnr
    return data


def render_message(message: dict[str, Any], translate=None) -> str:
    """Render a stored message; ``translate`` is ``gettext`` of the wanted language, or None."""
    params = dict(message.get("params") or {})
    for key in message.get("text_params") or ():
        if key in params and params[key] is not None:
            params[key] = Text(params[key])
    problem = Problem(
        message.get("code", ""),
        message.get("template", message.get("message", "")),
        message.get("severity", "error"),
        message.get("line"),
        message.get("path"),
        params,
    )
    return problem.render(translate)


@dataclass
class EntryResult:
    """What happened to one property of a file (or to a listing missing from a VOLL file)."""

    position: int
    objektnr: str | None
    title: str | None
    action: str
    outcome: str
    line: int | None = None
    listing_id: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["severity"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["severity"] != "error"]

    def as_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "objektnr": self.objektnr,
            "title": self.title,
            "action": self.action,
            "outcome": str(self.outcome),
            "line": self.line,
            "listing": self.listing_id,
        }


@dataclass
class ImportResult:
    """The outcome of ``import_file`` for one uploaded file.

    ``status`` is an ``ImportRun.Status`` value; ``refused`` says the file as a whole was not
    accepted (unsafe, unreadable, another broker's); ``held`` files (the VOLL guard) were not
    applied either but are not refused: ``force=True`` applies them.
    """

    file: str
    broker: str | None = None
    status: str = Status.RUNNING
    dry_run: bool = False
    forced: bool = False
    refused: bool = False
    umfang: str | None = None
    message: str = ""
    # ``message`` in a form that can be shown in another language (``render_message``)
    message_data: dict[str, Any] | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    skipped: int = 0
    images_created: int = 0
    images_reused: int = 0
    documents_created: int = 0
    files_removed: int = 0
    entries: list[EntryResult] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # about the file as a whole
    run: ImportRun | None = None
    withdraw_pending: int = 0  # VOLL: listings the file would withdraw (reported when held)
    live_before: int = 0

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [m for m in self._all_messages() if m["severity"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [m for m in self._all_messages() if m["severity"] != "error"]

    def _all_messages(self) -> list[dict[str, Any]]:
        found = [{**m, "objektnr": None} for m in self.problems]
        for entry in self.entries:
            found.extend({**m, "objektnr": entry.objektnr} for m in entry.messages)
        return found

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)

    def count(self, outcome: str) -> None:
        attribute = {
            Outcome.CREATED: "created",
            Outcome.UPDATED: "updated",
            Outcome.UNCHANGED: "unchanged",
            Outcome.WITHDRAWN: "withdrawn",
            Outcome.REJECTED: "rejected",
            Outcome.SKIPPED: "skipped",
        }[outcome]
        setattr(self, attribute, getattr(self, attribute) + 1)

    def as_json(self) -> dict[str, Any]:
        """The object ``openimmo_import --json`` prints for this file."""

        def short(message):
            return {
                "objektnr": message.get("objektnr"),
                "line": message.get("line"),
                "message": message.get("message"),
                "code": message.get("code"),
                "path": message.get("path"),
            }

        return {
            "file": self.file,
            "broker": self.broker,
            "status": str(self.status),
            "refused": self.refused,
            "dry_run": self.dry_run,
            "forced": self.forced,
            "umfang": self.umfang,
            "message": self.message,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "images_created": self.images_created,
            "images_reused": self.images_reused,
            "documents_created": self.documents_created,
            "files_removed": self.files_removed,
            "warnings": [short(m) for m in self.warnings],
            "errors": [short(m) for m in self.errors],
            "entries": [e.as_json() for e in self.entries],
            "run": self.run.pk if self.run is not None else None,
        }
