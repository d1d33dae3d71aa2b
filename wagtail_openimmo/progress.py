"""A progress bar for commands run by people, and silence for commands run by cron.

The importer reports progress through a callback ``progress(kind, done, total)`` with kind
``"properties"`` or ``"attachments"``. ``progress_for(stream, label)`` gives a callback that
redraws one line with carriage returns when ``stream`` is a terminal, and ``None`` (no
callback, no output) when it is not, so that logs of scheduled runs get one plain line per
file from the command instead of hundreds of half-drawn bars.
"""

from __future__ import annotations

import contextlib
import time
from typing import TextIO

from .logsafe import escape

KINDS = ("properties", "attachments")


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


class TerminalProgress:
    """Draws ``label  properties 12/40 [#####.....]  attachments 30/120`` on one line."""

    def __init__(self, stream: TextIO, label: str, *, width: int = 24, min_interval: float = 0.1):
        self.stream = stream
        self.label = label
        self.width = width
        self.min_interval = min_interval
        self.state: dict[str, tuple[int, int]] = {}
        # None until the first draw: monotonic() may be small right after boot.
        self._last_draw: float | None = None
        self._drawn = 0

    def __call__(self, kind: str, done: int, total: int) -> None:
        self.state[kind] = (done, total)
        now = time.monotonic()
        finished = total and done >= total
        if finished or self._last_draw is None or now - self._last_draw >= self.min_interval:
            self._draw()
            self._last_draw = now

    def bar(self, done: int, total: int) -> str:
        if not total:
            return f"{done}"
        filled = min(self.width, self.width * done // total)
        return f"{done}/{total} [{'#' * filled}{'.' * (self.width - filled)}]"

    def line(self) -> str:
        parts = [self.label]
        for kind in KINDS:
            if kind in self.state:
                parts.append(f"{kind} {self.bar(*self.state[kind])}")
        return "  ".join(parts)

    def _draw(self) -> None:
        text = self.line()
        # Pad with spaces so a shorter line wipes out the end of the previous one.
        self.stream.write("\r" + text.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(text)

    def finish(self) -> None:
        """End the bar's line so that what follows starts on a line of its own."""
        if self._drawn:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0


def progress_for(stream: TextIO, label: str) -> TerminalProgress | None:
    """A progress callback drawing on ``stream`` if it is a terminal, else ``None``."""
    # the label is a broker's file name: no line breaks or terminal escapes drawn raw
    return TerminalProgress(stream, escape(label)) if is_terminal(stream) else None


class RunProgress:
    """Writes an import's progress to its ``ImportRun`` (at most every ``interval`` seconds),
    for the admin's live view, then passes it on to ``then`` (a terminal bar, say)."""

    def __init__(self, run, then=None, *, interval: float = 1.0):
        # The run object the importer saves at its end: it gets the values too, so that its
        # final save does not put back older ones.
        self.run = run
        self.then = then
        self.interval = interval
        self._last: float | None = None

    def __call__(self, kind: str, done: int, total: int) -> None:
        if kind == "properties":
            now = time.monotonic()
            if self._last is None or now - self._last >= self.interval or done >= total:
                self._last = now
                self._write(done, total)
        if self.then is not None:
            self.then(kind, done, total)

    def _write(self, done: int, total: int) -> None:
        from django.db import DatabaseError
        from django.utils import timezone

        from .models import ImportRun

        values = {"progress_done": done, "progress_total": total, "progress_at": timezone.now()}
        for name, value in values.items():
            setattr(self.run, name, value)
        # progress is a courtesy: it never breaks the import
        with contextlib.suppress(DatabaseError):
            ImportRun.objects.filter(pk=self.run.pk).update(**values)

    def finish(self) -> None:
        if self.then is not None and hasattr(self.then, "finish"):
            self.then.finish()
