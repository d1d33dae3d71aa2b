#!/usr/bin/env python3
"""Install what the tests need and run them.

``python3 scripts/test.py [pytest args]``: in ``.venv/`` (made with the Python running the
script), ruff, ``makemigrations --check``, then the whole pytest suite with two workers.

``python3 scripts/test.py --matrix [pytest args]`` (what ``.ci/run`` does): the same suite
on the oldest and the newest supported combination, each in its own virtual environment:

- **newest**: the newest Python found (3.13, else 3.12; looked for on the ``PATH`` and in
  pyenv's versions), the newest Wagtail 8.x and Django 6.x that pip resolves for it; ruff,
  ``makemigrations --check`` and the whole suite.
- **oldest**: Python 3.11, Wagtail 7.0.x (LTS) and Django 5.2.x; ``makemigrations --check``
  and the whole suite.

Browser tests need Debian's chromium (``apt-get install chromium``); the scale tests
(``tests/scale``) need the binaries of Debian's ``postgresql`` and ``redis-server`` (they start
their own throwaway servers on 127.0.0.1) and skip without them, unless
``OPENIMMO_REQUIRE_SERVERS=1`` (as in ``.ci/run``).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _venv import ROOT, ensure_venv, pip_install, run, say  # noqa: E402

# (name, Python versions to look for, newest first, pip constraints)
COMBINATIONS = [
    ("newest", ["3.13", "3.12"], ["wagtail>=8.0,<9.0", "Django>=6.0,<7.0"]),
    ("oldest", ["3.11"], ["wagtail>=7.0,<7.1", "Django>=5.2,<5.3"]),
]


def find_python(versions: list[str]) -> str | None:
    """The first interpreter of ``versions`` that runs: from pyenv's versions folder (its
    shims on the PATH answer only for the selected version), else on the PATH."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in versions:
        candidates = sorted(glob.glob(str(pyenv / f"{version}.*" / "bin" / "python3")),
                            reverse=True)
        candidates.append(shutil.which(f"python{version}") or "")
        for candidate in filter(None, candidates):
            works = subprocess.run([candidate, "-c", "import venv"], capture_output=True)
            if works.returncode == 0:
                return candidate
    return None


def pytest_args(argv: list[str]) -> list[str]:
    return argv or ["-n", os.environ.get("PYTEST_WORKERS", "2"), "--dist", "loadgroup"]


def run_suite(python: Path, argv: list[str], *, lint: bool) -> None:
    if lint:
        say("ruff check")
        run("-m", "ruff", "check", ".", python=python)
    say("makemigrations --check")
    run("example_site/manage.py", "makemigrations", "--check", "--dry-run", python=python)
    say("pytest")
    run("-m", "pytest", *pytest_args(argv), python=python, env=dict(os.environ))


def versions(python: Path) -> str:
    return subprocess.check_output(
        [str(python), "-c",
         "import sys, django, wagtail; print(f'Python {sys.version.split()[0]}, "
         "Wagtail {wagtail.__version__}, Django {django.__version__}')"],
        text=True,
    ).strip()


def matrix(argv: list[str]) -> int:
    for name, wanted, constraints in COMBINATIONS:
        interpreter = find_python(wanted)
        if interpreter is None and name == "newest":
            # Django 6 needs Python 3.12+: without one, the newest Wagtail with the newest
            # Django this Python takes, rather than no run at all.
            say(f"newest: no Python {' or '.join(wanted)} found; using {sys.executable}")
            interpreter, constraints = sys.executable, ["wagtail>=8.0,<9.0"]
        if interpreter is None:
            raise RuntimeError(
                f"the {name} combination needs Python {' or '.join(wanted)}; none was found "
                "on the PATH or in ~/.pyenv/versions"
            )
        python = ensure_venv(ROOT / f".venv-{name}", interpreter)
        pip_install("-e", ".[test,dev]", *constraints, python=python)
        say(f"{name}: {versions(python)}")
        run_suite(python, argv, lint=name == "newest")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--matrix"]:
        return matrix(argv[1:])
    python = ensure_venv()
    pip_install("-e", ".[test,dev]")
    run_suite(python, argv, lint=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as exc:  # a failing step already printed its output
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        os.chdir(ROOT)
