"""Findings in the reader's words, translated into the language of whoever reads them.

The Django-free reader (``wagtail_openimmo.openimmo``) describes every finding as a
:class:`~wagtail_openimmo.openimmo.problems.Problem`: an English template marked for
translation plus parameters. The importer stores each finding in the run log as a JSON dict
(``ImportRunEntry.messages``, ``ImportRun.problems``) so that a report can be written later in
the broker's language and the admin can show it in the editor's::

    {"code": "kaufpreis_missing", "severity": "error", "line": 42,
     "path": "preise/kaufpreis", "template": "Required field …", "params": {…},
     "text_params": ["label"]}

A run's own message -- the summary ("2 of 5 properties were rejected"), the VOLL guard's hold
reason, why a file was refused or set aside -- is kept the same way, as a list of such dicts
in ``ImportRun.message_data``; :func:`run_message` renders it. Rows written before that
field existed show their stored text (``ImportRun.message``).

Parameters that are themselves translatable words (a field label, ``Text`` in the reader)
lose their type in JSON. They are named in ``text_params``; for records written without
it, the parameters ``label`` (a string) and ``labels`` (a list of strings) are translated
by convention.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_noop

from .logsafe import escape
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


def message_record(code: str, template: str, *, severity: str = "error", **params) -> dict:
    """A finding made in the Django layer, stored like the reader's (``template`` must be
    marked with ``gettext_noop`` so that it is in the catalogue)."""
    record = problem_record(Problem(code, template, severity, None, None, params))
    # the English sentence, for programs and logs that read the stored dict as it is
    record["message"] = render_message(record, translate=lambda text: text)
    return record


class Said(str):
    """A sentence in the active language that keeps its record (``message_record``).

    For texts that are shown at once (a command's output, a reason file, an e-mail to the
    operator) and also stored on a run, where another reader sees them in another language.
    """

    record: dict


def say(code: str, template: str, *, severity: str = "error", **params) -> Said:
    """``template`` (marked with ``gettext_noop``) filled in, in the active language."""
    record = message_record(code, template, severity=severity, **params)
    text = Said(render_message(record))
    text.record = record
    return text


def records_of(*texts) -> list[dict]:
    """The records of the ``Said`` texts among ``texts`` (for ``ImportRun.message_data``).

    A plain string (an operator's own words) becomes a record without a template, shown as
    written.
    """
    records = []
    for text in texts:
        if isinstance(text, Said):
            records.append(text.record)
        elif isinstance(text, Mapping):
            records.append(dict(text))
        elif text:
            records.append({"code": "text", "severity": "error", "message": str(text)})
    return records


# Hold reasons of runs stored before ``ImportRun.message_data`` existed: the finding with
# the same words is in ``ImportRun.problems``.
HOLD_CODES = ("voll_guard", "voll_empty")
# The importer's summary as older rows stored it, in English.
_OLD_SUMMARY = re.compile(r"^(\d+) of (\d+) properties were rejected; see the errors\.$")
SUMMARY_TEMPLATE = gettext_noop("{rejected} of {total} properties were rejected; see the errors.")


def run_message(run, *, besides: Iterable[Mapping[str, Any]] = ()) -> str:
    """``run.message`` in the active language.

    From ``run.message_data`` when the run has it; for an older held run, from its hold
    finding; otherwise the text as it was stored. ``besides`` are findings shown next to it
    (the run's ``problems``): what they say already is left out.
    """
    besides = [b for b in besides or () if isinstance(b, Mapping)]
    shown_codes = {b.get("code") for b in besides if b.get("code")}
    records = [r for r in run.message_data or [] if isinstance(r, Mapping)]
    if records:
        return "\n".join(
            render_message(r)
            for r in records
            if not (r.get("code") in shown_codes and r.get("code") != "text")
        )
    if besides:
        # a row from before the codes: its text was a summary of the findings shown
        return ""
    if run.message:
        for problem in run.problems or ():
            if (
                isinstance(problem, Mapping)
                and problem.get("code") in HOLD_CODES
                and render_message(problem, translate=lambda text: text) == run.message
            ):
                return render_message(problem)
        old = _OLD_SUMMARY.match(run.message.strip())
        if old:
            return render_message(
                {"template": SUMMARY_TEMPLATE,
                 "params": {"rejected": int(old[1]), "total": int(old[2])}}
            )
    return run.message


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
    # A parameter is the broker's (a file name, a value from the XML): a line break or
    # control character in it is shown escaped, never starting a line of its own in a
    # plain-text report or a reason file.
    params = {
        key: escape(value)
        if isinstance(value, str)
        else [escape(v) if isinstance(v, str) else v for v in value]
        if isinstance(value, list)
        else value
        for key, value in (record.get("params") or {}).items()
    }
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


# One sentence for a kind of warning whose single messages differ (a file name, a value):
# the report groups warnings by kind, one line each with the object numbers it concerns.
KIND_LABELS = {
    "attachment_missing": gettext_noop(
        "Attachments referenced in the file were not in the upload and were skipped."
    ),
    "attachment_too_large": gettext_noop("Attachments larger than the limit were skipped."),
    "attachment_md5": gettext_noop(
        "Attachments do not match their MD5 check value (imported anyway; they may be damaged)."
    ),
    "attachment_empty": gettext_noop(
        "Attachments with neither a file path nor content were skipped."
    ),
    "attachment_base64": gettext_noop(
        "Attachments whose content is not valid Base64 were skipped."
    ),
    "attachment_still_skipped": gettext_noop(
        "Attachments not imported with an earlier upload are still missing."
    ),
    "document_type": gettext_noop("Attachments of a type that is not accepted were skipped."),
    "document_invalid": gettext_noop(
        "Attachments whose content is not what their type says were skipped."
    ),
    "value_interpreted": gettext_noop(
        "Values had to be interpreted (number or date formats, lengths); the import log names "
        "each one."
    ),
    "negative_value": gettext_noop("Negative values were left out of the listings."),
    "objektart_invalid": gettext_noop(
        "Kinds of property OpenImmo does not know: the listings are shown as a “property”."
    ),
    "xsd": gettext_noop(
        "The properties do not match the OpenImmo schema; the import log has the details."
    ),
}


def group_warnings(
    items: Iterable[tuple[str, Iterable[Mapping[str, Any]]]], *, limit: int = 20
) -> list[dict[str, Any]]:
    """Warnings of many properties as one line per kind: ``text``, ``code``, ``objektnrs``
    (at most ``limit``), ``count`` (properties concerned) and ``more``.

    ``items`` are ``(objektnr, messages)`` pairs. Messages of one code that all read the
    same are one kind; codes whose messages differ by a name or value are grouped under the
    code's sentence in ``KIND_LABELS`` (or, for others, each distinct sentence is a kind).
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for objektnr, messages in items:
        for m in messages or ():
            if (m.get("severity") or "error") != "warning":
                continue
            code = m.get("code") or ""
            label = KIND_LABELS.get(code)
            text = gettext(label) if label else render_message(m)
            group = groups.setdefault((code, text), {"code": code, "text": text, "seen": []})
            if objektnr not in group["seen"]:  # several of one kind in a property: named once
                group["seen"].append(objektnr)
    return [
        {
            "code": group["code"],
            "text": group["text"],
            "objektnrs": group["seen"][:limit],
            "count": len(group["seen"]),
            "more": max(0, len(group["seen"]) - limit),
        }
        for group in groups.values()
    ]


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
