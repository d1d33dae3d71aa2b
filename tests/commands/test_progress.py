"""The terminal progress bar used by openimmo_import."""

from __future__ import annotations

import io

from wagtail_openimmo.progress import TerminalProgress, progress_for


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_no_callback_when_not_a_terminal():
    assert progress_for(io.StringIO(), "feed.zip") is None


def test_draws_one_line_with_carriage_returns_and_ends_it():
    out = FakeTerminal()
    bar = progress_for(out, "feed.zip")
    bar.min_interval = 0
    bar("properties", 1, 4)
    bar("properties", 2, 4)
    bar("attachments", 3, 12)
    bar("properties", 4, 4)
    bar.finish()
    text = out.getvalue()
    assert "\n" not in text[:-1]  # one line, redrawn in place
    frames = text.rstrip("\n").split("\r")[1:]
    assert frames[0].strip() == "feed.zip  properties 1/4 [" + "#" * 6 + "." * 18 + "]"
    assert frames[-1].strip() == (
        "feed.zip  properties 4/4 [" + "#" * 24 + "]  attachments 3/12 [" + "#" * 6
        + "." * 18 + "]"
    )
    assert text.endswith("\n")


def test_redraws_are_throttled_but_the_last_one_is_drawn():
    out = FakeTerminal()
    bar = TerminalProgress(out, "f", min_interval=3600)
    bar("properties", 1, 1000)  # first draw
    for done in range(2, 1000):
        bar("properties", done, 1000)
    bar("properties", 1000, 1000)
    assert out.getvalue().count("\r") == 2
    assert "1000/1000" in out.getvalue()


def test_unknown_total_shows_the_count():
    bar = TerminalProgress(FakeTerminal(), "f")
    assert bar.bar(7, 0) == "7"
