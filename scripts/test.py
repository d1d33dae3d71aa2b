#!/usr/bin/env python3
"""Install what the tests need and run them: ``python3 scripts/test.py [pytest args]``.

Runs, in order: ruff, ``makemigrations --check``, then the whole pytest suite (with two
workers). Browser tests need Debian's chromium (``apt-get install chromium``); the scale
tests (``tests/scale``) need the binaries of Debian's ``postgresql`` and ``redis-server``
(they start their own throwaway servers on 127.0.0.1) and skip without them, unless
``OPENIMMO_REQUIRE_SERVERS=1`` (as in ``.ci/run``).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _venv import ROOT, ensure_venv, pip_install, run, say  # noqa: E402


def main(argv: list[str]) -> int:
    ensure_venv()
    pip_install("-e", ".[test,dev]")
    say("ruff check")
    run("-m", "ruff", "check", ".")
    say("makemigrations --check")
    run("example_site/manage.py", "makemigrations", "--check", "--dry-run")
    say("pytest")
    env = dict(os.environ)
    args = argv or ["-n", os.environ.get("PYTEST_WORKERS", "2"), "--dist", "loadgroup"]
    run("-m", "pytest", *args, env=env)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as exc:  # a failing step already printed its output
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        os.chdir(ROOT)
