"""Findings in the reader's words, translated into the language of whoever reads them.

The Django-free reader (``wagtail_openimmo.openimmo``) describes every finding as a
:class:`~wagtail_openimmo.openimmo.problems.Problem`: an English template marked for
translation plus parameters. The importer stores each finding in the run log as a JSON dict
(``ImportRunEntry.messages``, ``ImportRun.problems``) so that a report can be written later in
the broker's language and the admin can show it in the editor's::

    {"code": "kaufpreis_missing", "severity": "error", "line": 42,
     "path": "preise/kaufpreis", "template": "Required field …", "params": {…},
     "text_params": ["label"]}

Parameters that are themselves translatable words (a field label, ``Text`` in the reader)
lose their type in JSON. They are named in ``text_params``; for records written without
it, the parameters ``label`` (a string) and ``labels`` (a list of strings) are translated
by convention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from .openimmo.problems import Problem, Text

DEFAULT_TEXT_PARAMS = ("label", "labels")


def _json_safe(value: Any) -> Any:
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, Decimal):
        # Keep the broker's digits: 1250000.00 stays "1250000.00", not a float.
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


def problem_record(problem: Problem) -> dict[str, Any]:
    """The JSON-safe dict the run log stores for ``problem`` (see the module docstring)."""
    text_params = sorted(
        key
        for key, value in problem.params.items()
        if isinstance(value, Text)
        or (isinstance(value, list | tuple) and value and all(isinstance(v, Text) for v in value))
    )
    record = {
        "code": problem.code,
        "severity": problem.severity,
        "line": problem.line,
        "path": problem.path,
        "template": problem.template,
        "params": _json_safe(problem.params),
    }
    if text_params:
        record["text_params"] = text_params
    return record


def render_message(record: Mapping[str, Any] | Problem, translate: Callable = gettext) -> str:
    """The finding as one sentence in the active language.

    A translation whose placeholders do not match the parameters (a mistake in a ``.po``
    file) falls back to the English template rather than failing a report.
    """
    if isinstance(record, Problem):
        record = problem_record(record)
    template = record.get("template") or ""
    if not template:
        return str(record.get("message") or record.get("code") or "")
    params = dict(record.get("params") or {})
    for key in record.get("text_params") or DEFAULT_TEXT_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value:
            params[key] = translate(value)
        elif isinstance(value, list | tuple):
            params[key] = ", ".join(translate(v) if isinstance(v, str) else str(v) for v in value)
    for candidate in (translate(template), template):
        try:
            return candidate.format(**params)
        except (KeyError, IndexError, ValueError, AttributeError):
            continue
    return template


def render_messages(
    records: Iterable[Mapping[str, Any]], *, severity: str | None = None
) -> list[dict[str, Any]]:
    """``records`` rendered for templates: ``text``, ``line``, ``path``, ``severity``, ``code``.

    Errors come before warnings; ``severity`` keeps only one kind.
    """
    rendered = [
        {
            "text": render_message(r),
            "line": r.get("line"),
            "path": r.get("path"),
            "severity": r.get("severity") or "error",
            "code": r.get("code") or "",
        }
        for r in records or ()
        if severity is None or (r.get("severity") or "error") == severity
    ]
    rendered.sort(key=lambda m: m["severity"] != "error")
    return rendered
