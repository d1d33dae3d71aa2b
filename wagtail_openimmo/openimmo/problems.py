"""Errors and warnings found while reading a transfer, in words a broker understands.

The format package must not import Django, yet its messages reach brokers in German and
English. Messages are therefore English templates marked with the no-op ``_`` below, which
``makemessages`` extracts like any ``gettext`` call; the Django layer translates the template
and then fills in the parameters (see ``wagtail_openimmo.messages.render_problem``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


class Text(str):
    """A parameter that is itself a translatable string (a field label, say)."""


def _(message: str) -> str:
    """Mark ``message`` for translation without translating it (like ``gettext_noop``)."""
    return message


@dataclass(frozen=True)
class Problem:
    """One finding about a transfer or a property.

    ``code`` is stable and meant for programs (tests, JSON output); ``template`` is an
    English sentence with ``{name}`` placeholders filled from ``params``; ``line`` is the line
    of the XML file the finding is about, when known; ``path`` is the element path inside
    ``<immobilie>`` (``preise/kaufpreis``), when it is about one element.
    """

    code: str
    template: str
    severity: Severity = "error"
    line: int | None = None
    path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message (the Django layer offers a translated one)."""
        return self.render()

    def render(self, translate=None) -> str:
        template = translate(self.template) if translate else self.template
        params = {
            key: (translate(value) if translate and isinstance(value, Text) else value)
            for key, value in self.params.items()
        }
        for candidate in (template, self.template):
            try:
                return candidate.format(**params)
            except (KeyError, IndexError, ValueError):  # a broken translation must not crash
                continue
        return self.template

    def as_dict(self, translate=None) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "line": self.line,
            "path": self.path,
            "message": self.render(translate),
        }

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.message}"


def error(code: str, template: str, *, line=None, path=None, **params) -> Problem:
    return Problem(code, template, "error", line, path, params)


def warning(code: str, template: str, *, line=None, path=None, **params) -> Problem:
    return Problem(code, template, "warning", line, path, params)


class TransferRefused(Exception):
    """The whole file cannot be read (unsafe, too large, not XML, not OpenImmo)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem
