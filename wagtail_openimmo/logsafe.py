"""Untrusted text in log lines and plain-text mails, made harmless.

A broker chooses user names and file names; written raw, a CR or LF in them starts a new,
forged line in the FTP log (which operators feed to fail2ban) or in a report mail. Every
such value goes through ``escape`` before it is logged or shown in a report or the admin:
control characters (and Unicode's line and paragraph separators) become visible escapes
such as ``\\x0a``.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(value) -> str:
    """``value`` as text with every control character shown as an escape."""
    return _CONTROL.sub(_escaped, str(value))


def shown(value) -> str:
    """``value`` for a plain-text mail or an admin screen: ``escape``, and ``""`` for None.

    (HTML escaping is the template's job; this makes line breaks and control characters
    visible, so that a file name cannot start a line of its own.)
    """
    return "" if value is None else escape(value)


def has_line_break_or_nul(value: str) -> bool:
    return any(c in value for c in "\r\n\0")
